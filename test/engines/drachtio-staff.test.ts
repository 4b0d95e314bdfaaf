// The drachtio engine's staff registrar and softphone relay as pure logic (no servers needed): requests
// stand in for what drachtio-srf hands the engine, a loopback WebSocket server stands in for
// drachtio-server's ws contact. The same outcomes on the real servers: test/engines/staff-contract.test.ts.
import test from 'ava';
import { createHash } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SipWebSocket } from '../../core/call-port.ts';
import { silentLogger } from '../../core/log.ts';
import { RefusalLog } from '../../sip/shared/refusal-log.ts';
import { authParams, DrachtioStaff, parseContacts, STAFF_HEADER, stampRequest, uriUser } from '../../sip/drachtio/staff.ts';
import type { SrfMessage, SrfResponseOut } from '../../sip/drachtio/srf.ts';
import { directory, REALM } from '../sip/staff-support.ts';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

interface Sent { status: number; reason?: string; headers: Record<string, string> }

function request(o: { address?: string; protocol?: string; headers: Record<string, string> }): SrfMessage & { protocol: string } {
  const h = new Map(Object.entries(o.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method: 'REGISTER', uri: `sip:${REALM}`, source_address: o.address ?? '127.0.0.3', source_port: 5070, protocol: o.protocol ?? 'udp',
    get: (name: string) => h.get(name.toLowerCase()),
    has: (name: string) => h.has(name.toLowerCase()),
  };
}

function response(): SrfResponseOut & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    send(status: number, reason?: string | object, opts?: object) {
      sent.push({ status, reason: typeof reason === 'string' ? reason : undefined, headers: ((opts as { headers?: Record<string, string> } | undefined)?.headers) ?? {} });
    },
  };
}

function staff(wsUrl = 'ws://127.0.0.1:1'): DrachtioStaff {
  const refusals = new RefusalLog({ logger: silentLogger(), intervalMs: 60_000 });
  return new DrachtioStaff({ directory: directory({ alice: 'secret' }, ['127.0.0.3/32']), realm: REALM, wsUrl }, refusals, silentLogger(), () => {});
}

const DESK = { To: `<sip:alice@${REALM}>`, From: `<sip:alice@${REALM}>;tag=1`, Contact: '<sip:alice@127.0.0.3:5070>;expires=600' };

function digestFor(challenge: string, password: string, user = 'alice'): string {
  const p = authParams(challenge)!;
  const nonce = p.nonce!.replace(/"/g, '');
  const uri = `sip:${REALM}`;
  const ha1 = md5(`${user}:${REALM}:${password}`);
  const response = md5(`${ha1}:${nonce}:00000001:c0ffee:auth:${md5(`REGISTER:${uri}`)}`);
  return `Digest username="${user}", realm="${REALM}", nonce="${nonce}", uri="${uri}", response="${response}", qop=auth, nc=00000001, cnonce="c0ffee", algorithm=MD5`;
}

test('header readers: the URI user, contacts with their expires (commas inside names and brackets kept), Authorization fields', (t) => {
  t.is(uriUser('"Alice" <sip:alice@box.test>;tag=9'), 'alice');
  t.is(uriUser('sip:+15550001111@127.0.0.1:5060'), '+15550001111');
  t.is(uriUser('<sip:box.test>'), null);
  t.deepEqual(parseContacts('"Doe, Jane" <sip:a@1.2.3.4;transport=tcp>;expires=60, <sip:b@h.invalid;transport=ws>'), [
    { uri: 'sip:a@1.2.3.4;transport=tcp', expires: 60 }, { uri: 'sip:b@h.invalid;transport=ws' },
  ]);
  t.is(parseContacts(' * '), '*');
  t.like(authParams('Digest username="alice", realm="box.test", nc=00000001, response="ab"'), { scheme: 'Digest', username: '"alice"', nc: '00000001', response: '"ab"' });
});

test('the relay stamps requests from the browser with its signed header, removes a forged one, and leaves responses alone', (t) => {
  const rq = `REGISTER sip:box.test SIP/2.0\r\nVia: SIP/2.0/WSS x.invalid\r\n${STAFF_HEADER}: forged.Ym9i.xxx\r\nTo: <sip:alice@box.test>\r\nContent-Length: 0\r\n\r\n`;
  const out = stampRequest(rq, 'tok');
  t.is(out.split('\r\n')[1], `${STAFF_HEADER}: tok`);
  t.false(out.includes('forged'));
  t.true(out.endsWith('Content-Length: 0\r\n\r\n'));
  const rs = 'SIP/2.0 200 OK\r\nVia: SIP/2.0/WSS x.invalid\r\n\r\n';
  t.is(stampRequest(rs, 'tok'), rs);
});

test('a desk phone from the LAN range is challenged, registered with good credentials, refused with a wrong password; outside the ranges it is left to the guard', (t) => {
  const s = staff();
  t.teardown(() => s.close());
  const first = response();
  t.true(s.handleRegister(request({ headers: DESK }), first));
  t.is(first.sent[0]!.status, 401);
  const challenge = first.sent[0]!.headers['WWW-Authenticate']!;
  t.regex(challenge, /^Digest realm="box.test", nonce="[^"]+", algorithm=MD5, qop="auth"$/);

  const wrong = response();
  s.handleRegister(request({ headers: { ...DESK, Authorization: digestFor(challenge, 'Tr0ub4dor') } }), wrong);
  t.is(wrong.sent[0]!.status, 403);
  t.deepEqual(s.registry.list(), []);

  const good = response();
  s.handleRegister(request({ headers: { ...DESK, Authorization: digestFor(challenge, 'secret') } }), good);
  t.is(good.sent[0]!.status, 200);
  t.is(good.sent[0]!.headers.Contact, '<sip:alice@127.0.0.3:5070>;expires=600');
  t.like(s.registry.list(), [{ user: 'alice', kind: 'desk-phone', source: '127.0.0.3:5070' }]);

  const outside = response();
  t.false(s.handleRegister(request({ address: '127.0.0.4', headers: DESK }), outside), 'not for the registrar: the guard answers');
  t.deepEqual(outside.sent, []);
});

test('a REGISTER over the WebSocket transport without the relay\'s signature is refused', (t) => {
  const s = staff();
  t.teardown(() => s.close());
  const res = response();
  t.true(s.handleRegister(request({ address: '127.0.0.1', protocol: 'ws', headers: { ...DESK, Contact: '<sip:x@y.invalid;transport=ws>' } }), res));
  t.is(res.sent[0]!.status, 403);
  const forged = response();
  s.handleRegister(request({ address: '127.0.0.1', protocol: 'ws', headers: { ...DESK, [STAFF_HEADER]: 'ws-1.YWxpY2U.AAAA' } }), forged);
  t.is(forged.sent[0]!.status, 403);
  t.deepEqual(s.registry.list(), []);
});

test('a logged-in browser\'s socket is relayed to drachtio-server\'s ws contact; its REGISTER, signed there, registers the session\'s user only', async (t) => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (p) => (p.has('sip') ? 'sip' : false) });
  t.teardown(() => new Promise<void>((r) => wss.close(() => r())));
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = (wss.address() as { port: number }).port;
  const s = staff(`ws://127.0.0.1:${port}`);
  t.teardown(() => s.close());
  const arrived: string[] = [];
  let server: WebSocket | null = null;
  wss.on('connection', (c) => { server = c; c.on('message', (d) => arrived.push(String(d))); });
  const toBrowser: string[] = [];
  let fromBrowser: ((d: string) => void) | null = null;
  let closeBrowser: (() => void) | null = null;
  const socket = {
    send: (d: string) => { toBrowser.push(d); },
    close: () => closeBrowser?.(),
    on(ev: string, fn: (d?: string) => void) { if (ev === 'message') fromBrowser = fn; else closeBrowser = fn as () => void; return this; },
  } as unknown as SipWebSocket;
  s.acceptSocket(socket, 'alice');
  const reg = (user: string): string => `REGISTER sip:box.test SIP/2.0\r\nVia: SIP/2.0/WSS x.invalid;branch=z9hG4bK1\r\nTo: <sip:${user}@box.test>\r\nFrom: <sip:${user}@box.test>;tag=1\r\nCall-ID: c1\r\nCSeq: 1 REGISTER\r\nContact: <sip:q7@x.invalid;transport=ws>;expires=300\r\nContent-Length: 0\r\n\r\n`;
  fromBrowser!(reg('alice'));
  fromBrowser!(reg('bob'));
  const end = Date.now() + 3000;
  while (arrived.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  t.is(arrived.length, 2, 'both relayed (queued until the connection opened)');
  const headerOf = (m: string): string => /^X-Box-Staff: (.*)$/m.exec(m)![1]!.trim();
  const asDrachtio = (m: string) => request({ address: '127.0.0.1', protocol: 'ws', headers: {
    To: /^To: (.*)$/m.exec(m)![1]!, Contact: /^Contact: (.*)$/m.exec(m)![1]!, [STAFF_HEADER]: headerOf(m),
  } });
  const okRes = response();
  s.handleRegister(asDrachtio(arrived[0]!), okRes);
  t.is(okRes.sent[0]!.status, 200);
  t.is(okRes.sent[0]!.headers.Contact, '<sip:q7@x.invalid;transport=ws>;expires=300');
  const bobRes = response();
  s.handleRegister(asDrachtio(arrived[1]!), bobRes);
  t.is(bobRes.sent[0]!.status, 403, 'a REGISTER for another user than the session\'s');
  t.like(s.registry.list(), [{ user: 'alice', kind: 'browser', source: 'wss' }]);
  // drachtio-server's messages go to the browser as they are; the browser gone, its registration goes.
  (server as WebSocket | null)?.send('SIP/2.0 200 OK\r\n\r\n');
  const end2 = Date.now() + 2000;
  while (toBrowser.length === 0 && Date.now() < end2) await new Promise((r) => setTimeout(r, 20));
  t.deepEqual(toBrowser, ['SIP/2.0 200 OK\r\n\r\n']);
  socket.close();
  t.deepEqual(s.registry.list(), []);
});

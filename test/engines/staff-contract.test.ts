// Issue 16's people on the line, the same on every engine: staff endpoints registering (desk phones with
// digest from the LAN ranges, softphones over a logged-in WebSocket), refusals, ringing a staff user,
// bridging, and calls coming in from a trunk only. Real peers: baresip and sipp. The drachtio half needs
// drachtio-server (registration and refusals) and FreeSWITCH too (calls); without them it is skipped
// with one line saying why.
import test, { type ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { Call, CallEngine, SipWebSocket, StaffEndpoint } from '../../core/call-port.ts';
import { silentLogger } from '../../core/log.ts';
import type { Logger } from '../../core/log.ts';
import { DrachtioEngine } from '../../sip/drachtio/engine.ts';
import { readPcm8k, toneShare, toneWav } from '../peers/audio.ts';
import { startBaresip } from '../peers/baresip.ts';
import { startSippUac } from '../peers/sipp.ts';
import { loopbackTrunk } from '../support/engine.ts';
import { answered, capturingLogger, directory, REALM, sleep, staffEngine, until } from '../sip/staff-support.ts';
import { findDrachtio, findServers, SKIP_LINE, startDrachtioOnly, startServers, type RunningDrachtio, type RunningServers } from './servers.ts';

const drachtioBin = findDrachtio();
const both = findServers();
if (!drachtioBin) console.log(`${SKIP_LINE} (drachtio not found: staff registration on the drachtio engine not checked)`);
else if (!both.bins) console.log(`${SKIP_LINE} (${both.why}: staff calls on the drachtio engine not checked)`);

let drachtioOnly: RunningDrachtio | null = null;
let servers: RunningServers | null = null;
test.before(async () => {
  if (drachtioBin) drachtioOnly = await startDrachtioOnly(drachtioBin);
  if (both.bins && both.bins.kind === 'binaries') servers = await startServers(both.bins);
  if (servers) console.log(`drachtio-server ${servers.versions.drachtio}, FreeSWITCH ${servers.versions.freeswitch}`);
});
test.after.always(async () => {
  await drachtioOnly?.stop();
  await servers?.stop();
});

type Kind = 'embedded' | 'drachtio';
interface Box { engine: CallEngine; sipPort: number }

const TRUNK_PORT = 5999;

/** An engine with staff endpoints on: alice/secret may register from `ranges`; a trunk at 127.0.0.1. */
async function box(t: ExecutionContext, kind: Kind, o: { ranges?: string[]; logger?: Logger; withMedia?: boolean } = {}): Promise<Box> {
  const ranges = o.ranges ?? ['127.0.0.3/32'];
  if (kind === 'embedded') {
    const e = await staffEngine(t, { ranges, ...(o.logger ? { logger: o.logger } : {}) });
    return { engine: e, sipPort: e.sipPort };
  }
  const s = o.withMedia ? servers! : drachtioOnly!;
  const settings = 'freeswitch' in s.settings ? s.settings : { ...s.settings, freeswitch: { host: '127.0.0.1', port: 1, secret: 'x' } };
  const wsUrl = 'wsUrl' in s ? s.wsUrl : s.drachtio.wsUrl;
  const engine = new DrachtioEngine({
    settings: {
      sip: { bindAddress: '127.0.0.1', port: 0, transports: ['udp'], userAgent: 'vba-test', guard: { action: 'reject', maxRepliesPerSecPerSource: 5 } },
      trunks: [loopbackTrunk(TRUNK_PORT)], defaultTrunk: 'sipp', drachtio: settings,
    },
    logger: o.logger ?? silentLogger(),
    connectWaitMs: o.withMedia ? 10_000 : 1000,
    staff: { directory: directory({ alice: 'secret' }, ranges), realm: REALM },
    staffWsUrl: wsUrl,
  });
  t.teardown(() => engine.close());
  await engine.start();
  if (o.withMedia && !(await engine.whenConnected(10_000))) throw new Error('drachtio engine did not connect to its servers');
  return { engine, sipPort: 'sipPort' in s ? s.sipPort : s.drachtio.sipPort };
}

const KINDS: Kind[] = ['embedded', 'drachtio'];
const signalling = (k: Kind) => (k === 'embedded' || drachtioBin ? test.serial : test.skip);
const calls = (k: Kind) => (k === 'embedded' || (both.bins?.kind === 'binaries') ? test.serial : test.skip);

/** A softphone's WebSocket as the HTTP side hands it over (session already checked), with the test as the browser. */
function socketPair(): { socket: SipWebSocket; send(text: string): void; next(re: RegExp, ms: number): Promise<string>; closed: () => boolean } {
  const received: string[] = [];
  let onMessage: ((d: string) => void) | null = null;
  let onClose: (() => void) | null = null;
  let closed = false;
  const socket: SipWebSocket = {
    send: (d) => { received.push(d); },
    close: () => { if (!closed) { closed = true; onClose?.(); } },
    on(event: 'message' | 'close', fn: ((d: Buffer | string) => void) | (() => void)) {
      if (event === 'message') onMessage = fn as (d: string) => void;
      else onClose = fn as () => void;
      return this;
    },
  } as SipWebSocket;
  return {
    socket,
    send: (text) => onMessage?.(text),
    closed: () => closed,
    next: async (re, ms) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        const i = received.findIndex((m) => re.test(m));
        if (i >= 0) return received.splice(i, 1)[0]!;
        await sleep(20);
      }
      throw new Error(`nothing matching ${re} within ${ms} ms; got: ${received.map((m) => m.split('\r\n')[0]).join(' | ')}`);
    },
  };
}

function wsRegister(user: string, contactUser: string, expires = 600): string {
  const id = randomUUID().slice(0, 8);
  return [
    `REGISTER sip:${REALM} SIP/2.0`,
    `Via: SIP/2.0/WSS ${id}.invalid;branch=z9hG4bK${id}`,
    'Max-Forwards: 70',
    `To: <sip:${user}@${REALM}>`,
    `From: <sip:${user}@${REALM}>;tag=${id}`,
    `Call-ID: ${id}-reg`,
    'CSeq: 1 REGISTER',
    `Contact: <sip:${contactUser}@${id}.invalid;transport=ws>;expires=${expires}`,
    `Expires: ${expires}`,
    'Content-Length: 0',
    '', '',
  ].join('\r\n');
}

for (const kind of KINDS) {
  signalling(kind)(`${kind}: a desk phone with good credentials from the LAN range registers; a wrong password and a source outside the ranges are refused`, async (t) => {
    t.timeout(40_000);
    const { engine, sipPort } = await box(t, kind);
    const seen: StaffEndpoint[][] = [];
    engine.on('staff', (l) => seen.push(l));
    const wrong = await startSippUac({
      scenario: 'desk-register-auth-expect-403.xml', address: '127.0.0.3', target: `127.0.0.1:${sipPort}`, calls: 1, timeoutSec: 10,
      args: ['-s', 'alice', '-au', 'alice', '-ap', 'Tr0ub4dor'],
    }).stop(10_000);
    t.is(wrong.exitCode, 0, `wrong password refused with 403: ${wrong.errors}`);
    const outside = await startSippUac({ scenario: 'uac-register-expect-403.xml', address: '127.0.0.4', target: `127.0.0.1:${sipPort}`, calls: 1, timeoutSec: 10, args: ['-s', 'alice'] }).stop(8000);
    t.is(outside.exitCode, 0, `outside the ranges refused with 403: ${outside.errors}`);
    t.deepEqual(engine.staffEndpoints!(), []);
    const desk = await startBaresip({ listen: '127.0.0.3', user: 'alice', register: { registrar: `127.0.0.1:${sipPort}`, password: 'secret' } });
    t.teardown(() => desk.stop());
    t.true(await until(() => engine.staffEndpoints!().length === 1, 8000), desk.log().slice(-2000));
    t.like(engine.staffEndpoints!()[0], { user: 'alice', kind: 'desk-phone', busy: false });
    t.regex(engine.staffEndpoints!()[0]!.source, /^127\.0\.0\.3:\d+$/);
    t.true(seen.some((l) => l.length === 1), "'staff' reported the desk phone");
  });

  signalling(kind)(`${kind}: a softphone registers over its logged-in WebSocket as the session's user only, and goes when the socket closes`, async (t) => {
    t.timeout(20_000);
    const { engine } = await box(t, kind);
    const ws = socketPair();
    engine.acceptStaffSocket!(ws.socket, 'alice');
    ws.send(wsRegister('bob', 'b0b'));
    t.regex(await ws.next(/^SIP\/2\.0 \d+/, 5000), /^SIP\/2\.0 403 /, 'another user than the session\'s is refused');
    ws.send(wsRegister('alice', 'a1ice'));
    const ok = await ws.next(/^SIP\/2\.0 \d+/, 5000);
    t.regex(ok, /^SIP\/2\.0 200 /);
    t.regex(ok, /expires=600/i);
    t.regex(ok, /^Via: SIP\/2\.0\/WSS /im, 'the browser sees its own Via (WSS) in the answer');
    t.like(engine.staffEndpoints!(), [{ user: 'alice', kind: 'browser', source: 'wss', busy: false }]);
    ws.socket.close();
    t.true(await until(() => engine.staffEndpoints!().length === 0, 3000), 'the registration went with its socket');
  });

  signalling(kind)(`${kind}: an INVITE from an address that is not a trunk gets 403 and creates nothing`, async (t) => {
    t.timeout(20_000);
    const { logger, lines } = capturingLogger();
    const { engine, sipPort } = await box(t, kind, { logger });
    let incoming = 0;
    engine.on('incoming', () => { incoming++; });
    const r = await startSippUac({ scenario: 'uac-invite-expect-403.xml', address: '127.0.0.9', target: `127.0.0.1:${sipPort}`, calls: 1, timeoutSec: 10 }).stop(8000);
    t.is(r.exitCode, 0, r.errors);
    t.is(incoming, 0);
    t.is(engine.activeCalls(), 0);
    t.true(lines().some((l) => l.source === '127.0.0.9' && l.method === 'INVITE'), 'the refusal is logged with its source');
  });

  calls(kind)(`${kind}: a desk phone rung by dialStaff answers and is bridged to a called party: audio both ways`, async (t) => {
    t.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'vba-staff-contract-'));
    const { engine, sipPort } = await box(t, kind, { ranges: ['127.0.0.0/30'], withMedia: true });
    const desk = await startBaresip({ listen: '127.0.0.3', user: 'alice', source: toneWav(join(dir, 'tone-700.wav'), 700, 30), register: { registrar: `127.0.0.1:${sipPort}`, password: 'secret' } });
    t.teardown(() => desk.stop());
    const callee = await startBaresip({ source: toneWav(join(dir, 'tone-1300.wav'), 1300, 30) });
    t.teardown(() => callee.stop());
    t.true(await until(() => engine.staffEndpoints!().length === 1, 8000), desk.log().slice(-2000));
    const out = engine.dial({ to: callee.uri, from: 'box' });
    await answered(out, 10_000);
    const staff = engine.dialStaff!({ user: 'alice', display: 'Jane Doe' });
    await answered(staff, 10_000);
    t.true(engine.staffEndpoints!()[0]!.busy, 'the desk phone is busy while on the call');
    const bridge = out.bridge!(staff);
    await sleep(3000);
    bridge.unbridge();
    t.deepEqual(await bridge.done, { endedBy: 'unbridged' });
    t.is(out.state, 'answered', 'unbridged, both legs stay up');
    await Promise.all([out.hangup(), staff.hangup()]);
    t.false(engine.staffEndpoints!()[0]!.busy);
    await until(() => desk.receivedRecordings().length > 0 && callee.receivedRecordings().length > 0, 5000);
    await sleep(500);
    const deskHeard = toneShare(readPcm8k(desk.receivedRecordings()[0]!), 1300);
    const calleeHeard = toneShare(readPcm8k(callee.receivedRecordings()[0]!), 700);
    t.log(`${kind}: desk heard the callee in ${(deskHeard * 100).toFixed(0)}% of loud windows, the callee heard the desk in ${(calleeHeard * 100).toFixed(0)}%`);
    t.true(deskHeard > 0.5, `desk phone: ${deskHeard}`);
    t.true(calleeHeard > 0.5, `callee: ${calleeHeard}`);
  });

  calls(kind)(`${kind}: a caller ringing in from the trunk is answered and put through to the desk phone; the trunk leg hanging up ends the bridge, not the staff leg`, async (t) => {
    t.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'vba-staff-contract-'));
    const { engine, sipPort } = await box(t, kind, { ranges: ['127.0.0.0/30'], withMedia: true });
    const desk = await startBaresip({ listen: '127.0.0.3', user: 'alice', source: toneWav(join(dir, 'tone-700.wav'), 700, 30), register: { registrar: `127.0.0.1:${sipPort}`, password: 'secret' } });
    t.teardown(() => desk.stop());
    const caller = await startBaresip({ source: toneWav(join(dir, 'tone-1300.wav'), 1300, 30), keypad: true, user: '+15550004444' });
    t.teardown(() => caller.stop());
    t.true(await until(() => engine.staffEndpoints!().length === 1, 8000));
    const put = new Promise<{ incoming: Call; staff: Call; done: Promise<{ endedBy: string }> }>((resolve, reject) => {
      engine.once('incoming', (incoming) => {
        void (async () => {
          await incoming.answer();
          const staff = engine.dialStaff!({ user: 'alice', display: `caller …${incoming.from.slice(-4)}` });
          await answered(staff, 10_000);
          const b = incoming.bridge!(staff);
          resolve({ incoming, staff, done: b.done });
        })().catch(reject);
      });
    });
    await caller.dial(`sip:+15550001111@127.0.0.1:${sipPort}`);
    const { incoming, staff, done } = await put;
    t.like(incoming, { trunk: 'sipp', to: '+15550001111', from: '+15550004444' });
    await sleep(1500);
    await caller.sendDigits('5');
    t.truthy(await desk.waitForLog(/received event: '5'/, 3000), 'a key the caller pressed reached the desk phone');
    await sleep(1500);
    await incoming.hangup();
    t.deepEqual(await done, { endedBy: 'this' });
    await sleep(300);
    t.is(staff.state, 'answered', 'the staff leg stays up: what next is the domain\'s choice');
    await staff.hangup();
    await until(() => desk.receivedRecordings().length > 0 && caller.receivedRecordings().length > 0, 5000);
    await sleep(500);
    const deskHeard = toneShare(readPcm8k(desk.receivedRecordings()[0]!), 1300);
    const callerHeard = toneShare(readPcm8k(caller.receivedRecordings()[0]!), 700);
    t.log(`${kind}: desk heard the caller in ${(deskHeard * 100).toFixed(0)}%, the caller heard the desk in ${(callerHeard * 100).toFixed(0)}%`);
    t.true(deskHeard > 0.5, `desk phone: ${deskHeard}`);
    t.true(callerHeard > 0.5, `caller: ${callerHeard}`);
  });
}

// drachtio only: its `ws` contact is reachable on loopback by anything on the box, not just the relay.
signalling('drachtio')('drachtio: a REGISTER straight to drachtio-server\'s ws contact (not relayed, or with a forged signature) is refused; a softphone\'s INVITE through the relay too', async (t) => {
  t.timeout(20_000);
  // The LAN ranges take in loopback: a REGISTER over ws is still never taken for a desk phone's.
  const { engine } = await box(t, 'drachtio', { ranges: ['127.0.0.0/30'] });
  const direct = new WebSocket(drachtioOnly!.wsUrl, 'sip');
  t.teardown(() => direct.close());
  const got: string[] = [];
  direct.on('message', (d: Buffer) => got.push(d.toString('utf8')));
  await new Promise<void>((resolve, reject) => { direct.once('open', () => resolve()); direct.once('error', reject); });
  const answer = async (): Promise<string> => {
    t.true(await until(() => got.length > 0, 5000), 'drachtio-server answered');
    return got.shift() ?? '';
  };
  // Straight to drachtio-server the transport is plain ws, so the Via says WS (sofia-sip drops a WSS one unanswered).
  direct.send(wsRegister('alice', 'm4l').replace('SIP/2.0/WSS', 'SIP/2.0/WS'));
  t.regex(await answer(), /^SIP\/2\.0 403 /, 'unsigned');
  direct.send(wsRegister('alice', 'm4l').replace('SIP/2.0/WSS', 'SIP/2.0/WS').replace('Max-Forwards: 70', 'Max-Forwards: 70\r\nX-Box-Staff: ws-1.YWxpY2U.AAAA'));
  t.regex(await answer(), /^SIP\/2\.0 403 /, 'forged signature');
  t.deepEqual(engine.staffEndpoints!(), []);

  const ws = socketPair();
  engine.acceptStaffSocket!(ws.socket, 'alice');
  ws.send(wsRegister('alice', 'a1ice'));
  t.regex(await ws.next(/^SIP\/2\.0 \d+/, 5000), /^SIP\/2\.0 200 /);
  const id = randomUUID().slice(0, 8);
  ws.send([
    `INVITE sip:+15550001111@${REALM} SIP/2.0`,
    `Via: SIP/2.0/WSS ${id}.invalid;branch=z9hG4bK${id}`,
    'Max-Forwards: 70',
    `To: <sip:+15550001111@${REALM}>`,
    `From: <sip:alice@${REALM}>;tag=${id}`,
    `Call-ID: ${id}-inv`,
    'CSeq: 1 INVITE',
    `Contact: <sip:a1ice@${id}.invalid;transport=ws>`,
    'Content-Length: 0',
    '', '',
  ].join('\r\n'));
  const refused = await ws.next(/^SIP\/2\.0 [2-6]\d\d/, 5000);
  t.regex(refused, /^SIP\/2\.0 403 /, 'no calls out through the box');
  t.is(engine.activeCalls(), 0);
});

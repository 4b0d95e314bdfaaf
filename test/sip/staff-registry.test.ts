// Staff registrations as pure logic (issue 16): bounded expiry (423 below the minimum, shortened above
// the maximum), expiry on a fixed clock, removal, the socket's registrations going with it; digest
// nonces that go stale; the guard telling which trunk an address belongs to.
import test from 'ava';
import { createHash } from 'node:crypto';
import { silentLogger } from '../../core/log.ts';
import { DigestServer, readDigestAnswer } from '../../sip/shared/digest-server.ts';
import { TrunkGuard } from '../../sip/shared/guard.ts';
import { RefusalLog } from '../../sip/shared/refusal-log.ts';
import { StaffRegistry } from '../../sip/shared/staff-registry.ts';
import { StaffRegistrar } from '../../sip/embedded/staff-registrar.ts';
import type { SipHeaders, SipRequest } from '../../sip/embedded/sip-types.ts';
import { directory } from './staff-support.ts';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

function browserRegister(user: string, expires: number): SipRequest {
  return {
    method: 'REGISTER', uri: 'sip:box.invalid',
    headers: { to: { uri: `sip:${user}@box.invalid`, params: {} }, from: { uri: `sip:${user}@box.invalid`, params: { tag: 'x' } }, contact: [{ uri: 'sip:p@c.invalid;transport=ws', params: { expires: String(expires) } }] },
  };
}

function registrar(now: () => number) {
  const registry = new StaffRegistry({ now });
  const r = new StaffRegistrar({ registry, directory: directory({ alice: 'secret' }, ['10.0.0.0/8']), realm: 'box.test', refusals: new RefusalLog({ logger: silentLogger() }), logger: silentLogger() });
  const replies: Array<{ status: number; headers?: SipHeaders }> = [];
  const from = { kind: 'browser' as const, address: 'wss', source: 'wss', socketId: 's1', sessionUser: 'alice', reply: (status: number, _r: string, headers?: SipHeaders) => { replies.push({ status, headers }); } };
  return { registry, r, replies, from };
}

test('unit: expiry is bounded: 423 with Min-Expires below 60 s, shortened to an hour above, 0 removes', (t) => {
  let now = 0;
  const { registry, r, replies, from } = registrar(() => now);
  r.handle(browserRegister('alice', 30), from);
  t.like(replies.pop(), { status: 423, headers: { 'min-expires': '60' } });
  r.handle(browserRegister('alice', 86_400), from);
  const ok = replies.pop()!;
  t.is(ok.status, 200);
  t.deepEqual((ok.headers!.contact as Array<{ params: Record<string, string> }>)[0]!.params, { expires: '3600' });
  t.is(registry.list().length, 1);
  now = 3_599_000;
  t.is(registry.list().length, 1);
  now = 3_600_001;
  t.deepEqual(registry.list(), [], 'expired after the granted hour');
  r.handle(browserRegister('alice', 600), from);
  t.is(registry.list().length, 1);
  r.handle(browserRegister('alice', 0), from);
  t.deepEqual(registry.list(), []);
  registry.close();
});

test('unit: a browser registers only its session\'s user; its registrations go with its socket', (t) => {
  const { registry, r, replies, from } = registrar(() => 0);
  r.handle(browserRegister('bob', 600), from);
  t.is(replies.pop()!.status, 403);
  r.handle(browserRegister('alice', 600), from);
  t.is(replies.pop()!.status, 200);
  registry.dropSocket('s1');
  t.deepEqual(registry.list(), []);
  registry.close();
});

test('unit: digest answers are checked against HA1; a tampered nonce is bad, an old one stale', (t) => {
  let now = 1_000_000;
  const server = new DigestServer({ now: () => now, nonceTtlMs: 60_000 });
  const ha1 = md5('alice:box.test:secret');
  const ch = server.challenge('box.test');
  const nonce = ch.nonce!.slice(1, -1);
  const uri = 'sip:127.0.0.1';
  const response = md5(`${ha1}:${nonce}:00000001:abc:auth:${md5(`REGISTER:${uri}`)}`);
  const answer = readDigestAnswer({ scheme: 'Digest', username: '"alice"', realm: '"box.test"', nonce: `"${nonce}"`, uri: `"${uri}"`, response: `"${response}"`, qop: 'auth', nc: '00000001', cnonce: '"abc"' })!;
  t.is(server.verify(answer, 'REGISTER', 'box.test', ha1), 'ok');
  t.is(server.verify(answer, 'REGISTER', 'box.test', md5('alice:box.test:other')), 'bad');
  t.is(server.verify({ ...answer, nonce: `${nonce.split('.')[0]}.forged` }, 'REGISTER', 'box.test', ha1), 'bad');
  t.is(server.verify(answer, 'REGISTER', 'elsewhere', ha1), 'bad');
  now += 61_000;
  t.is(server.verify(answer, 'REGISTER', 'box.test', ha1), 'stale');
});

test('unit: the guard names the trunk an address belongs to; desk-phone ranges pass without being a trunk', (t) => {
  const g = new TrunkGuard({ action: 'reject', maxRepliesPerSecPerSource: 1, logger: silentLogger() });
  g.setSources('carrier', ['192.0.2.0/24']);
  g.setSources('gsm', ['198.51.100.7']);
  t.is(g.trunkOf('192.0.2.44'), 'carrier');
  t.is(g.trunkOf('::ffff:198.51.100.7'), 'gsm');
  t.is(g.trunkOf('10.1.2.3'), null);
  t.false(g.isAllowed('10.1.2.3'));
  g.allowAlso((a) => a.startsWith('10.'));
  t.true(g.isAllowed('10.1.2.3'));
  t.is(g.trunkOf('10.1.2.3'), null);
});

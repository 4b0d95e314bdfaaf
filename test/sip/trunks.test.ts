// Trunk manager: Request-URIs, channels (cps, GSM ports and cool-down), registration against a sipp
// registrar (digest, refresh, removal, backoff), OPTIONS health.
import test from 'ava';
import type { Logger } from '../../core/log.ts';
import type { TrunkStatus } from '../../core/call-port.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import { silentLogger } from '../../core/log.ts';
import { ChannelPool } from '../../sip/shared/channel-pool.ts';
import { type Clock } from '../../core/time.ts';
import { backoffDelay, refreshDelayMs } from '../../sip/shared/registration-timing.ts';
import { SipStack } from '../../sip/embedded/sip-stack.ts';
import { dialTarget } from '../../sip/shared/dial-plan.ts';
import { TrunkManager } from '../../sip/embedded/trunks.ts';
import { freePort, startSippUas } from '../peers/sipp.ts';
import { capturingLogger } from './staff-support.ts';

function trunk(over: Partial<TrunkProfile> = {}): TrunkProfile {
  return {
    name: 't1', kind: 'sip', enabled: true, host: '127.0.0.1', port: 5060, transport: 'udp', auth: 'ip',
    registerExpiresSec: 300, allowedSources: [], channels: 2, cps: 0, codecs: ['PCMU', 'PCMA'], dtmf: 'auto',
    optionsIntervalSec: 0, ...over,
  };
}

class FakeClock implements Clock {
  t = 1_000_000;
  slept: number[] = [];
  now(): number { return this.t; }
  async sleep(ms: number): Promise<void> { this.slept.push(ms); this.t += ms; }
}

test('Request-URI: E.164 with the dial prefix, or the plus kept, on the trunk address', (t) => {
  t.is(dialTarget(trunk({ dialPrefix: '00' }), '+33612345678').uri, 'sip:0033612345678@127.0.0.1:5060');
  t.is(dialTarget(trunk(), '+33612345678').uri, 'sip:33612345678@127.0.0.1:5060');
  t.is(dialTarget(trunk({ keepPlus: true, transport: 'tcp' }), '+1 (415) 555-0100').uri, 'sip:+14155550100@127.0.0.1:5060;transport=tcp');
  t.is(dialTarget(trunk(), '112').uri, 'sip:112@127.0.0.1:5060');
  t.throws(() => dialTarget(trunk(), 'sip:evil@example.com'), { message: /Not a dialable number/ });
});

test('Request-URI: a trunk domain goes in the URI and the trunk address becomes the next hop', (t) => {
  const d = dialTarget(trunk({ host: 'sbc.example.net', domain: 'voice.example.net', port: 5080 }), '+4930123456', '192.0.2.10');
  t.is(d.uri, 'sip:4930123456@voice.example.net');
  t.is(d.outboundProxy, 'sip:192.0.2.10:5080;lr');
});

test('channels: refused when all are in use, given back on release', async (t) => {
  const pool = new ChannelPool(trunk({ channels: 2 }), new FakeClock());
  const a = await pool.acquire();
  await pool.acquire();
  t.is(pool.inUse, 2);
  await t.throwsAsync(pool.acquire(), { message: /All 2 channels/ });
  a.release();
  a.release();
  t.is(pool.inUse, 1);
  await t.notThrowsAsync(pool.acquire());
});

test('channels: calls per second spread new calls out', async (t) => {
  const clock = new FakeClock();
  const pool = new ChannelPool(trunk({ channels: 10, cps: 4 }), clock);
  for (let i = 0; i < 5; i++) await pool.acquire();
  // Spaced a little over 1000/cps, so that five calls never fall within one second at the trunk.
  t.deepEqual(clock.slept.map(Math.round), [258, 258, 258, 258]);
  t.true(clock.slept.reduce((a, b) => a + b, 0) > 1000);
});

test('GSM gateway: calls spread over SIM ports, and a channel cools down after a call', async (t) => {
  const clock = new FakeClock();
  const gsm = trunk({ kind: 'gsm', channels: 4, gsm: { ports: 2, channelsPerPort: 2, coolDownMs: 5000 } });
  const pool = new ChannelPool(gsm, clock);
  t.is(pool.size, 4);
  const first = await pool.acquire();
  const second = await pool.acquire();
  t.not(first.port, second.port);
  first.release();
  second.release();
  // Two fresh channels are used before either cooling one.
  const c = await pool.acquire();
  const d = await pool.acquire();
  t.false([first.channel, second.channel].includes(c.channel));
  t.false([first.channel, second.channel].includes(d.channel));
  t.deepEqual(clock.slept, []);
  // The fifth call waits for a cool-down to end.
  const e = await pool.acquire();
  t.true([first.channel, second.channel].includes(e.channel));
  t.deepEqual(clock.slept, [5000]);
});

test('registration timing: refresh well before expiry, backoff doubles up to a cap', (t) => {
  t.is(refreshDelayMs(3600), 2_880_000);
  t.is(refreshDelayMs(60), 48_000);
  t.is(refreshDelayMs(2), 1000);
  const half = () => 0.5;
  t.deepEqual([1, 2, 3, 4, 10].map((n) => backoffDelay(n, 5000, 300_000, half)), [5000, 10_000, 20_000, 40_000, 300_000]);
});

async function withManager(t: import('ava').ExecutionContext, profile: TrunkProfile, extra: { pingTimeoutMs?: number; registrationBackoffMs?: number; logger?: Logger } = {}) {
  const stack = new SipStack({ bindAddress: '127.0.0.1', port: 0, transports: ['udp', 'tcp'], userAgent: 'vba-test', logger: silentLogger() });
  await stack.start();
  const manager = new TrunkManager({ stack, trunks: [profile], ...extra, logger: extra.logger ?? silentLogger() });
  const seen: TrunkStatus[] = [];
  manager.on('trunk', (s) => seen.push(s));
  t.teardown(async () => { await manager.stop(); await stack.stop(); });
  return { stack, manager, seen };
}

function waitFor(manager: TrunkManager, pred: (s: TrunkStatus) => boolean, ms = 8000): Promise<TrunkStatus> {
  return new Promise((resolve, reject) => {
    const now = manager.status().find(pred);
    if (now) return resolve(now);
    const timer = setTimeout(() => reject(new Error(`timeout; last: ${JSON.stringify(manager.status())}`)), ms);
    manager.on('trunk', (s) => { if (pred(s)) { clearTimeout(timer); resolve(s); } });
  });
}

test('registration: digest challenge, refresh before expiry, binding removed on stop', async (t) => {
  const sipp = await startSippUas({ scenario: 'uas-register.xml', calls: 1, keys: { auth_user: 'alice', auth_pass: 's3cret' }, timeoutSec: 20 });
  t.teardown(() => sipp.stop(0).then(() => {}));
  const profile = trunk({ port: sipp.port, auth: 'register', username: 'alice', password: 's3cret', registerExpiresSec: 2 });
  const { logger, lines } = capturingLogger();
  const { manager, seen } = await withManager(t, profile, { logger });
  await manager.start();
  const up = await waitFor(manager, (s) => s.registered === true);
  t.is(up.health, 'up');
  t.true(seen.some((s) => s.health === 'registering'));
  // The refresh is due after 1 s: wait for the registrar to grant it (a second "trunk registered"), not a
  // fixed 1.6 s, which a loaded machine may reach before the refresh has gone out and been answered.
  const registrations = (): number => lines().filter((l) => l.msg === 'trunk registered').length;
  for (let i = 0; i < 600 && registrations() < 2; i++) await new Promise((r) => setTimeout(r, 50));
  t.true(registrations() >= 2, 'the binding was refreshed');
  t.is(manager.status()[0]!.registered, true);
  await manager.stop();
  const r = await sipp.stop(3000);
  t.is(r.exitCode, 0, r.errors);
  t.is(r.stats?.successful, 1);
});

test('registration: a refusal marks the trunk down, and the retry after backoff registers it', async (t) => {
  const sipp = await startSippUas({ scenario: 'uas-register-fail.xml', calls: 1, timeoutSec: 20 });
  t.teardown(() => sipp.stop(0).then(() => {}));
  const profile = trunk({ port: sipp.port, auth: 'register', username: 'alice', password: 'x', registerExpiresSec: 60 });
  const { manager } = await withManager(t, profile, { registrationBackoffMs: 300 });
  await manager.start();
  const down = await waitFor(manager, (s) => s.health === 'down');
  t.is(down.registered, false);
  t.regex(down.lastError ?? '', /REGISTER: 403/);
  const up = await waitFor(manager, (s) => s.registered === true);
  t.is(up.lastError, null);
  await manager.stop();
  const r = await sipp.stop(3000);
  t.is(r.exitCode, 0, r.errors);
});

test('OPTIONS pings: an answering trunk is up with its round-trip time; a silent one is down', async (t) => {
  const sipp = await startSippUas({ scenario: 'uas-options.xml', calls: 1, timeoutSec: 20 });
  t.teardown(() => sipp.stop(0).then(() => {}));
  const { manager } = await withManager(t, trunk({ port: sipp.port, optionsIntervalSec: 60 }));
  await manager.start();
  const up = await waitFor(manager, (s) => s.health === 'up');
  t.is(typeof up.lastOptionsRttMs, 'number');
  t.is(up.registered, null);

  const dead = await freePort();
  const { manager: m2 } = await withManager(t, trunk({ name: 'dead', port: dead, optionsIntervalSec: 60 }), { pingTimeoutMs: 700 });
  await m2.start();
  const down = await waitFor(m2, (s) => s.health === 'down');
  t.is(down.lastError, 'OPTIONS: no response');
  t.is(down.lastOptionsRttMs, null);
  t.is((await sipp.stop(3000)).exitCode, 0);
});

test('a disabled trunk is paused and refuses calls; an unknown trunk is an error', async (t) => {
  const { manager } = await withManager(t, trunk({ enabled: false }));
  await manager.start();
  t.is(manager.status()[0]!.health, 'paused');
  await t.throwsAsync(manager.acquire('t1'), { message: /disabled/ });
  await t.throwsAsync(manager.acquire('nope'), { message: /No trunk named/ });
});

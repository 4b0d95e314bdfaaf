// Trunk guard: requests from non-trunk addresses (sipp on 127.0.0.2 as a scanner) never create a
// call and never reach the user agent; the trunk (127.0.0.1) itself cannot call in either.
import test, { type ExecutionContext } from 'ava';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../core/log.ts';
import { silentLogger } from '../../core/log.ts';
import { TrunkGuard } from '../../sip/shared/guard.ts';
import { SipStack } from '../../sip/embedded/sip-stack.ts';
import { UserAgent } from '../../sip/embedded/user-agent.ts';
import { startSippUac, type SippResult } from '../peers/sipp.ts';

function capturingLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { out.push(String(chunk)); cb(); } });
  return { logger: pino({ level: 'info' }, stream), lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

async function box(t: ExecutionContext, action: 'reject' | 'ignore', logger: Logger = silentLogger()) {
  const guard = new TrunkGuard({ action, maxRepliesPerSecPerSource: 5, logger });
  guard.setSources('trunk', ['127.0.0.1']);
  const stack = new SipStack({ bindAddress: '127.0.0.1', port: 0, transports: ['udp', 'tcp'], userAgent: 'vba-test', logger: silentLogger(), guard });
  await stack.start();
  const ua = new UserAgent({ stack, logger: silentLogger() });
  ua.start();
  t.teardown(async () => { await ua.stop(); await stack.stop(); });
  return { guard, stack, ua };
}

async function scan(scenario: string, from: string, port: number, transport: 'udp' | 'tcp' = 'udp'): Promise<SippResult> {
  const sipp = startSippUac({ scenario, address: from, target: `127.0.0.1:${port}`, calls: 1, transport, timeoutSec: 10 });
  return sipp.stop(8000);
}

test('unit: trunk addresses and CIDRs are allowed, IPv4-mapped addresses too; others are not', (t) => {
  const g = new TrunkGuard({ action: 'reject', maxRepliesPerSecPerSource: 1, logger: silentLogger() });
  g.setSources('a', ['192.0.2.10', '198.51.100.0/24', 'not-an-ip']);
  t.true(g.isAllowed('192.0.2.10'));
  t.true(g.isAllowed('::ffff:198.51.100.77'));
  t.false(g.isAllowed('192.0.2.11'));
  const release = g.allowPeer('203.0.113.5');
  t.true(g.isAllowed('203.0.113.5'));
  release();
  t.false(g.isAllowed('203.0.113.5'));
  g.removeSources('a');
  t.false(g.isAllowed('192.0.2.10'));
});

const FIRST = 'refused a SIP request (more from this source are counted and summed when the interval ends)';
const SUMMARY = 'refused SIP requests from a source (summary of the interval)';

test('unit: replies are rate-limited per source and each source is logged once per interval, then counted', (t) => {
  let now = 0;
  const { logger, lines } = capturingLogger();
  const g = new TrunkGuard({ action: 'reject', maxRepliesPerSecPerSource: 2, logger, now: () => now });
  const answered = [1, 2, 3, 4].map(() => g.blocked('203.0.113.9', 'OPTIONS'));
  t.deepEqual(answered, [true, true, false, false]);
  now = 1000;
  t.true(g.blocked('203.0.113.9', 'INVITE'));
  t.false(g.blocked('203.0.113.9', 'ACK'));
  t.true(g.blocked('203.0.113.10', 'REGISTER'));
  t.deepEqual(lines().filter((l) => l.msg === FIRST).map((l) => [l.source, l.reason]), [['203.0.113.9', 'not-a-trunk'], ['203.0.113.10', 'not-a-trunk']]);
  t.deepEqual(g.stats(), { blockedRequests: 7, replies: 4, sources: 2 });
  g.refusals.flush(); // the interval ends: one count for the source refused more than once
  t.deepEqual(lines().filter((l) => l.msg === SUMMARY).map((l) => [l.source, l.refused, l.methods]), [['203.0.113.9', 6, { OPTIONS: 4, INVITE: 1, ACK: 1 }]]);
});

for (const method of ['invite', 'register', 'options'] as const) {
  test(`a ${method.toUpperCase()} from a non-trunk address gets 403 and never reaches the user agent`, async (t) => {
    const { guard, stack, ua } = await box(t, 'reject');
    const r = await scan(`uac-${method}-expect-403.xml`, '127.0.0.2', stack.port);
    t.is(r.exitCode, 0, r.errors);
    t.is(ua.activeCalls(), 0);
    t.deepEqual(ua.stats(), { activeCalls: 0, refusedInvites: 0, refusedOther: 0 });
    t.true(guard.stats().blockedRequests >= 1);
  });
}

test('over TCP, a stranger\'s INVITE gets 403 and the connection is closed', async (t) => {
  const { guard, stack, ua } = await box(t, 'reject');
  const r = await scan('uac-invite-expect-403.xml', '127.0.0.2', stack.port, 'tcp');
  t.is(r.stats?.successful, 1, r.errors);
  t.is(ua.stats().refusedInvites, 0);
  t.is(guard.stats().sources, 1);
});

test('with action "ignore" strangers get no answer at all, and are logged once, then counted', async (t) => {
  const { logger, lines } = capturingLogger();
  const { guard, stack, ua } = await box(t, 'ignore', logger);
  const r = await scan('uac-options-expect-silence.xml', '127.0.0.2', stack.port);
  t.is(r.exitCode, 0, r.errors);
  t.true(guard.stats().blockedRequests >= 2, 'sipp retransmitted');
  t.is(guard.stats().replies, 0);
  t.is(lines().filter((l) => l.msg === FIRST).length, 1);
  t.is(ua.activeCalls(), 0);
  guard.refusals.flush();
  t.deepEqual(lines().filter((l) => l.msg === SUMMARY).map((l) => l.refused), [guard.stats().blockedRequests]);
});

test('an INVITE from the trunk itself is refused: the box is outbound-only', async (t) => {
  const { guard, stack, ua } = await box(t, 'reject');
  const r = await scan('uac-invite-expect-403.xml', '127.0.0.1', stack.port);
  t.is(r.exitCode, 0, r.errors);
  t.is(ua.stats().refusedInvites, 1);
  t.is(ua.activeCalls(), 0);
  t.is(guard.stats().blockedRequests, 0);
});

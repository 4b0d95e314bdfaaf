// The sandbox as a trunk, driven by sipp (an independent SIP implementation) over UDP and TCP.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxNetwork } from '../../sip/sandbox/network.ts';
import { invitesPerNumber, readSandboxLog } from '../../sip/sandbox/records.ts';
import { ended, numberWith, startNetwork } from './fixtures.ts';
import { receivedStatuses, runSipp } from './sipp.ts';

const dir = mkdtempSync(join(tmpdir(), 'sandbox-net-test-'));
const logFile = join(dir, 'sandbox.jsonl');
let net: SandboxNetwork;

test.before(async () => {
  net = await startNetwork({ logFile });
});
test.after.always(async () => {
  await net?.stop();
  rmSync(dir, { recursive: true, force: true });
});

for (const transport of ['udp', 'tcp'] as const) {
  test(`a listener answers 200 with SDP and takes our BYE (${transport})`, async (t) => {
    const number = numberWith(net, 'listener');
    const r = await runSipp('sandbox-answer.xml', { port: net.port, user: number.slice(1), transport });
    t.is(r.code, 0, r.stderr);
    t.deepEqual(receivedStatuses(r.messages).filter((s) => s !== 100), [180, 200, 200]);
    t.regex(r.messages, /m=audio \d+ RTP\/AVP 0 101/, 'PCMU answered with telephone-event');
    const rec = await ended(net, number);
    t.is(rec.behaviour, 'listener');
    t.is(rec.finalCode, 200);
    t.is(rec.endedBy, 'caller');
    t.is(rec.endReason, 'bye');
    t.is(rec.source.transport, transport);
    t.is(rec.source.address, '127.0.0.1');
    t.is(rec.codec, 'PCMU');
    t.true(rec.answeredMonoMs! >= rec.inviteMonoMs && rec.endedMonoMs! >= rec.answeredMonoMs!);
    t.true(rec.rtp.sent > 10, 'the simulated phone sent RTP');
  });
}

const rejections = [
  { behaviour: 'busy', code: 486, provisional: [] as number[], endedBy: 'callee' },
  { behaviour: 'invalid', code: 404, provisional: [] as number[], endedBy: 'network' },
  { behaviour: 'decline', code: 603, provisional: [180], endedBy: 'callee' },
] as const;

for (const x of rejections) {
  test(`a ${x.behaviour} number answers ${x.code}`, async (t) => {
    const number = numberWith(net, x.behaviour);
    const r = await runSipp('sandbox-reject.xml', { port: net.port, user: number.slice(1) });
    t.is(r.code, 0, r.stderr);
    t.deepEqual(receivedStatuses(r.messages).filter((s) => s !== 100), [...x.provisional, x.code]);
    t.regex(r.messages, /Reason: Q\.850;cause=\d+/);
    const rec = await ended(net, number);
    t.is(rec.finalCode, x.code);
    t.is(rec.endedBy, x.endedBy);
    t.is(rec.answeredMonoMs, null);
  });
}

test('a no-answer number rings until we CANCEL, then answers 487', async (t) => {
  const number = numberWith(net, 'no-answer');
  const r = await runSipp('sandbox-cancel.xml', { port: net.port, user: number.slice(1) });
  t.is(r.code, 0, r.stderr);
  t.deepEqual(receivedStatuses(r.messages).filter((s) => s !== 100), [180, 200, 487]);
  const rec = await ended(net, number);
  t.is(rec.finalCode, 487);
  t.is(rec.endedBy, 'caller');
  t.is(rec.endReason, 'cancel');
});

test('a Request-URI that is not a phone number gets 484', async (t) => {
  const r = await runSipp('sandbox-reject.xml', { port: net.port, user: 'reception' });
  t.is(r.code, 0, r.stderr);
  t.deepEqual(receivedStatuses(r.messages).filter((s) => s !== 100), [484]);
  t.true(net.calls().some((c) => c.requestUri.startsWith('sip:reception@') && c.finalCode === 484 && c.number === null));
});

test('dial prefixes are stripped: 00 + number is the same number as +number', async (t) => {
  const number = numberWith(net, 'busy', '+4420');
  const r = await runSipp('sandbox-reject.xml', { port: net.port, user: `00${number.slice(1)}` });
  t.is(r.code, 0, r.stderr);
  const rec = await ended(net, number);
  t.is(rec.finalCode, 486);
  t.is(rec.requestUri.split('@')[0], `sip:00${number.slice(1)}`);
});

test('a re-INVITE gets 200 with the same media', async (t) => {
  const number = numberWith(net, 'listener');
  const r = await runSipp('sandbox-reinvite.xml', { port: net.port, user: number.slice(1) });
  t.is(r.code, 0, r.stderr);
  const ports = [...r.messages.matchAll(/m=audio (\d+) RTP\/AVP 0 101/g)].map((m) => m[1]);
  t.is(ports.length, 2);
  t.is(ports[0], ports[1], 'same RTP port in the answer to the re-INVITE');
  const rec = await ended(net, number);
  t.is(rec.endReason, 'bye');
});

test('OPTIONS pings and REGISTER get 200 (a box pings and may register to its trunk)', async (t) => {
  const r = await runSipp('sandbox-ping.xml', { port: net.port });
  t.is(r.code, 0, r.stderr);
  t.deepEqual(receivedStatuses(r.messages), [200, 200]);
  t.regex(r.messages, /Allow: INVITE, ACK, BYE, CANCEL, OPTIONS/);
});

test('the JSON-lines log has one "invite" line when an INVITE arrives and one "end" line when it is over', async (t) => {
  const number = numberWith(net, 'busy', '+3314', (n) => net.behaviourOf(n, 2) === 'busy');
  const before = invitesPerNumber(logFile).get(number) ?? 0;
  t.is(before, 0);
  let inviteLogged = false;
  net.once('invite', (rec) => {
    // written before the sandbox answers, so a test can count INVITEs whatever happens next
    inviteLogged = readSandboxLog(logFile).some((l) => l.type === 'invite' && l.callId === rec.callId);
  });
  for (let i = 0; i < 2; i++) t.is((await runSipp('sandbox-reject.xml', { port: net.port, user: number.slice(1) })).code, 0);
  t.true(inviteLogged);
  t.is(invitesPerNumber(logFile).get(number), 2);
  const lines = readSandboxLog(logFile).filter((l) => l.number === number);
  t.deepEqual(lines.map((l) => [l.type, l.attempt]), [['invite', 1], ['end', 1], ['invite', 2], ['end', 2]]);
  const end = lines[1]!;
  t.is(end.finalCode, 486);
  t.is(typeof end.inviteWallMs, 'number');
  t.regex(end.inviteAt, /^\d{4}-\d\d-\d\dT/);
  t.is(end.source.address, '127.0.0.1');
  t.truthy(end.callId);
});

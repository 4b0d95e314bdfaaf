// The embedded user agent against sipp as the far end: answer, ringing, early media, busy, CANCEL,
// digest challenges, 503, a lost INVITE, BYE from the far end, re-INVITE/UPDATE, INFO DTMF, TCP.
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { outcomeForFailure, q850ForSip } from '../../core/call-port.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import { silentLogger } from '../../core/log.ts';
import { LocalSdp, parseRemoteSdp } from '../../sip/embedded/sdp.ts';
import { SipStack } from '../../sip/embedded/sip-stack.ts';
import { UserAgent } from '../../sip/embedded/user-agent.ts';
import type { OutgoingCall } from '../../sip/embedded/outgoing-call.ts';
import { startSippUas, type SippHandle } from '../peers/sipp.ts';

interface Setup {
  sipp: SippHandle;
  stack: SipStack;
  ua: UserAgent;
  uri: string;
  sdp: LocalSdp;
}

async function setup(
  t: ExecutionContext,
  scenario: string,
  o: { transport?: 'udp' | 'tcp'; args?: string[]; keys?: Record<string, string> } = {},
): Promise<Setup> {
  const transport = o.transport ?? 'udp';
  const sipp = await startSippUas({ scenario, calls: 1, transport, args: o.args, keys: o.keys, timeoutSec: 30 });
  const stack = new SipStack({ bindAddress: '127.0.0.1', port: 0, transports: ['udp', 'tcp'], userAgent: 'vba-test', logger: silentLogger() });
  await stack.start();
  const ua = new UserAgent({ stack, logger: silentLogger() });
  ua.start();
  t.teardown(async () => {
    await ua.stop(500);
    await stack.stop();
    await sipp.stop(0);
  });
  const uri = `sip:100@127.0.0.1:${sipp.port}${transport === 'tcp' ? ';transport=tcp' : ''}`;
  return { sipp, stack, ua, uri, sdp: new LocalSdp({ address: '127.0.0.1', port: 40000, codecs: ['PCMU', 'PCMA'] }) };
}

type Recorded = Array<{ event: string; data: unknown; at: number }>;

function record(call: OutgoingCall): Recorded {
  const events: Recorded = [];
  const start = Date.now();
  for (const e of ['provisional', 'answered', 'failed', 'bye', 'info', 'terminated'] as const) {
    call.on(e, (data: unknown) => events.push({ event: e, data, at: Date.now() - start }));
  }
  return events;
}

function names(events: Recorded): string[] {
  return events.map((e) => (e.event === 'provisional' ? `provisional:${(e.data as { status: number }).status}` : e.event));
}

function trunkWith(username: string, password: string): TrunkProfile {
  return {
    name: 'sipp', kind: 'sip', enabled: true, host: '127.0.0.1', port: 5060, transport: 'udp', auth: 'digest',
    username, password, registerExpiresSec: 300, allowedSources: [], channels: 10, cps: 10, codecs: ['PCMU', 'PCMA'],
    dtmf: 'auto', optionsIntervalSec: 0,
  };
}

async function sippOk(t: ExecutionContext, sipp: SippHandle): Promise<void> {
  const r = await sipp.stop(5000);
  t.is(r.exitCode, 0, `sipp failed: ${r.errors}`);
  t.is(r.stats?.successful, 1);
}

async function answeredThenHangUp(t: ExecutionContext, s: Setup, call: OutgoingCall): Promise<void> {
  const answered = await Promise.race([
    new Promise<boolean>((resolve) => call.once('answered', () => resolve(true))),
    call.done.then(() => false),
  ]);
  t.true(answered, `not answered: ${JSON.stringify(call.sipCode)}`);
  await call.bye();
  const end = await call.done;
  t.is(end.by, 'local');
  t.true(end.answered);
}

for (const transport of ['udp', 'tcp'] as const) {
  test(`${transport}: an answered call gets the far end's SDP and ends with our BYE`, async (t) => {
    const s = await setup(t, 'uas-answer.xml', { transport });
    const call = s.ua.invite({ uri: s.uri, fromUser: '200', sdpOffer: s.sdp.offer(), ringTimeoutMs: 15000 });
    const ev = record(call);
    const answered = new Promise<string>((r) => call.once('answered', (e) => r(e.sdp)));
    const remote = parseRemoteSdp(await answered, ['PCMU', 'PCMA']);
    t.like(remote, { address: '127.0.0.1', codec: 'PCMU', payloadType: 0, telephoneEventPt: 101, direction: 'sendrecv', hold: false });
    await call.bye();
    t.deepEqual(names(ev), ['answered', 'terminated']);
    t.is(call.sipCode, 200);
    await sippOk(t, s.sipp);
  });

  test(`${transport}: 486 busy fails with the Q.850 cause of its Reason header`, async (t) => {
    const s = await setup(t, 'uas-busy.xml', { transport });
    const call = s.ua.invite({ uri: s.uri, fromUser: '200', sdpOffer: s.sdp.offer(), ringTimeoutMs: 15000 });
    const failed = await new Promise<{ status: number; q850: number | null }>((r) => call.once('failed', r));
    t.is(failed.status, 486);
    t.is(failed.q850, 17);
    t.is(outcomeForFailure(failed.status, call.ringing, failed.q850), 'busy');
    await sippOk(t, s.sipp);
  });

  test(`${transport}: no answer before the ring timeout sends CANCEL and ends as 487`, async (t) => {
    const s = await setup(t, 'uas-ring-forever.xml', { transport });
    const call = s.ua.invite({ uri: s.uri, fromUser: '200', sdpOffer: s.sdp.offer(), ringTimeoutMs: 700 });
    const ev = record(call);
    const end = await call.done;
    t.deepEqual(names(ev), ['provisional:180', 'failed', 'terminated']);
    t.is(end.status, 487);
    t.true(ev[1]!.at >= 650, `ended after ${ev[1]!.at} ms`);
    t.is(outcomeForFailure(487, call.ringing, null), 'no-answer');
    await sippOk(t, s.sipp);
  });

  test(`${transport}: a 401 challenge is answered once with digest credentials`, async (t) => {
    const s = await setup(t, 'uas-auth-401.xml', { transport, keys: { auth_user: 'alice', auth_pass: 's3cret' } });
    const call = s.ua.invite({ uri: s.uri, fromUser: 'alice', trunk: trunkWith('alice', 's3cret'), sdpOffer: s.sdp.offer(), ringTimeoutMs: 15000 });
    await answeredThenHangUp(t, s, call);
    await sippOk(t, s.sipp);
  });

  test(`${transport}: the far end's re-INVITE (hold) and UPDATE (resume) are answered without dropping the call`, async (t) => {
    const s = await setup(t, 'uas-reinvite.xml', { transport });
    const call = s.ua.invite({ uri: s.uri, fromUser: '200', sdpOffer: s.sdp.offer(), ringTimeoutMs: 15000 });
    const holds: boolean[] = [];
    call.on('reoffer', (e) => {
      if (!e.sdp) { e.respond(null); return; }
      const { sdp, remote } = s.sdp.answer(e.sdp, 'PCMU');
      holds.push(remote.hold);
      e.respond(sdp);
    });
    const byes: Array<number | null> = [];
    call.on('bye', (e) => byes.push(e.q850));
    const end = await call.done;
    t.deepEqual(holds, [true, false]);
    t.is(end.by, 'remote');
    t.is(byes.length, 1);
    await sippOk(t, s.sipp); // sipp checked our recvonly / sendrecv answers
  });
}

test('180 then 200: ringing is reported before the answer', async (t) => {
  const s = await setup(t, 'uas-ring-answer.xml', { args: ['-d', '300'] });
  const call = s.ua.invite({ uri: s.uri, fromUser: '200', sdpOffer: s.sdp.offer(), ringTimeoutMs: 15000 });
  const ev = record(call);
  await answeredThenHangUp(t, s, call);
  t.deepEqual(names(ev), ['provisional:180', 'answered', 'terminated']);
  t.true(call.ringing);
  await sippOk(t, s.sipp);
});

test('183 with SDP is early media, then 200', async (t) => {
  const s = await setup(t, 'uas-early-media.xml', { args: ['-d', '300'] });
  const call = s.ua.invite({ uri: s.uri, fromUser: '200', sdpOffer: s.sdp.offer(), ringTimeoutMs: 15000 });
  const early = new Promise<{ status: number; sdp?: string }>((r) => call.once('provisional', r));
  const p = await early;
  t.is(p.status, 183);
  t.is(parseRemoteSdp(p.sdp ?? '', ['PCMU']).port > 0, true);
  await answeredThenHangUp(t, s, call);
  await sippOk(t, s.sipp);
});

test('407 proxy challenge is answered once with digest credentials', async (t) => {
  const s = await setup(t, 'uas-auth-407.xml', { keys: { auth_user: 'bob', auth_pass: 'pa55' } });
  const call = s.ua.invite({ uri: s.uri, fromUser: 'bob', trunk: trunkWith('bob', 'pa55'), sdpOffer: s.sdp.offer(), ringTimeoutMs: 15000 });
  await answeredThenHangUp(t, s, call);
  await sippOk(t, s.sipp);
});

test('wrong credentials: the far end refuses and the call fails without a second retry', async (t) => {
  const s = await setup(t, 'uas-auth-401.xml', { keys: { auth_user: 'alice', auth_pass: 's3cret' } });
  const call = s.ua.invite({ uri: s.uri, fromUser: 'alice', trunk: trunkWith('alice', 'wrong'), sdpOffer: s.sdp.offer(), ringTimeoutMs: 15000 });
  const end = await call.done;
  t.is(end.status, 403);
  t.is(outcomeForFailure(403, false, null), 'trunk-failure');
  await s.sipp.stop(2000);
});

test('503 from the trunk fails as a trunk failure with the Q.850 cause implied by the code', async (t) => {
  const s = await setup(t, 'uas-503.xml');
  const call = s.ua.invite({ uri: s.uri, fromUser: '200', sdpOffer: s.sdp.offer(), ringTimeoutMs: 15000 });
  const failed = await new Promise<{ status: number; q850: number | null; local: boolean }>((r) => call.once('failed', r));
  t.is(failed.status, 503);
  t.is(failed.q850, null);
  t.false(failed.local);
  t.is(q850ForSip(503), 41);
  t.is(outcomeForFailure(503, false, null), 'trunk-failure');
  await sippOk(t, s.sipp);
});

test('a lost INVITE is recovered by its retransmission', async (t) => {
  const s = await setup(t, 'uas-drop-first.xml', { args: ['-nr'] });
  const call = s.ua.invite({ uri: s.uri, fromUser: '200', sdpOffer: s.sdp.offer(), ringTimeoutMs: 15000 });
  const ev = record(call);
  await answeredThenHangUp(t, s, call);
  t.true(ev[0]!.at >= 450, `answered after ${ev[0]!.at} ms: the retransmission (T1 = 500 ms) was answered`);
  await sippOk(t, s.sipp);
});

test('BYE from the far end ends the call with its Q.850 cause', async (t) => {
  const s = await setup(t, 'uas-bye-after.xml', { args: ['-d', '500'] });
  const call = s.ua.invite({ uri: s.uri, fromUser: '200', sdpOffer: s.sdp.offer(), ringTimeoutMs: 15000 });
  const bye = await new Promise<{ q850: number | null }>((r) => call.once('bye', r));
  t.is(bye.q850, 16);
  const end = await call.done;
  t.is(end.by, 'remote');
  t.is(s.ua.activeCalls(), 0);
  await sippOk(t, s.sipp);
});

test('DTMF by SIP INFO (dtmf-relay and dtmf) is reported digit by digit', async (t) => {
  const s = await setup(t, 'uas-info-dtmf.xml');
  const call = s.ua.invite({ uri: s.uri, fromUser: '200', sdpOffer: s.sdp.offer(), ringTimeoutMs: 15000 });
  const digits: string[] = [];
  await new Promise<void>((resolve) => call.on('info', (e) => { digits.push(e.digit); if (digits.length === 3) resolve(); }));
  t.deepEqual(digits, ['5', '#', '*']);
  await call.bye();
  await sippOk(t, s.sipp);
});

test('a 200 repeated after our ACK (the ACK was lost) is acknowledged again', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipp-msg-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const log = path.join(dir, 'messages.log');
  const s = await setup(t, 'uas-double-200.xml', { args: ['-nr', '-trace_msg', '-message_file', log] });
  const call = s.ua.invite({ uri: s.uri, fromUser: '200', sdpOffer: s.sdp.offer(), ringTimeoutMs: 15000 });
  const end = await call.done;
  t.is(end.by, 'remote'); // sipp hangs up only after the second ACK
  await sippOk(t, s.sipp);
  const acks = (fs.readFileSync(log, 'utf8').match(/^ACK sip:/gm) ?? []).length;
  t.is(acks, 2);
});

test('a 200 that crosses our CANCEL is acknowledged and hung up', async (t) => {
  const s = await setup(t, 'uas-answer-crosses-cancel.xml');
  const call = s.ua.invite({ uri: s.uri, fromUser: '200', sdpOffer: s.sdp.offer(), ringTimeoutMs: 400 });
  const ev = record(call);
  const end = await call.done;
  t.is(end.status, 487);
  t.false(end.answered);
  t.false(names(ev).includes('answered'));
  await sippOk(t, s.sipp); // sipp saw the ACK and our BYE
});

test('the NAT address learned from received/rport goes into our later Contact', async (t) => {
  const s = await setup(t, 'uas-nat.xml');
  const call = s.ua.invite({ uri: s.uri, fromUser: '200', sdpOffer: s.sdp.offer(), ringTimeoutMs: 15000 });
  call.on('reoffer', (e) => e.respond(s.sdp.answer(e.sdp).sdp));
  await call.done;
  t.deepEqual(s.stack.learnedAddress('127.0.0.1', 'udp'), { address: '203.0.113.7', port: 40000 });
  t.is(s.stack.contactUri('u', { host: '127.0.0.1', transport: 'udp' }), 'sip:u@203.0.113.7:40000');
  await sippOk(t, s.sipp); // sipp checked the Contact of our answer to its re-INVITE
});

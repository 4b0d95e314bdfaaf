// Calls coming in from a configured trunk (issue 16), with sipp as the trunk calling the box: the
// engine emits 'incoming', the domain answers and collects keys like on an outgoing call; with no
// listener the trunk gets 480; a non-trunk address (sipp on 127.0.0.2) still gets 403 and no call.
import test from 'ava';
import type { IncomingCall } from '../../core/call-port.ts';
import { startSippUac } from '../peers/sipp.ts';
import { staffEngine } from './staff-support.ts';

function trunkCalls(scenario: string, from: string, port: number) {
  return startSippUac({ scenario, address: from, target: `127.0.0.1:${port}`, calls: 1, timeoutSec: 15, args: ['-s', '+15550002222', '-mi', '127.0.0.1'] });
}

test('a call in from the trunk is offered to the domain, answered, takes a key, and ends when the box hangs up', async (t) => {
  const engine = await staffEngine(t);
  const offered: IncomingCall[] = [];
  let digits = '';
  engine.on('incoming', (call) => {
    offered.push(call);
    void (async () => {
      await call.answer();
      digits = await call.collect({ max: 1, timeoutMs: 5000 });
      await call.hangup('done');
    })();
  });
  const r = await trunkCalls('trunk-call-in.xml', '127.0.0.1', engine.sipPort).stop(12_000);
  t.is(r.exitCode, 0, r.errors);
  t.is(offered.length, 1);
  const call = offered[0]!;
  t.like(call, { from: '+15550002222', to: '+15550001111', trunk: 'sipp' });
  t.is(digits, '4');
  const ended = await call.done;
  t.like(ended, { outcome: 'human', endedBy: 'local' });
  t.true(ended.durations.talkMs > 0);
  t.is(engine.activeCalls(), 0);
});

test('a call in that the domain refuses gets its status', async (t) => {
  const engine = await staffEngine(t);
  engine.on('incoming', (call) => { void call.reject(480); });
  const r = await trunkCalls('trunk-call-in-expect-480.xml', '127.0.0.1', engine.sipPort).stop(10_000);
  t.is(r.exitCode, 0, r.errors);
});

test('a caller who gives up before the answer (CANCEL) gets 487 and the call ends as not answered', async (t) => {
  const engine = await staffEngine(t);
  const offered: IncomingCall[] = [];
  engine.on('incoming', (call) => { offered.push(call); }); // the domain is still deciding
  const r = await trunkCalls('trunk-call-in-cancel.xml', '127.0.0.1', engine.sipPort).stop(10_000);
  t.is(r.exitCode, 0, r.errors);
  t.like(await offered[0]!.done, { outcome: 'no-answer', sipCode: 487, endedBy: 'remote' });
  t.is(engine.activeCalls(), 0);
});

test('a call in that the domain neither answers nor refuses in time gets 480', async (t) => {
  const engine = await staffEngine(t, { incomingAnswerTimeoutMs: 500 });
  const offered: IncomingCall[] = [];
  engine.on('incoming', (call) => { offered.push(call); });
  const r = await trunkCalls('trunk-call-in-expect-480.xml', '127.0.0.1', engine.sipPort).stop(10_000);
  t.is(r.exitCode, 0, r.errors);
  t.like(await offered[0]!.done, { outcome: 'no-answer', sipCode: 480, endedBy: 'local' });
});

test('with no listener for calls coming in, the trunk gets 480', async (t) => {
  const engine = await staffEngine(t);
  const r = await trunkCalls('trunk-call-in-expect-480.xml', '127.0.0.1', engine.sipPort).stop(10_000);
  t.is(r.exitCode, 0, r.errors);
  t.is(engine.activeCalls(), 0);
});

test('an INVITE from a non-trunk address gets 403 and nothing is offered', async (t) => {
  const engine = await staffEngine(t);
  let offered = 0;
  engine.on('incoming', () => { offered++; });
  const r = await startSippUac({ scenario: 'uac-invite-expect-403.xml', address: '127.0.0.2', target: `127.0.0.1:${engine.sipPort}`, calls: 1, timeoutSec: 10 }).stop(8000);
  t.is(r.exitCode, 0, r.errors);
  t.is(offered, 0);
  t.is(engine.internals!.guard.stats().blockedRequests > 0, true);
});

test('a desk phone calling out through the box is refused (no relay)', async (t) => {
  const engine = await staffEngine(t, { ranges: ['127.0.0.3/32'] });
  let offered = 0;
  engine.on('incoming', () => { offered++; });
  const r = await startSippUac({ scenario: 'uac-invite-expect-403.xml', address: '127.0.0.3', target: `127.0.0.1:${engine.sipPort}`, calls: 1, timeoutSec: 10 }).stop(8000);
  t.is(r.exitCode, 0, r.errors);
  t.is(offered, 0);
  t.is(engine.internals!.guard.stats().blockedRequests, 0, 'past the guard (a LAN desk phone), refused by the user agent');
  t.is(engine.internals!.ua.stats().refusedInvites, 1);
});

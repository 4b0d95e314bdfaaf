// Ringing staff and bridging (issue 16), with baresip as the office's desk phone (registered from the
// LAN range) and another baresip as the person the box called: each plays its own tone, and after
// the bridge each one's recording holds the other's tone. Nobody registered: the staff call ends 480.
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Call, StaffEndpoint } from '../../core/call-port.ts';
import { readPcm8k, toneShare, toneWav } from '../peers/audio.ts';
import { startBaresip } from '../peers/baresip.ts';
import { answered, sleep, staffEngine, until } from './staff-support.ts';

test('a desk phone is rung by dialStaff, answers, and is bridged to a called party: audio both ways', async (t) => {
  t.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'vba-bridge-'));
  // baresip signals from 127.0.0.3 but sends its RTP from 127.0.0.1: media is taken from the LAN range.
  const engine = await staffEngine(t, { ranges: ['127.0.0.0/30'] });
  const staffEvents: StaffEndpoint[][] = [];
  engine.on('staff', (l) => staffEvents.push(l));
  const desk = await startBaresip({ listen: '127.0.0.3', user: 'alice', source: toneWav(join(dir, 'tone-700.wav'), 700, 30), register: { registrar: `127.0.0.1:${engine.sipPort}`, password: 'secret' } });
  t.teardown(() => desk.stop());
  const callee = await startBaresip({ source: toneWav(join(dir, 'tone-1300.wav'), 1300, 30) });
  t.teardown(() => callee.stop());
  t.true(await until(() => engine.staffEndpoints().length === 1, 30_000), desk.log().slice(-2000));

  const out = engine.dial({ to: callee.uri, from: 'box' });
  await answered(out, 10_000);
  const staff = engine.dialStaff({ user: 'alice', display: 'Jane Doe' });
  await answered(staff, 10_000);
  t.true(engine.staffEndpoints()[0]!.busy, 'the desk phone is busy while on the call');
  const bridge = out.bridge!(staff);
  await sleep(3000);
  bridge.unbridge();
  t.deepEqual(await bridge.done, { endedBy: 'unbridged' });
  await Promise.all([out.hangup(), staff.hangup()]);
  t.false(engine.staffEndpoints()[0]!.busy);
  t.true(staffEvents.some((l) => l[0]?.busy === true), "'staff' reported the busy endpoint");

  // baresip closes its files when the call ends: wait until their WAV headers say so, not a fixed time
  const deskHeard = toneShare(readPcm8k((await desk.closedRecordings())[0]!), 1300);
  const calleeHeard = toneShare(readPcm8k((await callee.closedRecordings())[0]!), 700);
  t.log(`desk phone heard the callee's 1300 Hz in ${(deskHeard * 100).toFixed(0)}% of its loud windows; the callee heard the desk's 700 Hz in ${(calleeHeard * 100).toFixed(0)}%`);
  t.true(deskHeard > 0.5, `desk phone: ${deskHeard}`);
  t.true(calleeHeard > 0.5, `callee: ${calleeHeard}`);
});

test('with two desk phones for one user, both ring, the first to answer takes it and the other is let go', async (t) => {
  t.timeout(60_000);
  const engine = await staffEngine(t);
  const registrar = { registrar: `127.0.0.1:${engine.sipPort}`, password: 'secret' };
  const a = await startBaresip({ listen: '127.0.0.3', user: 'alice', register: registrar });
  t.teardown(() => a.stop());
  const b = await startBaresip({ listen: '127.0.0.3', user: 'alice', register: registrar });
  t.teardown(() => b.stop());
  t.true(await until(() => engine.staffEndpoints().length === 2, 30_000));
  const staff = engine.dialStaff({ user: 'alice', display: 'Jane Doe' });
  await answered(staff, 10_000);
  // Both auto-answer: the later one is hung up ('answered elsewhere'), or cancelled if it was slower.
  // Waited for (a loaded machine may take seconds to deliver the BYE or CANCEL), then checked as it stays.
  const closed = (): number => [a, b].filter((p) => /session closed/.test(p.log())).length;
  await until(() => closed() >= 1, 20_000);
  t.is(engine.staffEndpoints().filter((e) => e.busy).length, 1, 'one endpoint took the call');
  // A phone never rung has nothing to be let go from (RingTogether): what each phone logged goes with a failure
  const tails = (): string => [a, b].map((p, i) => `phone ${i + 1}:\n${p.log().split('\n').slice(-25).join('\n')}`).join('\n');
  t.is(closed(), 1, closed() === 1 ? 'the endpoint that lost the race was let go' : `the endpoint that lost the race was let go\n${tails()}`);
  await staff.hangup();
  t.is(engine.activeCalls(), 0);
});

test('ringing a user with no endpoint registered ends at once with 480', async (t) => {
  const engine = await staffEngine(t);
  const staff = engine.dialStaff({ user: 'alice', display: 'Jane Doe' });
  const ended = await staff.done;
  t.like(ended, { outcome: 'no-answer', sipCode: 480 });
});

test('a caller ringing in from the trunk is answered and put through to the desk phone: audio both ways, keys passed on', async (t) => {
  t.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'vba-bridge-'));
  const engine = await staffEngine(t, { ranges: ['127.0.0.0/30'] });
  const desk = await startBaresip({ listen: '127.0.0.3', user: 'alice', source: toneWav(join(dir, 'tone-700.wav'), 700, 30), register: { registrar: `127.0.0.1:${engine.sipPort}`, password: 'secret' } });
  t.teardown(() => desk.stop());
  // The caller comes through the trunk: the trunk's address is 127.0.0.1.
  const caller = await startBaresip({ source: toneWav(join(dir, 'tone-1300.wav'), 1300, 30), keypad: true, user: '+15550004444' });
  t.teardown(() => caller.stop());
  t.true(await until(() => engine.staffEndpoints().length === 1, 30_000));
  const put = new Promise<{ incoming: Call; staff: Call }>((resolve, reject) => {
    engine.once('incoming', (incoming) => {
      void (async () => {
        await incoming.answer();
        const staff = engine.dialStaff({ user: 'alice', display: `caller …${incoming.from.slice(-4)}` });
        await answered(staff, 10_000);
        incoming.bridge!(staff);
        resolve({ incoming, staff });
      })().catch(reject);
    });
  });
  await caller.dial(`sip:+15550001111@127.0.0.1:${engine.sipPort}`);
  const { incoming, staff } = await put;
  t.like(incoming, { trunk: 'sipp', to: '+15550001111' });
  await sleep(1500);
  // A key the caller presses reaches the desk phone as an RFC 4733 event through the bridge.
  await caller.sendDigits('5');
  t.truthy(await desk.waitForLog(/received event: '5'/, 3000));
  await sleep(1500);
  await Promise.all([incoming.hangup(), staff.hangup()]);
  const deskHeard = toneShare(readPcm8k((await desk.closedRecordings())[0]!), 1300);
  const callerHeard = toneShare(readPcm8k((await caller.closedRecordings())[0]!), 700);
  t.log(`desk phone heard the caller in ${(deskHeard * 100).toFixed(0)}% of its loud windows; the caller heard the desk in ${(callerHeard * 100).toFixed(0)}%`);
  t.true(deskHeard > 0.5, `desk phone: ${deskHeard}`);
  t.true(callerHeard > 0.5, `caller: ${callerHeard}`);
});

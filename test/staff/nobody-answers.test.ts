// Issue 16, must-show 5, with real peers: nobody waits in silence. A flow transfers a callee (baresip, on
// the box's trunk) to a staff group whose only member's desk phone (another baresip, registered from the LAN
// range) rings and is never picked up. The callee hears the box's hold music while it rings; when the wait
// runs out the ringing stops and the fallback step's prompt (a 1000 Hz tone here) reaches the callee within
// 1 s, measured in what the callee recorded; the callee presses 1 and the callback is booked in the slot.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Flow } from '../../appliance/flows/model.ts';
import { runFlowCall } from '../../appliance/flows/runner.ts';
import { trunkDefaults } from '../../core/trunk-defaults.ts';
import { readPcm8k, tonePrompt } from '../peers/audio.ts';
import { startBaresip } from '../peers/baresip.ts';
import { freePort } from '../peers/sipp.ts';
import { answered, sleep, until } from '../sip/staff-support.ts';
import { deskPhone, staffUser } from './desk-phone.ts';
import { startTestBox } from '../support/appliance.ts';

const WAIT_MS = 5000;

/** Where a tone of `hz` is first heard: the start (ms) of the first 100 ms window mostly that tone. */
function onsetMs(pcm: Int16Array, hz: number): number | null {
  const n = 800;
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / 8000);
  for (let at = 0; at + n <= pcm.length; at += n / 4) {
    let s1 = 0;
    let s2 = 0;
    let energy = 0;
    for (let i = at; i < at + n; i++) {
      const s = pcm[i]! + coeff * s1 - s2;
      s2 = s1;
      s1 = s;
      energy += pcm[i]! * pcm[i]!;
    }
    if (energy / n > 1e4 && (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (energy * n / 2) > 0.6) return (at / 8000) * 1000;
  }
  return null;
}

test('nobody answers the transfer: the callee hears hold music, then the fallback within 1 s of the wait running out, and books a callback', async (t) => {
  t.timeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), 'vba-nobody-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const callee = await startBaresip({ keypad: true });
  t.teardown(() => callee.stop());
  const sipPort = await freePort();
  const box = await startTestBox({
    settings: (s) => {
      s.sip.port = sipPort;
      s.trunks.push(trunkDefaults({ name: 'office', host: '127.0.0.1', port: Number(/:(\d+)$/.exec(callee.uri)![1]), allowedSources: ['127.0.0.1'], optionsIntervalSec: 0 }));
      s.defaultTrunk = 'office';
      s.staff.deskPhoneRanges = ['127.0.0.3/32'];
    },
  });
  t.teardown(() => box.stop());
  await staffUser(t, box, 'alice');
  t.is((await box.api.send('PUT', '/api/staff/settings', { staff: { groups: [{ name: 'office', members: ['alice'], strategy: 'ring-all' }] } })).status, 200);
  // Alice's desk phone is registered and rings, but nobody is at the desk.
  const desk = await deskPhone(t, box, 'alice', sipPort, { answer: 'manual' });

  const sorry = tonePrompt(dir, 'sorry', 2000, 1000);
  const flow: Flow = {
    steps: [
      { id: 'agent', verb: 'transfer', to: 'office', waitMs: WAIT_MS, whisper: false, noAnswer: 'later' },
      { id: 'later', verb: 'callback', name: 'callback', prompt: { recording: 'sorry' }, options: [{ key: '1', dayOffset: 1, from: '09:00', to: '12:00', label: 'tomorrow-morning' }], timeoutMs: 8000, tries: 1 },
    ],
  } as Flow;
  const now = Date.now();
  const tomorrow9 = now + 24 * 3600_000;
  const call = box.app.engine.dial({ to: callee.uri, from: '+33142000001', trunk: 'office', ringTimeoutMs: 10_000 });
  const ran = runFlowCall(call, flow, {
    prompt: () => sorry,
    now: () => Date.now(),
    slot: () => ({ at: tomorrow9, until: tomorrow9 + 3 * 3600_000 }),
    recordFile: () => null,
    transfer: (c, req) => box.app.transfers.transfer(c, req, { actor: 'campaign:1', campaignId: 1, name: 'Ann Smith', number: '+33612345678', source: 'test', callerId: '+33142000001', trunk: 'office' }),
  }, { amd: false });
  await answered(call, 15_000);
  t.true(await until(() => /Incoming call|ringing|INVITE/i.test(desk.log()), 5000), 'the desk phone rang');
  // After the wait and the fallback's 2 s prompt, the callee picks tomorrow morning.
  await sleep(WAIT_MS + 2600);
  await callee.sendDigits('1');
  const { flow: r } = await ran;

  t.is(r?.transfer?.outcome, 'no-answer');
  t.truthy(r?.callback, 'a callback is booked');
  t.is(r?.callback?.at, tomorrow9);
  // baresip closes its recording when the call ends: wait until its WAV header says so, not a fixed time
  const heard = readPcm8k((await callee.closedRecordings())[0]!);
  const onset = onsetMs(heard, 1000);
  t.not(onset, null, 'the callee heard the fallback');
  // Before it, the hold music (never the fallback's tone), not silence.
  const before = heard.subarray(0, Math.round(((onset ?? 0) / 1000) * 8000));
  const loud = Array.from({ length: Math.floor(before.length / 800) }, (_, i) => before.subarray(i * 800, i * 800 + 800)).filter((w) => w.reduce((a, x) => a + x * x, 0) / 800 > 1e4).length;
  t.log(`the fallback reached the callee ${((onset ?? 0) - WAIT_MS).toFixed(0)} ms after the ${WAIT_MS} ms wait ran out; hold music in ${loud} of ${Math.floor(before.length / 800)} windows before it`);
  t.true(onset! - WAIT_MS <= 1000, `fallback heard at ${onset} ms`);
  t.true(onset! >= WAIT_MS - 200, `not before the wait ran out (${onset} ms)`);
  t.true(loud > (WAIT_MS / 100) * 0.5, 'hold music while it rang');
});

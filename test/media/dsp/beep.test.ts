// Beep detection across the pitches and lengths voicemail boxes use, and the "start the message now"
// decision: right after the beep, after the greeting when there is none, restarted for a late beep.
import test from 'ava';
import { AnsweringMachineDetector } from '../../../media/dsp/amd.ts';
import { VoicemailDrop, type DropDecision } from '../../../media/dsp/beep-drop.ts';
import { BeepDetector, type BeepEvent } from '../../../media/dsp/beep.ts';
import { decodeG711, encodeG711 } from '../../../media/dsp/g711.ts';
import { frames, loadTestSubset } from '../../corpus/load.ts';

const RATE = 8000;

/** Seeded line noise plus sections of tone or buzz, through G.711 mu-law. */
function line(totalMs: number, parts: Array<{ fromMs: number; toMs: number; hz?: number; amp: number }>, seed = 1): Int16Array {
  const n = (totalMs * RATE) / 1000;
  const out = new Int16Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    let v = ((s / 2 ** 32) * 2 - 1) * 60;
    const ms = (i * 1000) / RATE;
    for (const p of parts) {
      if (ms < p.fromMs || ms >= p.toMs) continue;
      // Speech-like buzz when no pitch is given: a pulse train with a resonance is not a sine.
      v += p.hz ? p.amp * Math.sin((2 * Math.PI * p.hz * i) / RATE) : (i % 57 < 3 ? p.amp : 0) * Math.cos(i * 0.55) * Math.exp(-(i % 57) / 9);
    }
    out[i] = Math.max(-32768, Math.min(32767, Math.round(v)));
  }
  return decodeG711('pcmu', encodeG711('pcmu', out));
}

function beeps(samples: Int16Array): BeepEvent[] {
  const d = new BeepDetector();
  const out: BeepEvent[] = [];
  for (const f of frames(samples)) {
    const e = d.push(f);
    if (e) out.push(e);
  }
  return out;
}

for (const hz of [425, 440, 600, 850, 1000, 1400, 1800, 2000]) {
  for (const ms of [100, 150, 400, 1000, 1500]) {
    test(`a ${hz} Hz beep of ${ms} ms is found once, with its end to within 25 ms`, (t) => {
      const start = 1013;
      const found = beeps(line(start + ms + 1500, [{ fromMs: start, toMs: start + ms, hz, amp: 4000 }], hz + ms));
      t.is(found.length, 1, JSON.stringify(found));
      const b = found[0];
      if (!b) return;
      t.true(Math.abs(b.beepEndMs - (start + ms)) <= 25, `end ${b.beepEndMs} vs ${start + ms}`);
      t.true(Math.abs(b.hz - hz) <= hz * 0.02, `pitch ${b.hz}`);
    });
  }
}

test('a quiet beep in line noise is still found', (t) => {
  const found = beeps(line(3000, [{ fromMs: 1000, toMs: 1300, hz: 1000, amp: 500 }]));
  t.is(found.length, 1);
});

test('blips, dial tone and speech are not beeps', (t) => {
  t.deepEqual(beeps(line(2000, [{ fromMs: 500, toMs: 550, hz: 1000, amp: 4000 }])), [], 'a 50 ms blip');
  t.deepEqual(beeps(line(7000, [{ fromMs: 0, toMs: 7000, hz: 425, amp: 4000 }])), [], 'a continuous tone');
  t.deepEqual(beeps(line(3000, [{ fromMs: 300, toMs: 2500, amp: 6000 }])), [], 'a buzz');
});

test('no beep is heard in people answering (test corpus), and every voicemail beep is', async (t) => {
  const { manifest, samples } = await loadTestSubset();
  for (const c of manifest.cases) {
    const found = beeps(samples.get(c.id) as Int16Array);
    if (!c.beep) {
      t.deepEqual(found, [], `${c.id} (${c.label}, no beep)`);
      continue;
    }
    t.is(found.length, 1, `${c.id}: ${JSON.stringify(found)}`);
    t.true(Math.abs((found[0]?.beepEndMs ?? 0) - c.beep.endMs) <= 25, `${c.id}: end ${found[0]?.beepEndMs} vs ${c.beep.endMs}`);
  }
});

/** Run a call: AMD until its verdict, the voicemail drop armed on "machine"; returns the last drop decision. */
function call(samples: Int16Array): { machine: boolean; decisions: DropDecision[] } {
  const amd = new AnsweringMachineDetector();
  const drop = new VoicemailDrop();
  const decisions: DropDecision[] = [];
  let machine = false;
  let decided = false;
  for (const f of frames(samples)) {
    const d = drop.push(f);
    if (d) decisions.push(d);
    if (!decided) {
      const v = amd.push(f);
      if (v) {
        decided = true;
        machine = v.verdict === 'machine';
        if (machine) {
          const now = drop.arm();
          if (now) decisions.push(now);
        }
      }
    }
  }
  return { machine, decisions };
}

test('the voicemail message starts within a second after the beep ends (test corpus)', async (t) => {
  const { manifest, samples } = await loadTestSubset();
  for (const c of manifest.cases.filter((x) => x.label === 'machine')) {
    const { machine, decisions } = call(samples.get(c.id) as Int16Array);
    t.true(machine, `${c.id} judged a machine`);
    const last = decisions[decisions.length - 1];
    t.truthy(last, `${c.id}: message started`);
    if (!last) continue;
    if (c.beep) {
      const delay = last.atMs - c.beep.endMs;
      t.true(delay >= 0 && delay <= 1000, `${c.id}: started ${delay} ms after the beep (${last.reason})`);
    } else {
      const delay = last.atMs - c.speechEndMs;
      t.true(delay >= 0 && delay <= 2000, `${c.id}: started ${delay} ms after the greeting (${last.reason})`);
    }
  }
});

test('without a beep the message starts after the greeting; a late beep restarts it', (t) => {
  const greeting = [{ fromMs: 300, toMs: 3500, amp: 6000 }];
  const noBeep = new VoicemailDrop();
  const quiet = line(8000, greeting);
  let first: DropDecision | null = null;
  let i = 0;
  for (const f of frames(quiet)) {
    const d = noBeep.push(f);
    if (++i === 100) t.is(noBeep.arm(), null, 'armed mid-greeting: nothing yet');
    if (d && !first) first = d;
  }
  t.is(first?.reason, 'greeting-ended');
  t.true((first?.atMs ?? 0) >= 3500 + 1000 && (first?.atMs ?? 0) <= 3500 + 1500, `started at ${first?.atMs}`);

  const late = new VoicemailDrop();
  const audio = line(9000, [...greeting, { fromMs: 5400, toMs: 5800, hz: 1000, amp: 4000 }]);
  const seen: DropDecision[] = [];
  i = 0;
  for (const f of frames(audio)) {
    if (++i === 100) late.arm();
    const d = late.push(f);
    if (d) seen.push(d);
  }
  t.deepEqual(seen.map((d) => `${d.action}:${d.reason}`), ['start:greeting-ended', 'restart:late-beep']);
  t.true(Math.abs((seen[1]?.atMs ?? 0) - 5800) <= 40, `restarted at ${seen[1]?.atMs}`);
});

test('with no greeting end and no beep, the timeout starts the message', (t) => {
  const drop = new VoicemailDrop({ beepTimeoutMs: 3000 });
  const music = line(8000, [{ fromMs: 0, toMs: 8000, amp: 6000 }]);
  let d: DropDecision | null = null;
  let i = 0;
  for (const f of frames(music)) {
    if (++i === 10) drop.arm();
    d = drop.push(f) ?? d;
  }
  t.is(d?.reason, 'timeout');
  // Armed before the 10th frame was pushed, i.e. at 180 ms of audio.
  t.is(d?.atMs, 180 + 3000);
});

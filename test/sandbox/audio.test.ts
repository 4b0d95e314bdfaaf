// The sandbox's voices need no system tool: this file runs with a PATH that holds none of ffmpeg, sox or
// espeak-ng (as on a bare Debian machine), and checks that what the callers' answering-machine detection
// hears from the sandbox is classified as before: people as people, voicemail greetings as machines,
// and every beep heard as a beep.
import test from 'ava';
import { mkdtempSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnsweringMachineDetector } from '../../media/dsp/amd.ts';
import { BeepDetector } from '../../media/dsp/beep.ts';
import { VoicemailDrop } from '../../media/dsp/beep-drop.ts';
import { decodeG711 } from '../../media/dsp/g711.ts';
import { detectTools } from '../../media/prompts/tools.ts';
import { ensureSandboxAudio, loadSandboxAudio, SPEECH_DEFS, VOICES_DIR, type Clip } from '../../sip/sandbox/audio.ts';

const root = mkdtempSync(join(tmpdir(), 'sandbox-audio-test-'));
// Nothing on PATH: a spawn of any tool would fail with ENOENT.
const emptyBin = mkdtempSync(join(tmpdir(), 'sandbox-audio-nobin-'));
process.env.PATH = emptyBin;
test.after.always(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(emptyBin, { recursive: true, force: true });
});

function rms(pcm: Int16Array): number {
  let s = 0;
  for (const v of pcm) s += v * v;
  return Math.sqrt(s / pcm.length);
}

test('the voices ship with the box: greetings, utterances and beeps in both G.711 laws, with no audio tool on PATH', async (t) => {
  t.true(detectTools().every((x) => !x.present), 'no tool reachable in this test');
  const dir = join(root, 'a');
  const clips = await ensureSandboxAudio(dir);
  const kinds = (k: string) => clips.filter((c) => c.kind === k);
  t.true(kinds('utterance').some((c) => c.text === 'Hello?'));
  t.true(kinds('utterance').some((c) => c.text === 'Allô oui ?'));
  t.true(kinds('greeting').filter((c) => c.lang === 'en').length >= 3);
  t.true(kinds('greeting').filter((c) => c.lang === 'fr').length >= 3);
  t.true(kinds('beep').length >= 3);
  t.true(kinds('answer').filter((c) => c.lang === 'en').length >= 2 && kinds('answer').filter((c) => c.lang === 'fr').length >= 2, 'spoken answers for flows\' record steps');
  const greetingMs = kinds('greeting').map((c) => c.ms).sort((a, b) => a - b);
  t.true(greetingMs[0]! < 4000 && greetingMs.at(-1)! > 8000, `greetings of several lengths: ${greetingMs.join(', ')}`);
  for (const c of clips) {
    // headerless 8 kHz G.711: one byte per sample
    t.true(Math.abs(statSync(join(dir, `${c.id}.pcmu`)).size - c.ms * 8) < 8, c.id);
    t.true(Math.abs(statSync(join(dir, `${c.id}.pcma`)).size - c.ms * 8) < 8, c.id);
  }
  const audio = await loadSandboxAudio(dir);
  const hello = audio.utterances.find((c) => c.text === 'Hello?')!;
  t.true(hello.ms > 200 && hello.ms < 1500, `"Hello?" lasts ${hello.ms} ms`);
  t.true(rms(decodeG711('pcmu', hello.pcmu)) > 1000, 'speech at a telephone level');
  t.true(Math.abs(rms(decodeG711('pcma', hello.pcma)) - rms(decodeG711('pcmu', hello.pcmu))) < 300, 'both laws carry the same audio');
  // What ships in the repository stays small (about 370 kB of greetings and hellos, 100 kB of spoken answers for flows).
  const shipped = SPEECH_DEFS.reduce((n, d) => n + statSync(join(VOICES_DIR, `${d.id}.ulaw`)).size, 0);
  t.true(shipped < 500_000, `committed voices: ${shipped} bytes`);
  t.deepEqual(readdirSync(VOICES_DIR).filter((f) => f.endsWith('.ulaw')).sort(), SPEECH_DEFS.map((d) => `${d.id}.ulaw`).sort(), 'one file per definition, none stale');
});

/** 20 ms frames of `ms` of silence (G.711 idle noise level), then the clip, then `afterMs` of silence. */
function* call(clipPcm: Int16Array[], leadMs: number, afterMs: number): Generator<Int16Array> {
  const parts: Int16Array[] = [new Int16Array(leadMs * 8), ...clipPcm, new Int16Array(afterMs * 8)];
  const all = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  for (let i = 0; i + 160 <= all.length; i += 160) yield all.subarray(i, i + 160);
}

/** What the box's caller side decides: the verdict, and for a machine when its voicemail message starts. */
function amdOn(frames: Iterable<Int16Array>): { verdict: string; messageAtMs: number | null } {
  const amd = new AnsweringMachineDetector();
  const drop = new VoicemailDrop({ beepTimeoutMs: amd.options.beepTimeoutMs });
  let verdict = 'none';
  let messageAtMs: number | null = null;
  for (const f of frames) {
    const d = drop.push(f);
    if (d) messageAtMs = d.atMs;
    if (verdict !== 'none') continue;
    const v = amd.push(f);
    if (!v) continue;
    verdict = `${v.verdict}:${v.reason}`;
    if (v.verdict === 'machine') messageAtMs = drop.arm()?.atMs ?? messageAtMs;
  }
  return { verdict, messageAtMs };
}

test('the box\'s answering-machine detection hears the sandbox as it should: people are people, greetings machines, beeps beeps', async (t) => {
  const audio = await loadSandboxAudio(join(root, 'amd'));
  const pcm = (c: Clip) => decodeG711('pcmu', c.pcmu);
  for (const c of audio.utterances) {
    // Said after 200-700 ms (plan.ts), then the person listens in silence.
    for (const lead of [200, 700]) t.regex(amdOn(call([pcm(c)], lead, 4000)).verdict, /^human:/, `${c.id} after ${lead} ms`);
  }
  // A voicemail: greeting after 100-600 ms, a 200-900 ms pause, a beep (plan.ts); the message must start after the beep.
  for (const g of audio.greetings) {
    for (const b of audio.beeps) {
      for (const gap of [200, 900]) {
        const beepEnd = 300 + g.ms + gap + b.ms;
        const r = amdOn(call([pcm(g), new Int16Array(gap * 8), pcm(b)], 300, 3000));
        t.regex(r.verdict, /^machine:/, `${g.id} + ${b.id}`);
        t.true(r.messageAtMs !== null && r.messageAtMs >= beepEnd - 20 && r.messageAtMs <= beepEnd + 1000, `${g.id} + ${b.id}: message at ${r.messageAtMs} ms, beep ends at ${beepEnd} ms`);
      }
    }
  }
  for (const b of audio.beeps) {
    for (const law of ['pcmu', 'pcma'] as const) {
      const det = new BeepDetector();
      let heard = false;
      for (const f of call([decodeG711(law, law === 'pcmu' ? b.pcmu : b.pcma)], 500, 500)) if (det.push(f)) heard = true;
      t.true(heard, `${b.id} (${law}) is detected as a beep`);
    }
  }
});

test('a folder\'s clips are reused; a damaged one is rewritten', async (t) => {
  const dir = join(root, 'b');
  await ensureSandboxAudio(dir);
  const manifest = join(dir, 'manifest.json');
  const before = statSync(manifest).mtimeMs;
  await ensureSandboxAudio(dir);
  t.is(statSync(manifest).mtimeMs, before, 'not rewritten');
  unlinkSync(join(dir, 'beep-1000-500.pcma'));
  const clips = await ensureSandboxAudio(dir);
  t.true(clips.every((c) => statSync(join(dir, `${c.id}.pcma`)).size > 0));
});

test('several processes starting at once share one folder', async (t) => {
  // Several rounds: the race this guards against (one process moving in its folder while another checks)
  // happens only some of the time.
  for (let round = 0; round < 5; round++) {
    const dir = join(root, `c${round}`);
    const all = await Promise.all(Array.from({ length: 6 }, () => ensureSandboxAudio(dir)));
    for (const one of all) t.deepEqual(one.map((c) => c.id), all[0]!.map((c) => c.id));
    const loaded = await Promise.all([loadSandboxAudio(dir), loadSandboxAudio(dir)]);
    t.true(loaded[1]!.utterances.length > 0 && loaded[1]!.utterances.every((c) => c.pcmu.length > 0));
  }
  t.deepEqual(readdirSync(root).filter((f) => /^c\d\.(tmp|old)-/.test(f)), [], 'no temporary folders left');
});

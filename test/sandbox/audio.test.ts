import test from 'ava';
import { mkdtempSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeG711 } from '../../media/dsp/g711.ts';
import { ensureSandboxAudio, loadSandboxAudio } from '../../sip/sandbox/audio.ts';

const root = mkdtempSync(join(tmpdir(), 'sandbox-audio-test-'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));

function rms(pcm: Int16Array): number {
  let s = 0;
  for (const v of pcm) s += v * v;
  return Math.sqrt(s / pcm.length);
}

test('audio is generated once with espeak-ng and sox: greetings, utterances and beeps in both G.711 laws', async (t) => {
  const dir = join(root, 'a');
  const clips = await ensureSandboxAudio(dir);
  const kinds = (k: string) => clips.filter((c) => c.kind === k);
  t.true(kinds('utterance').some((c) => c.text === 'Hello?'));
  t.true(kinds('utterance').some((c) => c.text === 'Allô oui ?'));
  t.true(kinds('greeting').filter((c) => c.lang === 'en').length >= 3);
  t.true(kinds('greeting').filter((c) => c.lang === 'fr').length >= 3);
  t.true(kinds('beep').length >= 3);
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
  const total = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  t.true(total < 2_000_000, `small: ${total} bytes`);
});

test('cached audio is reused; a damaged cache is regenerated', async (t) => {
  const dir = join(root, 'b');
  await ensureSandboxAudio(dir);
  const manifest = join(dir, 'manifest.json');
  const before = statSync(manifest).mtimeMs;
  await ensureSandboxAudio(dir);
  t.is(statSync(manifest).mtimeMs, before, 'not regenerated');
  unlinkSync(join(dir, 'beep-1000-500.pcma'));
  const clips = await ensureSandboxAudio(dir);
  t.true(clips.every((c) => statSync(join(dir, `${c.id}.pcma`)).size > 0));
});

test('several processes starting at once share one cache folder', async (t) => {
  const dir = join(root, 'c');
  const all = await Promise.all([ensureSandboxAudio(dir), ensureSandboxAudio(dir), ensureSandboxAudio(dir)]);
  t.deepEqual(all[0]!.map((c) => c.id), all[2]!.map((c) => c.id));
  t.deepEqual(readdirSync(root).filter((f) => f.startsWith('c.tmp-')), [], 'no temporary folders left');
});

// Must-show 5 of issue 15: a spoken answer recorded from a real peer. baresip answers and speaks (its
// audio file source: a short silence, a sentence, then silence); the flow asks, records until the callee
// is silent, and keeps the answer as a WAV file: whole, holding what was said, ended by the silence.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Flow } from '../../appliance/flows/model.ts';
import { runFlowCall } from '../../appliance/flows/runner.ts';
import { importRecording } from '../../media/prompts/import.ts';
import { startBaresip } from '../peers/baresip.ts';
import { bestNormalisedXcorr, readPcm8k } from '../peers/audio.ts';
import { spokenCallee } from './spoken-callee.ts';
import { loopbackEngine } from '../support/engine.ts';

test('a spoken answer from baresip is recorded, ended by silence, and kept as a file', async (t) => {
  t.timeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), 'vba-flow-rec-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { source, speech, speechMs } = spokenCallee(dir, 'I would like to move my appointment to Monday morning, please.');

  const peer = await startBaresip({ source });
  t.teardown(() => peer.stop());
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', join(dir, 'ask.wav'), 'synth', '0.5', 'sine', '700', 'vol', '0.5']);
  const ask = (await importRecording(join(dir, 'ask.wav'), { libraryDir: join(dir, 'lib'), name: 'ask' })).prompt;

  const flow: Flow = {
    version: 1,
    steps: [
      { id: 'comment', verb: 'record', name: 'comment', prompt: { recording: 'ask' }, maxMs: 15_000, silenceMs: 1500, endKeys: '#', next: 'bye' },
      { id: 'bye', verb: 'hangup' },
    ],
  };
  const engine = await loopbackEngine(t, { rtpPorts: 10 });
  const call = engine.dial({ to: peer.uri, from: 'flows', ringTimeoutMs: 10_000 });
  const file = join(dir, 'answers', 'a1-comment.wav');
  mkdirSync(join(dir, 'answers'));
  const r = await runFlowCall(call, flow, {
    prompt: () => ask, optOutKey: '9', now: () => Date.now(), slot: () => null, recordFile: () => file,
  }, { amd: false });
  t.is(r.outcome, 'human');
  t.deepEqual(r.flow?.path, ['comment', 'bye']);
  t.true(existsSync(file), 'the spoken answer is kept');
  t.false(existsSync(`${file}.part`), 'no half-written file is left');
  const kept = readPcm8k(file);
  const keptMs = (kept.length / 8000) * 1000;
  const rec = r.flow!.recordings[0]!;
  t.is(rec.name, 'comment');
  t.is(Math.round(rec.ms), Math.round(keptMs));
  t.log(`speech ${Math.round(speechMs)} ms, recording ${Math.round(keptMs)} ms`);
  // From the end of the question (the callee's 1.5 s lead-in is partly heard) to 1.5 s of silence after the speech.
  t.true(keptMs >= speechMs + 1000, 'the whole sentence and the silence that ended it');
  t.true(keptMs <= speechMs + 1500 + 1500 + 1000, 'ended by the silence, long before the 15 s bound');
  const match = bestNormalisedXcorr(kept, speech.subarray(0, 8000));
  t.true(match.score > 0.5, `the recording holds what was said (correlation ${match.score.toFixed(2)})`);
});

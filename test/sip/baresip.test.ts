// baresip as an independent user agent answers our call and records what it hears: the recording
// matches the prompt we played (normalised cross-correlation after G.711), in both laws.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeG711 } from '../../media/dsp/g711.ts';
import { bestNormalisedXcorr, readPcm8k } from '../peers/audio.ts';
import { startBaresip } from '../peers/baresip.ts';
import { loopbackEngine } from '../support/engine.ts';

for (const codec of ['PCMU', 'PCMA'] as const) {
  test(`baresip hears the prompt we play (${codec})`, async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vba-bs-'));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const pcm = new Int16Array(12000);
    for (let i = 0; i < pcm.length; i++) {
      const f = 300 + (i / pcm.length) * 900;
      pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * f * i) / 8000) + 3000 * Math.sin((2 * Math.PI * 2.3 * f * i) / 8000));
    }
    const prompt = { id: 'bs', pcmu: path.join(dir, 'p.pcmu'), pcma: path.join(dir, 'p.pcma') };
    fs.writeFileSync(prompt.pcmu, encodeG711('pcmu', pcm));
    fs.writeFileSync(prompt.pcma, encodeG711('pcma', pcm));

    const peer = await startBaresip({ codecs: codec });
    t.teardown(() => peer.stop());
    const engine = await loopbackEngine(t);

    const call = engine.dial({ to: peer.uri, from: 'test', ringTimeoutMs: 10_000 });
    await new Promise<void>((r) => call.once('answered', () => r()));
    const played = await call.play(prompt);
    t.true(played.completed);
    await new Promise((r) => setTimeout(r, 300));
    await call.hangup();
    t.like(await call.done, { outcome: 'human', sipCode: 200, endedBy: 'local' });
    await peer.stop(); // baresip finishes its recording file on exit
    const [recording] = peer.receivedRecordings();
    t.truthy(recording, peer.log().slice(-2000));
    const { score } = bestNormalisedXcorr(readPcm8k(recording!), pcm);
    t.true(score >= 0.9, `correlation ${score.toFixed(4)}`);
  });
}

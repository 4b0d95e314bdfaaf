// 1,000 calls, 100 at a time, through the embedded engine against one sipp UAS (answer, RTP echo):
// every call is answered, plays its prompt to the end and hangs up; sipp counts zero failed calls.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeG711 } from '../../media/dsp/g711.ts';
import { startSippUas } from '../peers/sipp.ts';
import { loopbackEngine } from '../support/engine.ts';

const CALLS = 1000;
const CONCURRENT = 100;

test('1,000 calls at 100 concurrent: zero failed calls', async (t) => {
  t.timeout(90_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vba-load-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const pcm = new Int16Array(1600).map((_, i) => Math.round(6000 * Math.sin(i / 3)));
  const prompt = { id: 'load', pcmu: path.join(dir, 'p.pcmu'), pcma: path.join(dir, 'p.pcma') };
  fs.writeFileSync(prompt.pcmu, encodeG711('pcmu', pcm));
  fs.writeFileSync(prompt.pcma, encodeG711('pcma', pcm));

  // On a loaded machine our ACK can reach sipp after it has sent its 200 again, and every 200 gets its
  // ACK (RFC 3261, 13.2.2.4): the second ACK can come while sipp waits for the BYE or after it. sipp
  // would abort the call on it; `-abortunexp` off makes it go on, and the test checks below that
  // nothing but such ACKs was unexpected.
  const sipp = await startSippUas({
    scenario: 'uas-answer.xml', calls: CALLS, timeoutSec: 80,
    args: ['-mi', '127.0.0.1', '-mp', 'auto', '-rtp_echo', '-default_behaviors', 'all,-abortunexp'],
  });
  t.teardown(() => sipp.stop(0).then(() => {}));
  const engine = await loopbackEngine(t, { rtpPorts: 1000 });

  const outcomes = new Map<string, number>();
  let next = 0;
  let played = 0;
  let peak = 0;
  const worker = async (): Promise<void> => {
    while (next < CALLS) {
      next++;
      const call = engine.dial({ to: `sip:load@127.0.0.1:${sipp.port}`, from: 'load', ringTimeoutMs: 20_000 });
      peak = Math.max(peak, engine.activeCalls());
      call.once('answered', () => {
        void call.play(prompt).then((r) => { if (r.completed) played++; return call.hangup(); });
      });
      const end = await call.done;
      const key = `${end.outcome}/${end.sipCode}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT }, worker));
  t.deepEqual(Object.fromEntries(outcomes), { 'human/200': CALLS });
  t.is(played, CALLS);
  t.is(peak, CONCURRENT);
  t.is(engine.activeCalls(), 0);
  const r = await sipp.stop(10_000);
  t.is(r.stats?.failed, 0, r.errors.slice(0, 2000));
  const unexpected = [...r.errors.matchAll(/Continuing call on unexpected message .*?, received '(\S+)/g)].map((m) => m[1]);
  t.deepEqual(unexpected.filter((method) => method !== 'ACK'), [], r.errors.slice(0, 2000));
  t.is(r.stats?.successful, CALLS);
  t.is(r.exitCode, 0);
});

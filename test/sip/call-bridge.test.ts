// Call.bridge on the embedded engine (issue 16) with real far ends, beyond audio both ways (staff-bridge):
// a key sent by SIP INFO on one call reaches the other as an RFC 4733 event; a key typed on either side
// passes; a far end that holds and resumes is heard again after; the hang-up of either side ends the bridge
// (which side is reported) and leaves the other call up, with its talk time recorded.
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPcm8k, toneShare, toneWav } from '../peers/audio.ts';
import { startBaresip } from '../peers/baresip.ts';
import { startSippUas } from '../peers/sipp.ts';
import { answered, sleep, staffEngine } from './staff-support.ts';

test('a key the far end sends by SIP INFO reaches the bridged call as RFC 4733; its BYE ends the bridge as "this" and the other call stays up', async (t) => {
  t.timeout(60_000);
  const sipp = await startSippUas({ scenario: 'uas-info-then-bye.xml', calls: 1, timeoutSec: 30, args: ['-mp', 'auto', '-mi', '127.0.0.1'] });
  t.teardown(() => sipp.stop(0).then(() => {}));
  const engine = await staffEngine(t, { trunkPort: sipp.port });
  const other = await startBaresip({});
  t.teardown(() => other.stop());
  const a = engine.dial({ to: '+33612345678', from: '+33100000000' });
  const b = engine.dial({ to: other.uri, from: 'box' });
  await Promise.all([answered(a, 10_000), answered(b, 10_000)]);
  const bridge = a.bridge!(b);
  t.truthy(await other.waitForLog(/received event: '5'/, 6000), 'the INFO key came out as an RFC 4733 event');
  t.deepEqual(await bridge.done, { endedBy: 'this' });
  const ended = await a.done;
  t.like(ended, { outcome: 'human', endedBy: 'remote' });
  t.true(ended.durations.talkMs >= 3000, `talk time ${ended.durations.talkMs} ms`);
  t.is(b.state, 'answered', 'the other call is still up after the bridge');
  await b.hangup();
  t.is((await sipp.stop(3000)).exitCode, 0);
});

test('keys pass both ways, a far end that holds and resumes is heard again after, and the other side hanging up ends the bridge as "other"', async (t) => {
  t.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'vba-bridge-'));
  const engine = await staffEngine(t);
  const holder = await startBaresip({ keypad: true, source: toneWav(join(dir, 'tone-700.wav'), 700, 30) });
  t.teardown(() => holder.stop());
  const talker = await startBaresip({ keypad: true, source: toneWav(join(dir, 'tone-1300.wav'), 1300, 30) });
  t.teardown(() => talker.stop());
  const a = engine.dial({ to: holder.uri, from: 'box' });
  const b = engine.dial({ to: talker.uri, from: 'box' });
  await Promise.all([answered(a, 10_000), answered(b, 10_000)]);
  // the holder's RTP session on the box (the first one made: its call was dialled first)
  const holderLeg = engine.internals!.media.activeSessions()[0]!;
  const bridge = a.bridge!(b);
  await sleep(1000);
  await holder.sendDigits('4');
  t.truthy(await talker.waitForLog(/received event: '4'/, 3000));
  await talker.sendDigits('6');
  t.truthy(await holder.waitForLog(/received event: '6'/, 3000));
  await holder.hold();
  await sleep(500);
  const held = holderLeg.stats().packetsSent;
  await sleep(1500);
  const sentOnHold = holderLeg.stats().packetsSent - held;
  await holder.resume();
  await sleep(500);
  const resumed = holderLeg.stats().packetsSent;
  await sleep(2000);
  const sentAfter = holderLeg.stats().packetsSent - resumed;
  t.log(`to the holder: ${sentOnHold} packets in 1.5 s on hold, ${sentAfter} in 2 s after the resume`);
  t.true(sentOnHold <= 2, 'nothing is sent to a far end that holds');
  t.true(sentAfter >= 90, 'the bridged audio flows to it again after the resume');
  t.is(a.state, 'answered');
  await talker.hangup();
  t.deepEqual(await bridge.done, { endedBy: 'other' });
  t.is(a.state, 'answered', 'the call whose other side hung up stays up');
  await a.hangup();
  // baresip closes its files when the call ends: wait until their WAV headers say so, not a fixed time
  // (baresip stops recording what it receives at its own hold, so the holder's ears are checked on the box)
  const recs = await talker.closedRecordings();
  t.true(recs.length > 0);
  const pcm = readPcm8k(recs[recs.length - 1]!);
  const tail = pcm.subarray(Math.max(0, pcm.length - 8000 * 2));
  const heard = toneShare(tail, 700);
  t.log(`in its last 2 s, after the resume, the talker heard the holder's 700 Hz in ${(heard * 100).toFixed(0)}% of the loud windows`);
  t.true(heard > 0.5, `talker after the resume: ${heard}`);
});

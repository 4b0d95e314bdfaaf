// Call-progress analysis through the embedded engine, with sipp as the far end. A dead number answered
// the way trunks and GSM gateways do it: 183 with SDP and, in early media, a Special Information Tone
// and an announcement (never answered); or 183 then 200 OK and the same after the answer. Both end
// 'invalid-number' with what was heard, never as a person or a machine. An in-band busy tone in early
// media ends 'busy'.
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { CallEnded, InbandSignal } from '../../core/call-port.ts';
import { cadencedTone, sitSpec, sitTones } from '../../media/dsp/call-progress.ts';
import { readPcm8k } from '../peers/audio.ts';
import { startSippUas } from '../peers/sipp.ts';
import { loopbackEngine } from '../support/engine.ts';
import { pcapOf, tempDir } from './amd-callee.ts';

const silence = (ms: number): Int16Array => new Int16Array(ms * 8);

function join(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** SIT (intercept) at about -20 dBm0, then the operator's announcement (espeak-ng). */
function deadNumber(t: ExecutionContext): Int16Array {
  const wav = path.join(tempDir(t, 'vba-sit-'), 'announcement.wav');
  execFileSync('espeak-ng', ['-w', wav, 'The number you have dialled is not in service. Please check the number and try again.']);
  const words = readPcm8k(wav);
  return join(silence(200), sitTones(sitSpec('intercept'), 2500), silence(250), words, silence(500));
}

async function dial(t: ExecutionContext, scenario: string, audio: Int16Array) {
  const sipp = await startSippUas({ scenario, calls: 1, timeoutSec: 40, files: { 'stream.pcap': pcapOf(audio) }, args: ['-mi', '127.0.0.1', '-mp', 'auto'] });
  t.teardown(() => sipp.stop(0).then(() => {}));
  const engine = await loopbackEngine(t);
  const call = engine.dial({ to: `sip:callee@127.0.0.1:${sipp.port}`, from: 'test', ringTimeoutMs: 20_000, amd: true });
  const heard: InbandSignal[] = [];
  const seen: string[] = [];
  call.on('inband', (s) => heard.push(s));
  call.on('answered', () => seen.push('answered'));
  call.on('amd', (v) => seen.push(`amd:${v.verdict}`));
  const started = Date.now();
  const ended: CallEnded = await call.done;
  return { ended, heard, seen, ms: Date.now() - started, sipp };
}

test('a SIT and announcement in early media (183, never answered) end the attempt as invalid-number, cancelled', async (t) => {
  const r = await dial(t, 'uas-183-sit-cancel.xml', deadNumber(t));
  t.is(r.ended.outcome, 'invalid-number');
  t.like(r.ended.inband, { kind: 'sit', variant: 'intercept', outcome: 'invalid-number', phase: 'early-media' });
  t.is(r.ended.sipCode, 183);
  t.is(r.ended.endedBy, 'local');
  t.regex(r.ended.reason ?? '', /SIT \(intercept\) heard in early media/);
  t.deepEqual(r.seen, [], 'never answered, no AMD verdict');
  t.is(r.heard.length, 1);
  // Recognised at the third tone's end (about 1.3 s into the early media), not after the 20 s ring
  // timeout. Counted in early-media audio heard, not wall time: a loaded machine delays the packets, not
  // the point in the audio where the tone is recognised.
  t.log(`recognised after ${r.ended.inband!.ms} ms of early media; the call ended ${r.ms} ms after the dial`);
  t.true(r.ended.inband!.ms >= 1000 && r.ended.inband!.ms < 2000, `recognised after ${r.ended.inband!.ms} ms of early media`);
  t.true(r.ms < 20_000, `ended after ${r.ms} ms, before the ring timeout`);
});

test('a gateway that answers 200 OK to play the SIT and announcement: invalid-number, not a person nor a machine', async (t) => {
  const r = await dial(t, 'uas-183-then-answer-sit.xml', deadNumber(t));
  t.is(r.ended.outcome, 'invalid-number');
  t.like(r.ended.inband, { kind: 'sit', variant: 'intercept', phase: 'answered' });
  t.is(r.ended.sipCode, 200);
  t.regex(r.ended.reason ?? '', /after the answer/);
  t.true(r.seen.includes('answered'));
  t.false(r.seen.some((s) => s === 'amd:human' || s === 'amd:machine'), `AMD decided nothing before the tone did: ${r.seen.join(', ')}`);
  // The box hangs up on the tone, early in the answered audio (counted in audio heard, not wall time).
  t.is(r.ended.endedBy, 'local');
  t.true(r.ended.inband!.ms < 2000, `recognised after ${r.ended.inband!.ms} ms of audio after the answer (hung up ${r.ended.durations.talkMs} ms after it)`);
  const res = await r.sipp.stop(10_000);
  t.is(res.stats?.failed, 0, 'sipp got its BYE');
});

test('an in-band busy tone in early media (a GSM gateway) ends the attempt as busy', async (t) => {
  const r = await dial(t, 'uas-183-sit-cancel.xml', join(silence(300), cadencedTone([425], 500, 500, 8, 2500)));
  t.is(r.ended.outcome, 'busy');
  t.like(r.ended.inband, { kind: 'busy', phase: 'early-media' });
  t.deepEqual(r.seen, []);
});

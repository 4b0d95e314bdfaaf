// The embedded engine behind the call port, against sipp: a prompt played to the end (and heard back
// through sipp's RTP echo), outcomes with SIP codes and Q.850 causes, BYE mid-message, DTMF by RFC 4733,
// in-band tones and SIP INFO, a trunk with a full channel count.
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CallEnded, PromptRef, TrunkStatus } from '../../core/call-port.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import { encodeG711 } from '../../media/dsp/g711.ts';
import type { EmbeddedEngine } from '../../sip/embedded/engine.ts';
import { bestNormalisedXcorr } from '../peers/audio.ts';
import { inbandDtmfPcap, rfc4733DtmfPcap } from '../peers/pcap.ts';
import { startSippUas, type SippHandle } from '../peers/sipp.ts';
import { loopbackEngine, loopbackTrunk } from '../support/engine.ts';

const trunkAt = loopbackTrunk;

/** A 1.2 s test signal (a few tones gliding) in both laws. */
function makePrompt(t: ExecutionContext): { ref: PromptRef; pcm: Int16Array } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vba-prompt-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const pcm = new Int16Array(9600);
  for (let i = 0; i < pcm.length; i++) {
    const f = 300 + (i / pcm.length) * 900;
    pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * f * i) / 8000) + 3000 * Math.sin((2 * Math.PI * 2.3 * f * i) / 8000));
  }
  const ref = { id: 'p1', pcmu: path.join(dir, 'p.pcmu'), pcma: path.join(dir, 'p.pcma') };
  fs.writeFileSync(ref.pcmu, encodeG711('pcmu', pcm));
  fs.writeFileSync(ref.pcma, encodeG711('pcma', pcm));
  return { ref, pcm };
}

function engineWith(t: ExecutionContext, trunks: TrunkProfile[] = []): Promise<EmbeddedEngine> {
  return loopbackEngine(t, { trunks, rtpPorts: 202, transports: ['udp', 'tcp'] });
}

async function sipp(t: ExecutionContext, scenario: string, o: { args?: string[]; files?: Record<string, Buffer> } = {}): Promise<SippHandle> {
  const s = await startSippUas({ scenario, calls: 1, timeoutSec: 30, files: o.files, args: ['-mp', 'auto', '-mi', '127.0.0.1', ...(o.args ?? [])] });
  t.teardown(() => s.stop(0).then(() => {}));
  return s;
}

test('answered call: the prompt is played to the end and comes back intact through the far end\'s echo', async (t) => {
  const { ref, pcm } = makePrompt(t);
  const s = await sipp(t, 'uas-answer.xml', { args: ['-rtp_echo'] });
  const engine = await engineWith(t, [trunkAt(s.port, { codecs: ['PCMA', 'PCMU'] })]);
  const call = engine.dial({ to: '+33612345678', from: '+33100000000', ringTimeoutMs: 15000 });
  await new Promise<void>((r) => call.once('answered', () => r()));
  t.is(call.state, 'answered');
  const heard: Int16Array[] = [];
  engine.internals!.media.activeSessions()[0]!.on('audio', (f) => heard.push(f.slice()));
  t.is(engine.trunks()[0]!.channelsInUse, 1);
  const played = await call.play(ref);
  t.true(played.completed);
  t.true(Math.abs(played.playedMs - 1200) <= 20, `played ${played.playedMs} ms`);
  await new Promise((r) => setTimeout(r, 300)); // the echo of the last frames
  await call.hangup();
  const end = await call.done;
  t.like(end, { outcome: 'human', sipCode: 200, q850: 16, endedBy: 'local' });
  t.true(end.durations.talkMs >= 1200);
  const all = new Int16Array(heard.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of heard) { all.set(f, at); at += f.length; }
  const { score } = bestNormalisedXcorr(all, pcm);
  t.true(score >= 0.9, `echo correlation ${score.toFixed(3)}`);
  t.is(engine.trunks()[0]!.channelsInUse, 0);
  t.is(engine.activeCalls(), 0);
  t.is((await s.stop(3000)).exitCode, 0);
});

const failures: Array<[string, string, Partial<CallEnded>]> = [
  ['486 busy', 'uas-busy.xml', { outcome: 'busy', sipCode: 486, q850: 17, endedBy: 'remote' }],
  ['503 from the trunk', 'uas-503.xml', { outcome: 'trunk-failure', sipCode: 503, q850: 41, endedBy: 'remote' }],
  ['no answer (ring timeout, CANCEL, 487)', 'uas-ring-forever.xml', { outcome: 'no-answer', sipCode: 487, q850: 127, endedBy: 'local' }],
];
for (const [name, scenario, expected] of failures) {
  test(`outcome of ${name}`, async (t) => {
    const s = await sipp(t, scenario);
    const engine = await engineWith(t, [trunkAt(s.port)]);
    const call = engine.dial({ to: '+33612345678', from: '+33100000000', ringTimeoutMs: 800 });
    const end = await call.done;
    t.like(end, expected);
    t.is(end.durations.talkMs, 0);
    t.is((await s.stop(3000)).exitCode, 0);
  });
}

test('BYE from the far end in the middle of the message ends the call and the play', async (t) => {
  const { ref } = makePrompt(t);
  const s = await sipp(t, 'uas-bye-after.xml', { args: ['-d', '500'] });
  const engine = await engineWith(t);
  const call = engine.dial({ to: `sip:100@127.0.0.1:${s.port}`, from: 'test', ringTimeoutMs: 15000 });
  await new Promise<void>((r) => call.once('answered', () => r()));
  const played = await call.play(ref);
  t.false(played.completed);
  t.true(played.playedMs < 1200, `played ${played.playedMs} ms`);
  const end = await call.done;
  t.like(end, { outcome: 'human', sipCode: 200, q850: 16, endedBy: 'remote' });
  t.is((await s.stop(3000)).exitCode, 0);
});

for (const [kind, pcap, source] of [
  ['RFC 4733', rfc4733DtmfPcap('159#'), 'rfc4733'],
  ['in-band', inbandDtmfPcap('159#'), 'inband'],
] as const) {
  test(`DTMF by ${kind} is detected with the right digits and collected`, async (t) => {
    const s = await sipp(t, 'uas-play-pcap.xml', { files: { 'stream.pcap': pcap } });
    const engine = await engineWith(t);
    const call = engine.dial({ to: `sip:100@127.0.0.1:${s.port}`, from: 'test', ringTimeoutMs: 15000 });
    const events: Array<{ digit: string; source: string }> = [];
    call.on('dtmf', (e) => events.push(e));
    await new Promise<void>((r) => call.once('answered', () => r()));
    const digits = await call.collect({ max: 10, timeoutMs: 2000, terminators: '#' });
    t.is(digits, '159');
    t.deepEqual(events.map((e) => e.digit).join(''), '159#');
    t.true(events.every((e) => e.source === source));
    await call.hangup();
    t.is((await s.stop(3000)).exitCode, 0);
  });
}

test('DTMF by SIP INFO arrives as dtmf events with source info', async (t) => {
  const s = await sipp(t, 'uas-info-dtmf.xml');
  const engine = await engineWith(t);
  const call = engine.dial({ to: `sip:100@127.0.0.1:${s.port}`, from: 'test', ringTimeoutMs: 15000 });
  const got: string[] = [];
  await new Promise<void>((resolve) => call.on('dtmf', (e) => { got.push(`${e.digit}/${e.source}`); if (got.length === 3) resolve(); }));
  t.deepEqual(got, ['5/info', '#/info', '*/info']);
  await call.hangup();
  t.is((await s.stop(3000)).exitCode, 0);
});

test('a trunk with every channel busy refuses the next call at once, with Q.850 34', async (t) => {
  const s = await sipp(t, 'uas-ring-forever.xml');
  const engine = await engineWith(t, [trunkAt(s.port, { channels: 1 })]);
  const states: TrunkStatus[] = [];
  engine.on('trunk', (st) => states.push(st));
  const first = engine.dial({ to: '+33612345678', from: '+33100000000', ringTimeoutMs: 1500 });
  await new Promise<void>((r) => first.once('progress', () => r()));
  const second = await engine.dial({ to: '+33612345679', from: '+33100000000', ringTimeoutMs: 1500 }).done;
  t.like(second, { outcome: 'trunk-failure', sipCode: null, q850: 34, endedBy: 'error' });
  t.regex(second.reason ?? '', /E_TRUNK_BUSY/);
  t.true(states.some((st) => st.channelsInUse === 1));
  await first.hangup();
  t.like(await first.done, { outcome: 'no-answer', sipCode: 487 });
  t.is(engine.trunks()[0]!.channelsInUse, 0);
});

test('engine on an ephemeral port: close() hangs up what is still up', async (t) => {
  const s = await sipp(t, 'uas-answer.xml');
  const engine = await engineWith(t);
  t.true(engine.sipPort > 0);
  const call = engine.dial({ to: `sip:100@127.0.0.1:${s.port}`, from: 'test', ringTimeoutMs: 15000 });
  await new Promise<void>((r) => call.once('answered', () => r()));
  await engine.close();
  t.like(await call.done, { outcome: 'human', endedBy: 'local' });
  t.is(engine.activeCalls(), 0);
  t.is((await s.stop(3000)).exitCode, 0); // sipp saw our BYE
});

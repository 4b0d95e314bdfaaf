// The call port's contract, one file for every engine: the same sipp far ends (test/peers/sipp/) give
// the same outcomes, events and causes on the embedded engine and on the drachtio engine
// (drachtio-server + FreeSWITCH, started here from the project's own configuration files).
// Without both binaries, the drachtio half is skipped and says so in one line.
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import type { Call, CallEnded, CallEngine, PromptRef } from '../../core/call-port.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import { silentLogger } from '../../core/log.ts';
import { sitSpec, sitTones } from '../../media/dsp/call-progress.ts';
import { decodeG711, encodeG711 } from '../../media/dsp/g711.ts';
import { DrachtioEngine } from '../../sip/drachtio/engine.ts';
import { bestNormalisedXcorr, readPcm8k } from '../peers/audio.ts';
import { VOICES_DIR } from '../../sip/sandbox/audio.ts';
import { AudioTap } from '../../media/freeswitch/audio-tap.ts';
import type { DrachtioCall } from '../../sip/drachtio/drachtio-call.ts';
import type { EmbeddedEngine } from '../../sip/embedded/engine.ts';
import { inbandDtmfPcap, rfc4733DtmfPcap } from '../peers/pcap.ts';
import { startSippUas, type SippHandle } from '../peers/sipp.ts';
import { expectMachineBeep, expectPerson, machineGreeting, pcapOf, personHello, tempDir } from '../sip/amd-callee.ts';
import { loopbackEngine, loopbackTrunk } from '../support/engine.ts';
import { findServers, SKIP_LINE, startServers, type RunningServers } from './servers.ts';
import type { Flow } from '../../appliance/flows/model.ts';
import { runFlowCall, type FlowCall } from '../../appliance/flows/runner.ts';
import { callbackSlot } from '../../appliance/flows/callback-slot.ts';
import { appointmentReminder, satisfactionSurvey } from '../../appliance/flows/templates.ts';

const found = findServers();
if (!found.bins) console.log(`${SKIP_LINE} (${found.why})`);
let servers: RunningServers | null = null;

test.before(async () => {
  if (found.bins) servers = await startServers(found.bins);
  if (servers) console.log(`drachtio-server ${servers.versions.drachtio}, FreeSWITCH ${servers.versions.freeswitch}`);
});
test.after.always(async () => { await servers?.stop(); });

const trunkAt = loopbackTrunk;

async function engineOf(t: ExecutionContext, kind: 'embedded' | 'drachtio', trunks: TrunkProfile[] = []): Promise<CallEngine> {
  if (kind === 'embedded') return loopbackEngine(t, { trunks, rtpPorts: 22 });
  const s = servers!;
  const engine = new DrachtioEngine({
    settings: {
      sip: { bindAddress: '127.0.0.1', port: 0, transports: ['udp'], userAgent: 'vba-test', guard: { action: 'reject', maxRepliesPerSecPerSource: 5 } },
      trunks, defaultTrunk: trunks[0]?.name ?? null, drachtio: s.settings,
    },
    logger: silentLogger(),
  });
  t.teardown(() => engine.close());
  await engine.start();
  if (!(await engine.whenConnected(10_000))) throw new Error('drachtio engine did not connect to its servers');
  return engine;
}

async function sipp(t: ExecutionContext, scenario: string, o: { args?: string[]; files?: Record<string, Buffer>; keys?: Record<string, string> } = {}): Promise<SippHandle> {
  const s = await startSippUas({ scenario, calls: 1, timeoutSec: 40, files: o.files, keys: o.keys, args: ['-mp', 'auto', '-mi', '127.0.0.1', ...(o.args ?? [])] });
  t.teardown(() => s.stop(0).then(() => {}));
  return s;
}

/** Start recording what the far end sends on this call; the returned function stops and gives the PCM. */
async function listen(e: CallEngine, call: Call): Promise<() => Promise<Int16Array>> {
  const frames: Int16Array[] = [];
  let stop: () => Promise<void>;
  if (e instanceof DrachtioEngine) {
    const tap = new AudioTap((call as DrachtioCall).endpoint!, (f) => frames.push(f.slice()));
    await tap.start();
    stop = () => tap.stop();
  } else {
    const session = (e as EmbeddedEngine).internals!.media.activeSessions()[0]!;
    const on = (f: Int16Array): void => { frames.push(f.slice()); };
    session.on('audio', on);
    stop = async () => { session.off('audio', on); };
  }
  return async () => {
    await stop();
    const all = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const f of frames) { all.set(f, at); at += f.length; }
    return all;
  };
}

function prompt(t: ExecutionContext): PromptRef {
  return promptWithPcm(t).ref;
}

function promptWithPcm(t: ExecutionContext): { ref: PromptRef; pcm: Int16Array } {
  const dir = tempDir(t, 'vba-contract-');
  const pcm = new Int16Array(9600).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * (300 + (i / 9600) * 900) * i) / 8000)));
  const ref = { id: 'p1', pcmu: path.join(dir, 'p.pcmu'), pcma: path.join(dir, 'p.pcma') };
  fs.writeFileSync(ref.pcmu, encodeG711('pcmu', pcm));
  fs.writeFileSync(ref.pcma, encodeG711('pcma', pcm));
  return { ref, pcm };
}

const answered = (call: Call): Promise<void> => new Promise((r) => call.once('answered', () => r()));
const dialTrunk = (e: CallEngine, ringTimeoutMs = 15_000): Call => e.dial({ to: '+33612345678', from: '+33100000000', ringTimeoutMs });

type Scenario = (t: ExecutionContext, kind: 'embedded' | 'drachtio') => Promise<void>;

/** The far end presses 1 5 9 # (carried as the pcap carries them): each key an event, '159' collected. */
const keysPressed = (stream: () => Buffer, source: 'rfc4733' | 'inband'): Scenario => async (t, kind) => {
  const s = await sipp(t, 'uas-play-pcap.xml', { files: { 'stream.pcap': stream() } });
  const e = await engineOf(t, kind);
  const call = e.dial({ to: `sip:100@127.0.0.1:${s.port}`, from: 'test', ringTimeoutMs: 15_000 });
  const events: Array<{ digit: string; source: string }> = [];
  call.on('dtmf', (d) => events.push(d));
  await answered(call);
  t.is(await call.collect({ max: 10, timeoutMs: 3000, terminators: '#' }), '159');
  t.is(events.map((d) => d.digit).join(''), '159#');
  t.true(events.every((d) => d.source === source), JSON.stringify(events));
  await call.hangup();
  t.is((await s.stop(3000)).exitCode, 0);
};

const scenarios: Array<[string, Scenario]> = [
  ['answer: the prompt plays to its end, local hang-up ends as human 200/16', async (t, kind) => {
    const s = await sipp(t, 'uas-answer.xml', { args: ['-rtp_echo'] });
    const e = await engineOf(t, kind, [trunkAt(s.port)]);
    const call = dialTrunk(e);
    await answered(call);
    t.is(e.trunks()[0]!.channelsInUse, 1);
    const heard = await listen(e, call);
    const { ref, pcm } = promptWithPcm(t);
    const played = await call.play(ref);
    t.true(played.completed);
    t.true(Math.abs(played.playedMs - 1200) <= 150, `played ${played.playedMs} ms`);
    await new Promise((r) => setTimeout(r, 400)); // the echo of the last frames
    // The far end heard the prompt itself (plain RTP: an SRTP offer kept after the answer is noise).
    const { score } = bestNormalisedXcorr(await heard(), pcm);
    t.true(score >= 0.9, `echo correlation ${score.toFixed(3)}`);
    await call.hangup();
    const end = await call.done;
    t.like(end, { outcome: 'human', sipCode: 200, q850: 16, endedBy: 'local' });
    t.true(end.durations.talkMs >= 1200);
    t.is(e.trunks()[0]!.channelsInUse, 0);
    t.is((await s.stop(3000)).exitCode, 0);
  }],
  ['busy: 486 ends as busy with Q.850 17', async (t, kind) => {
    const s = await sipp(t, 'uas-busy.xml');
    const e = await engineOf(t, kind, [trunkAt(s.port)]);
    const end = await dialTrunk(e, 800).done;
    t.like(end, { outcome: 'busy', sipCode: 486, q850: 17, endedBy: 'remote' } satisfies Partial<CallEnded>);
    t.is(end.durations.talkMs, 0);
    t.is((await s.stop(3000)).exitCode, 0);
  }],
  ['no answer: CANCEL at the ring timeout, 487, no-answer', async (t, kind) => {
    const s = await sipp(t, 'uas-ring-forever.xml');
    const e = await engineOf(t, kind, [trunkAt(s.port)]);
    const call = dialTrunk(e, 1000);
    const kinds: string[] = [];
    call.on('progress', (p) => kinds.push(p.kind));
    const end = await call.done;
    t.like(end, { outcome: 'no-answer', sipCode: 487, q850: 127, endedBy: 'local' });
    t.true(kinds.includes('ringing'));
    t.is((await s.stop(3000)).exitCode, 0);
  }],
  ['auth challenge: 401 answered once with the trunk\'s digest credentials', async (t, kind) => {
    const s = await sipp(t, 'uas-auth-401.xml', { keys: { auth_user: 'alice', auth_pass: 's3cret' } });
    const e = await engineOf(t, kind, [trunkAt(s.port, { auth: 'digest', username: 'alice', password: 's3cret' })]);
    const call = dialTrunk(e);
    await answered(call);
    await call.hangup();
    t.like(await call.done, { outcome: 'human', sipCode: 200, endedBy: 'local' });
    t.is((await s.stop(3000)).exitCode, 0);
  }],
  ['early media: 183 with SDP is reported as early-media, then the answer', async (t, kind) => {
    const s = await sipp(t, 'uas-early-media.xml', { args: ['-d', '500'] });
    const e = await engineOf(t, kind, [trunkAt(s.port)]);
    const call = dialTrunk(e);
    const progress = new Promise<{ kind: string; sipCode: number }>((r) => call.once('progress', r));
    await answered(call);
    t.deepEqual(await progress, { kind: 'early-media', sipCode: 183 });
    await call.hangup();
    t.like(await call.done, { outcome: 'human', sipCode: 200, endedBy: 'local' });
    t.is((await s.stop(3000)).exitCode, 0);
  }],
  ['DTMF: RFC 4733 keys arrive as dtmf events and are collected', keysPressed(() => rfc4733DtmfPcap('159#'), 'rfc4733')],
  ['DTMF: in-band tones are detected in the audio and collected', keysPressed(() => inbandDtmfPcap('159#'), 'inband')],
  ['a short "Hello?" then silence: amd says human, and no beep follows', async (t, kind) => {
    const s = await sipp(t, 'uas-play-pcap.xml', { files: { 'stream.pcap': pcapOf(personHello(t)) } });
    const e = await engineOf(t, kind);
    const call = e.dial({ to: `sip:callee@127.0.0.1:${s.port}`, from: 'test', ringTimeoutMs: 10_000, amd: true });
    await expectPerson(t, call);
    await call.hangup();
  }],
  ['far-end hang-up: BYE in the middle of the message ends the play and the call', async (t, kind) => {
    const s = await sipp(t, 'uas-bye-after.xml', { args: ['-d', '500'] });
    const e = await engineOf(t, kind);
    const call = e.dial({ to: `sip:100@127.0.0.1:${s.port}`, from: 'test', ringTimeoutMs: 15_000 });
    await answered(call);
    const played = await call.play(prompt(t));
    t.false(played.completed);
    t.true(played.playedMs < 1200, `played ${played.playedMs} ms`);
    t.like(await call.done, { outcome: 'human', sipCode: 200, q850: 16, endedBy: 'remote' });
    t.is((await s.stop(3000)).exitCode, 0);
  }],
  ['beep after a greeting: amd says machine, beep is reported at the end of the tone', async (t, kind) => {
    const { audio, beepEndMs } = machineGreeting(t);
    const s = await sipp(t, 'uas-play-pcap.xml', { files: { 'stream.pcap': pcapOf(audio) } });
    const e = await engineOf(t, kind);
    const call = e.dial({ to: `sip:callee@127.0.0.1:${s.port}`, from: 'test', ringTimeoutMs: 10_000, amd: true });
    await expectMachineBeep(t, call, beepEndMs, 250);
    await call.hangup();
  }],
  ['a gateway answers to play a SIT and announcement: invalid-number, heard after the answer, no AMD verdict', async (t, kind) => {
    const audio = new Int16Array(8 * 5000);
    audio.set(sitTones(sitSpec('intercept'), 2500), 8 * 200);
    const s = await sipp(t, 'uas-play-pcap.xml', { files: { 'stream.pcap': pcapOf(audio) } });
    const e = await engineOf(t, kind);
    const call = e.dial({ to: `sip:callee@127.0.0.1:${s.port}`, from: 'test', ringTimeoutMs: 10_000, amd: true });
    const verdicts: string[] = [];
    call.on('amd', (v) => verdicts.push(v.verdict));
    const ended = await call.done;
    t.like(ended, { outcome: 'invalid-number', endedBy: 'local', inband: { kind: 'sit', variant: 'intercept', phase: 'answered' } });
    t.deepEqual(verdicts, []);
  }],
  // Flows (issue 15): the same flow on every engine, keys by SIP INFO along a template's path.
  ['flow: appointment reminder, "move" then "tomorrow morning": path, answers and the callback slot', async (t, kind) => {
    const r = await flowPath(t, kind, appointmentReminder({ optOutKey: '9' }), ['3', '2']);
    t.is(r.outcome, 'human');
    t.deepEqual(r.flow?.path, ['message', 'choice', 'move', 'slot', 'end']);
    t.deepEqual(r.flow?.answers, { appointment: 'move', callback_slot: 'tomorrow_morning' });
  }],
  ['flow: satisfaction survey, the opt-out key at question 2 ends opted-out', async (t, kind) => {
    const r = await flowPath(t, kind, satisfactionSurvey({ optOutKey: '9' }), ['4', '9']);
    t.is(r.outcome, 'opted-out');
    t.deepEqual(r.flow?.path, ['message', 'q1', 'q2']);
    t.deepEqual(r.flow?.answers, { q1: '4' });
  }],
  // record() (issue 15): the callee's spoken answer, through the shared recorder on both engines (the
  // drachtio engine hears it through a FreeSWITCH tap). Same ends: silence after speech, an end key.
  ['record: a spoken answer ends on the silence after it, kept as a WAV holding what was said', async (t, kind) => {
    const speech = decodeG711('pcmu', fs.readFileSync(path.join(VOICES_DIR, 'answer-en-1.ulaw')));
    const audio = new Int16Array(8 * 300 + speech.length + 8 * 6000);
    audio.set(speech, 8 * 300);
    const s = await sipp(t, 'uas-play-pcap.xml', { files: { 'stream.pcap': pcapOf(audio) } });
    const e = await engineOf(t, kind);
    const call = e.dial({ to: `sip:100@127.0.0.1:${s.port}`, from: 'test', ringTimeoutMs: 15_000 });
    await answered(call);
    const file = path.join(tempDir(t, 'vba-contract-rec-'), 'comment.wav');
    const r = await call.record!({ file, maxMs: 20_000, silenceMs: 1500, endKeys: '#' });
    await call.hangup();
    const speechMs = (speech.length / 8000) * 1000;
    t.like(r, { endedBy: 'silence', spoke: true });
    t.true(r.ms >= speechMs && r.ms <= 300 + speechMs + 1500 + 1000, `${Math.round(r.ms)} ms for a ${Math.round(speechMs)} ms sentence`);
    const kept = readPcm8k(file);
    t.is(Math.round((kept.length / 8000) * 1000), Math.round(r.ms));
    const { score } = bestNormalisedXcorr(kept, speech.subarray(0, 8000));
    t.true(score > 0.5, `the recording holds what was said (correlation ${score.toFixed(2)})`);
    t.is((await s.stop(3000)).exitCode, 0);
  }],
  ['record: an end key ends it and is reported', async (t, kind) => {
    const s = await sipp(t, 'uas-play-pcap.xml', { files: { 'stream.pcap': rfc4733DtmfPcap('159#', 101, { leadMs: 600 }) } });
    const e = await engineOf(t, kind);
    const call = e.dial({ to: `sip:100@127.0.0.1:${s.port}`, from: 'test', ringTimeoutMs: 15_000 });
    await answered(call);
    const file = path.join(tempDir(t, 'vba-contract-rec-'), 'comment.wav');
    const r = await call.record!({ file, maxMs: 20_000, silenceMs: 5000, endKeys: '#' });
    await call.hangup();
    t.like(r, { endedBy: 'key', key: '#', spoke: false });
    t.true(r.ms < 3000, `${Math.round(r.ms)} ms`);
    t.is((await s.stop(3000)).exitCode, 0);
  }],
];

async function flowPath(t: ExecutionContext, kind: 'embedded' | 'drachtio', flow: Flow, keys: string[]): Promise<FlowCall> {
  const k: Record<string, string> = {};
  for (let i = 1; i <= 10; i++) k[`k${i}`] = keys[i - 1] ?? '-';
  const s = await sipp(t, 'flow-keys.xml', { keys: k });
  const e = await engineOf(t, kind);
  const call = e.dial({ to: `sip:100@127.0.0.1:${s.port}`, from: 'test', ringTimeoutMs: 15_000 });
  const p = prompt(t);
  const now = Date.now();
  const r = await runFlowCall(call, flow, {
    prompt: () => p, optOutKey: '9', now: () => Date.now(), recordFile: () => null,
    slot: (o) => callbackSlot(o, now, ['Europe/Paris'], { startDate: null, endDate: null, windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] }),
  }, { amd: false });
  t.is((await s.stop(5000)).exitCode, 0);
  return r;
}

for (const kind of ['embedded', 'drachtio'] as const) {
  const available = kind === 'embedded' || !!found.bins;
  for (const [name, run] of scenarios) {
    const title = `[${kind}] ${name}`;
    if (!available) { test.skip(title, () => {}); continue; }
    // One at a time: the beep timing and the ring timeouts must not share two cores with the rest.
    test.serial(title, async (t) => {
      t.timeout(45_000);
      await run(t, kind);
    });
  }
}

// drachtio only: FreeSWITCH's offer (what the trunk gets) is plain RTP. With SRTP left "optional" it
// offers RTP/SAVP with SDES keys and keeps encrypting after a plain answer; an RTP echo cannot show that.
(found.bins ? test.serial : test.skip)('[drachtio] the offer sent to trunks is plain RTP/AVP with no crypto lines', async (t) => {
  const e = (await engineOf(t, 'drachtio')) as DrachtioEngine;
  const ep = await e.internals!.links.mediaServer!.createEndpoint();
  t.teardown(() => ep.destroy().catch(() => {}));
  t.regex(ep.local.sdp, /^m=audio \d+ RTP\/AVP /m);
  t.notRegex(ep.local.sdp, /^a=crypto:/m);
});

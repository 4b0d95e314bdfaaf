// What the simulated people and machines say, hear and press, over real RTP, with our embedded UAC
// and media engine as the caller (the way the box will dial the sandbox).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxNetwork } from '../../sip/sandbox/network.ts';
import { ulawDecode } from '../../media/dsp/g711.ts';
import { Caller, sleep, type CallerLeg } from './caller.ts';
import { AUDIO_CACHE, ended, numberWith, startNetwork } from './fixtures.ts';

let net: SandboxNetwork;
let caller: Caller;
/** The "message" the caller plays: a 1.2 s utterance from the sandbox's own audio. */
let message: Buffer;

test.before(async () => {
  net = await startNetwork();
  caller = new Caller();
  await caller.start();
  message = readFileSync(join(AUDIO_CACHE, 'hello-en-3.pcmu'));
});
test.after.always(async () => {
  await caller?.stop();
  await net?.stop();
});

async function answered(number: string, opts: Parameters<Caller['dial']>[2] = {}): Promise<CallerLeg> {
  const leg = await caller.dial(net.port, number, opts);
  const code = await leg.final;
  if (code !== 200) throw new Error(`expected 200, got ${code}`);
  return leg;
}

async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(20);
  }
  return true;
}

test('a listener says hello, listens to the message and hangs up about 1.5 s after it ends', async (t) => {
  const number = numberWith(net, 'listener', '+1415');
  const leg = await answered(number);
  await sleep(1200);
  t.true(leg.speechAt.length >= 5, 'we heard "Hello?"');
  const played = await leg.session.play(message);
  const playEnd = performance.now();
  t.true(played.completed);
  const term = await leg.done;
  t.is(term.by, 'remote', 'the sandbox hung up');
  const silenceBeforeBye = performance.now() - playEnd;
  t.true(silenceBeforeBye > 1300 && silenceBeforeBye < 2300, `hung up ${Math.round(silenceBeforeBye)} ms after the message ended`);
  const rec = await ended(net, number);
  t.is(rec.endedBy, 'callee');
  t.is(rec.endReason, 'message-ended');
  t.true(rec.heard.speechMs >= 500 && rec.heard.speechMs <= 1300, `heard ${rec.heard.speechMs} ms of speech`);
  t.true(rec.heard.firstSpeechMs! >= 1000, 'our message started after the hello');
});

test('a presser presses its key by RFC 4733 once the message has ended', async (t) => {
  const number = numberWith(net, 'presser', '+1415');
  const plan = net.planFor(number)!;
  const leg = await answered(number);
  await sleep(1000);
  await leg.session.play(message);
  const playEnd = performance.now();
  t.true(await until(() => leg.dtmf.length > 0, 5000), 'a key arrived');
  t.deepEqual(leg.dtmf.map((d) => [d.digit, d.source]), [[plan.key!, 'rfc4733']]);
  const after = leg.dtmf[0]!.at - playEnd;
  t.true(after > 1300 && after < 2500, `pressed ${Math.round(after)} ms after the message ended`);
  await leg.call.bye();
  const rec = await ended(net, number);
  t.is(rec.dtmfSent, plan.key!);
  t.is(rec.dtmfMode, 'rfc4733');
  t.true(['1', '9', '2'].includes(plan.key!));
});

test('without telephone-event in the offer, a presser sends its key in-band', async (t) => {
  const number = numberWith(net, 'presser', '+1416');
  const leg = await answered(number, { telephoneEvent: false, inbandDtmf: true });
  await sleep(1000);
  await leg.session.play(message);
  t.true(await until(() => leg.dtmf.length > 0, 5000), 'a key arrived');
  t.is(leg.dtmf[0]!.source, 'inband');
  t.is(leg.dtmf[0]!.digit, net.planFor(number)!.key!);
  await leg.call.bye();
  t.is((await ended(net, number)).dtmfMode, 'inband');
});

/**
 * Whole 20 ms frames of a PCMU clip that the caller counts as speech (its own test: mean square above
 * 400²). A short last frame is left out: it does not reach the caller as a loud frame of its own.
 */
function loudFrames(clip: Buffer): number {
  let n = 0;
  for (let at = 0; at + 160 <= clip.length; at += 160) {
    const pcm = ulawDecode(clip.subarray(at, at + 160));
    let e = 0;
    for (const v of pcm) e += v * v;
    if (e / pcm.length > 400 * 400) n++;
  }
  return n;
}

function voicemailNumber(prefix: string): { number: string; beepEndMs: number; loud: number } {
  const number = numberWith(net, 'voicemail', prefix, (n) => /short/.test(net.planFor(n)!.greetingId ?? ''));
  const p = net.planFor(number)!;
  const clip = (id: string | null) => (id ? readFileSync(join(AUDIO_CACHE, `${id}.pcmu`)) : Buffer.alloc(0));
  const ms = (id: string | null) => clip(id).length / 8;
  return { number, beepEndMs: p.greetingLeadMs + ms(p.greetingId) + p.beepGapMs + ms(p.beepId), loud: loudFrames(clip(p.greetingId)) + loudFrames(clip(p.beepId)) };
}

// The voicemail's greeting and beep run on timers and the shared media clock: on a loaded machine they
// end later than the plan says. So the caller waits until it has heard every loud frame of the greeting
// and the beep (a count, not a time), and the report is checked against what the caller heard and did.
test('a voicemail plays its greeting and beep, then reports that the message started after the beep, and when', async (t) => {
  const { number, beepEndMs, loud } = voicemailNumber('+1617');
  const leg = await answered(number);
  t.true(await until(() => leg.speechAt.length >= loud, 30_000), `heard ${leg.speechAt.length} of the ${loud} loud frames of the greeting and the beep`);
  const heardBeepEnd = leg.speechAt.at(-1)! - leg.answeredAt!;
  await sleep(400);
  const playAt = performance.now() - leg.answeredAt!;
  await leg.session.play(message);
  await sleep(300);
  await leg.call.bye();
  const rec = await ended(net, number);
  t.is(rec.behaviour, 'voicemail');
  t.true(rec.heard.beepEndMs! >= beepEndMs - 200, `beep ended at ${rec.heard.beepEndMs} ms, the greeting and the beep last ${beepEndMs} ms`);
  t.true(Math.abs(rec.heard.beepEndMs! - heardBeepEnd) < 200, `beep ended at ${rec.heard.beepEndMs} ms, the caller heard its last frame at ${Math.round(heardBeepEnd)} ms`);
  t.true(rec.heard.startedAfterBeep!);
  const playedAfterBeep = playAt - rec.heard.beepEndMs!;
  t.true(rec.heard.messageStartAfterBeepMs! >= 250 && Math.abs(rec.heard.messageStartAfterBeepMs! - playedAfterBeep) < 250, `message began ${rec.heard.messageStartAfterBeepMs} ms after the beep; the caller started it ${Math.round(playedAfterBeep)} ms after`);
  t.is(rec.heard.speechBeforeBeepMs, 0);
  t.true(leg.speechAt.filter((at) => at - leg.answeredAt! < rec.heard.beepEndMs! - 300).length > 20, 'we heard the greeting');
});

test('a voicemail reports a message that started over its greeting', async (t) => {
  const { number } = voicemailNumber('+1618');
  const leg = await answered(number);
  await sleep(200);
  await leg.session.play(message);
  await leg.call.bye();
  const rec = await ended(net, number);
  t.false(rec.heard.startedAfterBeep ?? false);
  t.true(rec.heard.speechBeforeBeepMs! > 300);
  t.true(rec.heard.beepEndMs === null || rec.heard.messageStartAfterBeepMs! < 0);
});

test('a busy number can be reached on a retry, by the seeded per-attempt rule', async (t) => {
  const number = numberWith(net, 'busy', '+1303', (n) => net.behaviourOf(n, 2) === 'listener');
  const first = await caller.dial(net.port, number);
  t.is(await first.final, 486);
  const second = await answered(number);
  await second.call.bye();
  const recs = net.calls().filter((r) => r.number === number);
  t.deepEqual(recs.map((r) => [r.attempt, r.behaviour, r.baseBehaviour, r.finalCode]), [[1, 'busy', 'busy', 486], [2, 'listener', 'busy', 200]]);
});

test('a slow answer rings about 20 s x timeScale before answering', async (t) => {
  const number = numberWith(net, 'slow-answer', '+1312');
  const started = performance.now();
  const leg = await answered(number);
  const rang = performance.now() - started;
  t.true(rang >= 1700 && rang < 3500, `rang ${Math.round(rang)} ms at timeScale 0.1`);
  await leg.call.bye();
  t.is((await ended(net, number)).behaviour, 'slow-answer');
});

test('two networks with the same seed treat the same numbers the same way', async (t) => {
  const other = await startNetwork({ seed: 11 });
  try {
    const numbers = Array.from({ length: 8 }, (_, i) => `+4930123456${i}`);
    const outcome = async (port: number, n: string) => {
      const leg = await caller.dial(port, n, { ringTimeoutMs: 1500 });
      const code = await leg.final;
      if (code === 200) await leg.call.bye();
      return code;
    };
    const a = await Promise.all(numbers.map((n) => outcome(net.port, n)));
    const b = await Promise.all(numbers.map((n) => outcome(other.port, n)));
    t.deepEqual(a, b);
    t.deepEqual(numbers.map((n) => net.behaviourOf(n)), numbers.map((n) => other.behaviourOf(n)));
    t.true(new Set(a).size > 1, `a mix of outcomes: ${a.join(', ')}`);
  } finally {
    await other.stop();
  }
});

test('stopping the sandbox hangs up the calls in progress with a BYE', async (t) => {
  const other = await startNetwork();
  const number = numberWith(other, 'listener', '+1718');
  const leg = await caller.dial(other.port, number);
  t.is(await leg.final, 200);
  await other.stop();
  const term = await Promise.race([leg.done, sleep(3000).then(() => null)]);
  t.is(term?.by, 'remote');
  t.is(other.calls()[0]!.endReason, 'sandbox-stopped');
});

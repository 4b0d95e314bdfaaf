// The box's own call engine (sip/embedded + media/rtp, behind the call port) dials the sandbox through
// an ordinary trunk profile: the outcomes, keys and voicemail timing the dialer will see.
import test from 'ava';
import { join } from 'node:path';
import type { Call, CallEnded, PromptRef } from '../../core/call-port.ts';
import { defaultSettings } from '../../appliance/config/defaults.ts';
import { silentLogger } from '../../core/log.ts';
import { EmbeddedEngine } from '../../sip/embedded/engine.ts';
import type { SandboxNetwork } from '../../sip/sandbox/network.ts';
import { sandboxTrunk } from '../../sip/sandbox/trunk.ts';
import { freeUdpRange } from '../peers/ports.ts';
import { AUDIO_CACHE, ended, numberWith, startNetwork } from './fixtures.ts';

let net: SandboxNetwork;
let engine: EmbeddedEngine;
const clip = (id: string): PromptRef => ({ id, pcmu: join(AUDIO_CACHE, `${id}.pcmu`), pcma: join(AUDIO_CACHE, `${id}.pcma`) });
/** The box's message: 1.2 s of speech. */
const message = clip('hello-en-3');

test.before(async () => {
  net = await startNetwork({ seed: 21 });
  const settings = defaultSettings();
  const base = await freeUdpRange(100);
  settings.sip = { ...settings.sip, bindAddress: '127.0.0.1', port: 0, transports: ['udp'] };
  settings.media = { ...settings.media, rtpPortMin: base, rtpPortMax: base + 99 };
  settings.trunks = [sandboxTrunk({ address: net.address, port: net.port })];
  settings.defaultTrunk = 'sandbox';
  engine = new EmbeddedEngine({ settings, logger: silentLogger() });
  await engine.start();
});
test.after.always(async () => {
  await engine?.close();
  await net?.stop();
});

function dial(number: string, extra: { ringTimeoutMs?: number; amd?: boolean } = {}): Call {
  return engine.dial({ to: number, from: '+33100000000', trunk: 'sandbox', ringTimeoutMs: extra.ringTimeoutMs ?? 10_000, amd: extra.amd ?? false });
}

const unanswered = [
  { behaviour: 'busy', outcome: 'busy', sipCode: 486 },
  { behaviour: 'invalid', outcome: 'invalid-number', sipCode: 404 },
  { behaviour: 'decline', outcome: 'declined', sipCode: 603 },
  { behaviour: 'no-answer', outcome: 'no-answer', sipCode: 487 },
] as const;

for (const x of unanswered) {
  test(`a ${x.behaviour} number ends as ${x.outcome} (${x.sipCode}) at the call port`, async (t) => {
    const number = numberWith(net, x.behaviour, '+3320');
    const result: CallEnded = await dial(number, { ringTimeoutMs: 1000 }).done;
    t.is(result.outcome, x.outcome);
    t.is(result.sipCode, x.sipCode);
    t.is((await ended(net, number)).finalCode, x.sipCode);
  });
}

test('a listener hears the whole message and hangs up after it', async (t) => {
  const number = numberWith(net, 'listener', '+3321');
  const call = dial(number);
  await new Promise<void>((resolve) => call.once('answered', () => resolve()));
  const played = await call.play(message);
  t.true(played.completed);
  const result = await call.done;
  t.is(result.endedBy, 'remote');
  const rec = await ended(net, number);
  t.is(rec.endReason, 'message-ended');
  t.true(rec.heard.speechMs > 500, `the sandbox heard ${rec.heard.speechMs} ms of the message`);
});

test('a presser\'s key reaches the box as RFC 4733', async (t) => {
  const number = numberWith(net, 'presser', '+3322');
  const key = net.planFor(number)!.key!;
  const call = dial(number);
  const digits: Array<{ digit: string; source: string }> = [];
  call.on('dtmf', (d) => digits.push(d));
  await new Promise<void>((resolve) => call.once('answered', () => resolve()));
  await call.play(message);
  const got = await call.collect({ max: 1, timeoutMs: 6000 });
  t.is(got, key);
  t.deepEqual(digits, [{ digit: key, source: 'rfc4733' }]);
  await call.hangup();
});

test('a voicemail is detected as a machine, its beep is heard, and a message left after the beep is reported as such', async (t) => {
  const number = numberWith(net, 'voicemail', '+3323', (n) => /short|medium/.test(net.planFor(n)!.greetingId ?? ''));
  const call = dial(number, { amd: true });
  const verdicts: string[] = [];
  call.on('amd', (a) => verdicts.push(a.verdict));
  const beep = new Promise<boolean>((resolve) => {
    call.once('beep', () => resolve(true));
    void call.done.then(() => resolve(false));
  });
  t.true(await beep, 'beep heard');
  await call.play(message);
  await call.hangup();
  t.deepEqual(verdicts.slice(0, 1), ['machine']);
  const rec = await ended(net, number);
  t.true(rec.heard.startedAfterBeep!, JSON.stringify(rec.heard));
  t.true(rec.heard.messageStartAfterBeepMs! > -20 && rec.heard.messageStartAfterBeepMs! < 1500, `message began ${rec.heard.messageStartAfterBeepMs} ms after the beep`);
});

// Must-show 1 of issue 15, on the embedded engine: a real SIP peer (sipp, test/peers/sipp/flow-keys.xml)
// answers and presses keys by SIP INFO along every path of every template; the outcome, the path the
// runner reports and the answers it kept are the ones that path gives. Prompts are short tones and the
// templates' waits shortened (a flow is data), so each path takes seconds.
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Outcome, PromptRef } from '../../core/call-port.ts';
import type { Flow, FlowStep } from '../../appliance/flows/model.ts';
import { promptKey } from '../../appliance/flows/model.ts';
import { runFlowCall } from '../../appliance/flows/runner.ts';
import { callbackSlot } from '../../appliance/flows/callback-slot.ts';
import { appointmentReminder, emergencyAlert, messageMenuFlow, paymentReminder, satisfactionSurvey } from '../../appliance/flows/templates.ts';
import { startSippUas } from '../peers/sipp.ts';
import { loopbackEngine } from '../support/engine.ts';
import { tonePrompt as tone } from '../peers/audio.ts';

const OPT = '9';


/** The same flow with its waits for a key at 2.5 s (keys come 1 s apart). */
function quick(flow: Flow): Flow {
  return {
    ...flow,
    steps: flow.steps.map((s): FlowStep => {
      if (s.verb === 'menu' || s.verb === 'callback') return { ...s, timeoutMs: 2500 };
      if (s.verb === 'gather') return { ...s, firstDigitTimeoutMs: 2500, interDigitTimeoutMs: 2500 };
      if (s.verb === 'record') return { ...s, silenceMs: 1000, maxMs: 3000 };
      return s;
    }),
  };
}

interface PathCase {
  template: string;
  flow: Flow;
  keys: string[];
  outcome: Outcome;
  path: string[];
  answers: Record<string, string>;
}

const A = quick(appointmentReminder({ optOutKey: OPT }));
const S = quick(satisfactionSurvey({ optOutKey: OPT }));
const P = quick(paymentReminder({ optOutKey: OPT }));
const E = quick(emergencyAlert({ optOutKey: OPT, repeats: 1 }));
const M = quick(messageMenuFlow({ confirm: '1', repeat: '8', optOut: OPT }, 'menu-prompt'));

const CASES: PathCase[] = [
  { template: 'appointment', flow: A, keys: ['1'], outcome: 'confirmed', path: ['message', 'choice', 'confirm', 'confirmed'], answers: { appointment: 'confirmed' } },
  { template: 'appointment', flow: A, keys: ['2'], outcome: 'human', path: ['message', 'choice', 'cancel', 'cancelled'], answers: { appointment: 'cancelled' } },
  { template: 'appointment', flow: A, keys: ['3', '2'], outcome: 'human', path: ['message', 'choice', 'move', 'slot', 'end'], answers: { appointment: 'move', callback_slot: 'tomorrow_morning' } },
  { template: 'appointment', flow: A, keys: ['3', '7', '7'], outcome: 'human', path: ['message', 'choice', 'move', 'slot', 'no-slot'], answers: { appointment: 'move' } },
  { template: 'appointment', flow: A, keys: ['5', '5'], outcome: 'human', path: ['message', 'choice', 'end'], answers: {} },
  { template: 'appointment', flow: A, keys: [OPT], outcome: 'opted-out', path: ['message', 'choice'], answers: {} },
  { template: 'survey', flow: S, keys: ['4', '3', '5'], outcome: 'confirmed', path: ['message', 'q1', 'q2', 'q3', 'comment', 'thanks'], answers: { q1: '4', q2: '3', q3: '5' } },
  { template: 'survey', flow: S, keys: ['7', '2', '1', '1'], outcome: 'confirmed', path: ['message', 'q1', 'q2', 'q3', 'comment', 'thanks'], answers: { q1: '2', q2: '1', q3: '1' } },
  { template: 'survey', flow: S, keys: ['4', OPT], outcome: 'opted-out', path: ['message', 'q1', 'q2'], answers: { q1: '4' } },
  { template: 'payment', flow: P, keys: ['1'], outcome: 'confirmed', path: ['message', 'choice', 'paid', 'paid-bye'], answers: { payment: 'already_paid' } },
  { template: 'payment', flow: P, keys: ['2', '2', '5', '1', '2', '2', '0', '2', '6'], outcome: 'confirmed', path: ['message', 'choice', 'promise', 'promise-date', 'promised'], answers: { payment: 'promise', promise_date: '2026-12-25' } },
  { template: 'payment', flow: P, keys: ['3', '1'], outcome: 'human', path: ['message', 'choice', 'adviser', 'slot', 'end'], answers: { payment: 'callback', callback_slot: 'this_evening' } },
  { template: 'payment', flow: P, keys: ['6', '6'], outcome: 'human', path: ['message', 'choice', 'end'], answers: {} },
  { template: 'emergency', flow: E, keys: ['1'], outcome: 'confirmed', path: ['alert', 'ack', 'acknowledged', 'acked'], answers: { acknowledged: 'yes' } },
  { template: 'emergency', flow: E, keys: ['5', '5'], outcome: 'human', path: ['alert', 'ack', 'again', 'alert', 'ack', 'again', 'unacknowledged'], answers: { acknowledged: 'no' } },
  { template: 'emergency', flow: E, keys: ['5', '1'], outcome: 'confirmed', path: ['alert', 'ack', 'again', 'alert', 'ack', 'acknowledged', 'acked'], answers: { acknowledged: 'yes' } },
  { template: 'message-menu', flow: M, keys: ['1'], outcome: 'confirmed', path: ['message', 'menu', 'confirmed'], answers: {} },
  { template: 'message-menu', flow: M, keys: ['8', '1'], outcome: 'confirmed', path: ['message', 'menu', 'repeat', 'message', 'menu', 'confirmed'], answers: {} },
  { template: 'message-menu', flow: M, keys: ['4'], outcome: 'human', path: ['message', 'menu', 'end'], answers: {} },
  { template: 'message-menu', flow: M, keys: [OPT], outcome: 'opted-out', path: ['message', 'menu'], answers: {} },
];

async function runPath(t: ExecutionContext, c: PathCase, prompts: (key: string) => PromptRef): Promise<void> {
  const keys: Record<string, string> = {};
  for (let i = 1; i <= 10; i++) keys[`k${i}`] = c.keys[i - 1] ?? '-';
  const sipp = await startSippUas({ scenario: 'flow-keys.xml', calls: 1, timeoutSec: 60, keys, args: ['-mp', 'auto', '-mi', '127.0.0.1', ...(process.env.FLOW_SIPP_TRACE ? ['-trace_msg', '-message_file', `${process.env.FLOW_SIPP_TRACE}-${c.template}-${c.keys.join('')}.log`] : [])] });
  t.teardown(() => sipp.stop(0).then(() => {}));
  const engine = await loopbackEngine(t, { rtpPorts: 10 });
  const call = engine.dial({ to: `sip:100@127.0.0.1:${sipp.port}`, from: 'flows', ringTimeoutMs: 15_000 });
  // Slots are offered as of a fixed morning (Monday 09:00 in Paris): "this evening" is then still ahead,
  // whatever the time the suite runs (after 20:00 in Paris it was over, and the [3 1] case failed).
  const slotsAsOf = Date.UTC(2026, 11, 7, 8, 0);
  const r = await runFlowCall(call, c.flow, {
    prompt: (p) => prompts(promptKey(p)),
    optOutKey: OPT,
    now: () => Date.now(),
    slot: (o) => callbackSlot(o, slotsAsOf, ['Europe/Paris'], { startDate: null, endDate: null, windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] }),
    recordFile: () => null,
  }, { amd: false });
  const name = `${c.template} [${c.keys.join(' ')}]`;
  t.is(r.outcome, c.outcome, name);
  t.deepEqual(r.flow?.path, c.path, name);
  const answers = Object.fromEntries(Object.entries(r.flow?.answers ?? {}).filter(([k]) => k !== 'comment'));
  t.deepEqual(answers, c.answers, name);
  t.is(r.flow?.dtmf, c.keys.join(''), `${name}: every key arrived`);
  const done = await sipp.stop(5000);
  t.is(done.exitCode, 0, `${name}: sipp saw the call through (${done.errors.slice(0, 300)})`);
}

for (const c of CASES) {
  test(`sipp presses ${c.keys.join(' ') || 'nothing'} through the ${c.template} flow: ${c.outcome} by ${c.path.at(-1)}`, async (t) => {
    t.timeout(90_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vba-flow-prompts-'));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    // The message is 0.6 s, every other prompt 0.3 s.
    const message = tone(dir, 'message', 600, 440);
    const other = tone(dir, 'prompt', 300, 660);
    await runPath(t, c, (key) => (key === 'm' ? message : other));
  });
}

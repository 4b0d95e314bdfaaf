// Every path of every template, run by the flow runner against a scripted person on the call port: the
// outcome, the path and the answers kept are what the person did. Then the opt-out key at every
// interaction of every template: always `opted-out`, with the acknowledgement, wherever it was pressed.
import test from 'ava';
import { runFlow, type FlowResult } from '../../appliance/flows/runner.ts';
import { appointmentReminder, emergencyAlert, messageMenuFlow, paymentReminder, satisfactionSurvey } from '../../appliance/flows/templates.ts';
import { checkFlow } from '../../appliance/flows/validate.ts';
import type { Flow } from '../../appliance/flows/model.ts';
import { ScriptedCall, testEnv } from './support.ts';

// Monday 7 December 2026, 10:00 in Paris.
const NOW = Date.UTC(2026, 11, 7, 9, 0);
const OPT = '9';

async function run(flow: Flow, keys: string[], o: { optOutKey?: string; optOutAt?: number } = { optOutKey: OPT }): Promise<FlowResult & { call: ScriptedCall }> {
  const call = new ScriptedCall([...keys], o);
  const r = await runFlow(call, flow, testEnv(NOW, o.optOutKey ? { optOutKey: o.optOutKey } : {}), { amd: false });
  return { ...r, call };
}

const TEMPLATES: Array<[string, Flow]> = [
  ['appointment-reminder', appointmentReminder({ optOutKey: OPT })],
  ['satisfaction-survey', satisfactionSurvey({ optOutKey: OPT })],
  ['payment-reminder', paymentReminder({ optOutKey: OPT })],
  ['emergency-alert', emergencyAlert({ optOutKey: OPT })],
  ['message-menu', messageMenuFlow({ confirm: '1', repeat: '8', optOut: OPT }, 'menu-prompt')],
];

test('every template is a valid flow for its opt-out key (and refused where a step would take it)', (t) => {
  for (const [name, flow] of TEMPLATES) t.notThrows(() => checkFlow(flow, { optOutKey: OPT }), name);
  t.throws(() => satisfactionSurvey({ optOutKey: '3' }), { message: /opt-out key 3/ });
  t.throws(() => paymentReminder({ optOutKey: '1' }), { message: /opt-out key 1/ });
  for (const key of ['1', '2', '3', '*', '#', '0', '9']) {
    for (const flow of [appointmentReminder({ optOutKey: key }), emergencyAlert({ optOutKey: key }), ...(/[0-3]/.test(key) ? [] : [paymentReminder({ optOutKey: key })])]) {
      t.notThrows(() => checkFlow(flow, { optOutKey: key }), `${flow.template} with opt-out ${key}`);
    }
  }
});

test('appointment reminder: confirm, cancel, move to a callback slot, no slot, no answer', async (t) => {
  const flow = appointmentReminder({ optOutKey: OPT });
  const confirm = await run(flow, ['1']);
  t.is(confirm.outcome, 'confirmed');
  t.deepEqual(confirm.path, ['message', 'choice', 'confirm', 'confirmed']);
  t.deepEqual(confirm.answers, { appointment: 'confirmed' });

  const cancel = await run(flow, ['!2']); // pressed during the message
  t.is(cancel.outcome, 'human');
  t.deepEqual(cancel.path, ['message', 'choice', 'cancel', 'cancelled']);
  t.deepEqual(cancel.answers, { appointment: 'cancelled' });

  const move = await run(flow, ['3', '2']);
  t.deepEqual(move.path, ['message', 'choice', 'move', 'slot', 'end']);
  t.deepEqual(move.answers, { appointment: 'move', callback_slot: 'tomorrow_morning' });
  t.is(move.callback?.label, 'tomorrow_morning');
  t.is(move.callback?.at, Date.UTC(2026, 11, 8, 8, 0), 'Tuesday 09:00 in Paris');

  const noSlot = await run(flow, ['3', '', '7']);
  t.deepEqual(noSlot.path, ['message', 'choice', 'move', 'slot', 'no-slot']);
  t.is(noSlot.callback, null);

  const silent = await run(flow, ['', '']);
  t.is(silent.outcome, 'human');
  t.deepEqual(silent.path, ['message', 'choice', 'end']);
  t.deepEqual(silent.answers, {});
});

test('satisfaction survey: three answers 1-5, a wrong key asked again, a spoken comment kept', async (t) => {
  const flow = satisfactionSurvey({ optOutKey: OPT });
  const full = await run(flow, ['4', '7', '2', '5']);
  t.is(full.outcome, 'confirmed');
  t.deepEqual(full.path, ['message', 'q1', 'q2', 'q3', 'comment', 'thanks']);
  t.deepEqual(full.answers, { q1: '4', q2: '2', q3: '5', comment: 'recording:2500ms' });
  t.deepEqual(full.recordings, [{ name: 'comment', file: '/answers/comment.wav', ms: 2500 }]);
  t.true(full.call.heard.includes(`t:${(flow.steps[2] as { invalidPrompt: { tts: string } }).invalidPrompt.tts}`), 'the re-prompt after a wrong key');

  const skipped = await run(flow, ['', '', '3', '', '', '1']);
  t.deepEqual(skipped.answers, { q2: '3', comment: 'recording:2500ms' }, 'a question left unanswered twice is skipped');
});

test('payment reminder: already paid, a promised date (checked), an invalid date, a callback', async (t) => {
  const flow = paymentReminder({ optOutKey: OPT });
  const paid = await run(flow, ['1']);
  t.is(paid.outcome, 'confirmed');
  t.deepEqual(paid.answers, { payment: 'already_paid' });

  const promise = await run(flow, ['2', '25122026']);
  t.is(promise.outcome, 'confirmed');
  t.deepEqual(promise.path, ['message', 'choice', 'promise', 'promise-date', 'promised']);
  t.deepEqual(promise.answers, { payment: 'promise', promise_date: '2026-12-25' });

  const bad = await run(flow, ['2', '31022026', '1234#']);
  t.is(bad.outcome, 'human');
  t.deepEqual(bad.path, ['message', 'choice', 'promise', 'promise-date', 'end']);
  t.deepEqual(bad.answers, { payment: 'promise' });

  const adviser = await run(flow, ['3', '1']);
  t.deepEqual(adviser.answers, { payment: 'callback', callback_slot: 'this_evening' });
  t.is(adviser.callback?.at, Date.UTC(2026, 11, 7, 16, 0), 'Monday 17:00 in Paris');
});

test('emergency alert: acknowledged at once; repeated a bounded number of times when it is not', async (t) => {
  const flow = emergencyAlert({ optOutKey: OPT, repeats: 3 });
  const ack = await run(flow, ['1']);
  t.is(ack.outcome, 'confirmed');
  t.deepEqual(ack.answers, { acknowledged: 'yes' });

  const never = await run(flow, ['', '', '', '', '', '']);
  t.is(never.outcome, 'human');
  t.deepEqual(never.answers, { acknowledged: 'no' });
  t.is(never.path.filter((s) => s === 'alert').length, 4, 'the alert and three repeats');

  const late = await run(flow, ['', '', '1']);
  t.deepEqual(late.answers, { acknowledged: 'yes' });
  t.is(late.path.filter((s) => s === 'alert').length, 3);
});

test('message + menu: the same keys and outcomes as the script it replaces', async (t) => {
  const flow = messageMenuFlow({ confirm: '1', repeat: '8', optOut: '2' }, 'menu-prompt');
  const o = { optOutKey: '2' };
  t.is((await run(flow, ['1'], o)).outcome, 'confirmed');
  t.is((await run(flow, ['!1'], o)).outcome, 'confirmed');
  t.is((await run(flow, ['2'], o)).outcome, 'opted-out');
  t.is((await run(flow, [''], o)).outcome, 'human');
  t.is((await run(flow, ['5'], o)).outcome, 'human');
  const repeats = await run(flow, ['8', '8', '8'], o);
  t.is(repeats.outcome, 'human');
  t.is(repeats.call.heard.filter((h) => h === 'm').length, 3, 'the message and two repeats, as before');
  const noMenu = await run(messageMenuFlow({}, null), [''], {});
  t.deepEqual(noMenu.path, ['message']);
});

// A full path through each template, and the opt-out key pressed at each interaction along it.
const FULL_PATHS: Array<[string, Flow, string[]]> = [
  ['appointment-reminder (move)', appointmentReminder({ optOutKey: OPT }), ['3', '2']],
  ['appointment-reminder (confirm)', appointmentReminder({ optOutKey: OPT }), ['1']],
  ['satisfaction-survey', satisfactionSurvey({ optOutKey: OPT }), ['4', '3', '5']],
  ['payment-reminder (promise)', paymentReminder({ optOutKey: OPT }), ['2', '25122026']],
  ['payment-reminder (callback)', paymentReminder({ optOutKey: OPT }), ['3', '2']],
  ['emergency-alert', emergencyAlert({ optOutKey: OPT }), ['', '', '1']],
  ['message-menu', messageMenuFlow({ confirm: '1', repeat: '8', optOut: OPT }, 'menu-prompt'), ['8', '1']],
];

test('the opt-out key pressed at any step of any template ends the call opted out, with the acknowledgement', async (t) => {
  for (const [name, flow, keys] of FULL_PATHS) {
    const plain = await run(flow, keys);
    t.not(plain.outcome, 'opted-out', name);
    const interactions = plain.call.interactions;
    t.true(interactions >= 2, name);
    const stepsSeen = new Set<string>();
    for (let at = 0; at < interactions; at++) {
      const r = await run(flow, keys, { optOutKey: OPT, optOutAt: at });
      t.is(r.outcome, 'opted-out', `${name}: opt-out at interaction ${at} (step ${r.path.at(-1)})`);
      t.is(r.callback, null);
      if (flow.optOutAck) t.is(r.call.heard.at(-1), `t:${(flow.optOutAck as { tts: string }).tts}`, `${name}: the acknowledgement is the last thing heard`);
      stepsSeen.add(r.path.at(-1)!);
    }
    const interactive = plain.path.filter((id) => {
      const s = flow.steps.find((x) => x.id === id)!;
      return s.verb !== 'set' && s.verb !== 'goto' && !(s.verb === 'hangup' && !s.prompt);
    });
    t.deepEqual([...stepsSeen].sort(), [...new Set(interactive)].sort(), `${name}: every step the callee hears took the opt-out key`);
  }
});

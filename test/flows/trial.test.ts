// "Try it", the pure parts: what the sandbox's presser is told to press for a flow, and how a finished
// run becomes the path shown step by step (the branch taken, the key that chose it, the answer kept).
import test from 'ava';
import { trialMenu, trialSteps } from '../../appliance/flows/trial.ts';
import { appointmentReminder, messageMenuFlow, satisfactionSurvey } from '../../appliance/flows/templates.ts';
import type { FlowResult } from '../../appliance/flows/runner.ts';

function result(r: Partial<FlowResult>): FlowResult {
  return { outcome: 'human', dtmf: '', amd: null, path: [], answers: {}, recordings: [], callback: null, transfer: null, messagePlayedMs: 0, messageCompleted: false, notes: [], ...r };
}

test('the presser is told the flow\'s first choice and the opt-out key; a message-menu flow keeps the campaign\'s keys', (t) => {
  t.deepEqual(trialMenu(appointmentReminder({ optOutKey: '9' }), { menu: { optOut: '9' } }), { optOut: '9', confirm: '1' });
  t.deepEqual(trialMenu(satisfactionSurvey({ optOutKey: '9' }), { menu: { optOut: '9' } }), { optOut: '9', confirm: '5' });
  t.deepEqual(trialMenu(messageMenuFlow({ confirm: '1', repeat: '2', optOut: '3' }, null), { menu: { confirm: '1', repeat: '2', optOut: '3' } }), { confirm: '1', repeat: '2', optOut: '3' });
});

test('a confirmed appointment: each step with the branch it took and the key that chose it', (t) => {
  const flow = appointmentReminder({ optOutKey: '9' });
  const steps = trialSteps(flow, result({ outcome: 'confirmed', dtmf: '1', path: ['message', 'choice', 'confirm', 'confirmed'], answers: { appointment: 'confirmed' } }), { endedBy: 'local' });
  t.deepEqual(steps.map((s) => [s.id, s.via, s.key]), [['message', 'next', null], ['choice', 'options.1', '1'], ['confirm', 'next', null], ['confirmed', 'end', null]]);
  t.like(steps[2], { name: 'appointment', answer: 'confirmed' });
});

test('a survey answered once, then the callee hung up; an opt-out ends where the key was pressed', (t) => {
  const flow = satisfactionSurvey({ optOutKey: '9' });
  const hung = trialSteps(flow, result({ dtmf: '4', path: ['message', 'q1', 'q2'], answers: { q1: '4' } }), { endedBy: 'remote' });
  t.deepEqual(hung.map((s) => [s.id, s.via, s.answer]), [['message', 'next', null], ['q1', 'next', '4'], ['q2', 'hung-up', null]]);
  // q1 and its failure lead to the same step: without an answer it is the failure branch.
  const failed = trialSteps(flow, result({ path: ['message', 'q1', 'q2'] }), { endedBy: 'remote' });
  t.is(failed[1]!.via, 'onFail');
  const out = trialSteps(flow, result({ outcome: 'opted-out', dtmf: '9', path: ['message', 'q1'] }), { endedBy: 'local' });
  t.is(out[1]!.via, 'opt-out');
});

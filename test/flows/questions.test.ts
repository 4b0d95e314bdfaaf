// The questions a report charts, read from a flow: each answer name once, at the first step that keeps
// it, with the values it expects in order (a 1-5 scale even where nobody pressed 2).
import test from 'ava';
import { flowQuestions } from '../../appliance/flows/questions.ts';
import { appointmentReminder, emergencyAlert, paymentReminder, satisfactionSurvey } from '../../appliance/flows/templates.ts';
import type { Flow } from '../../appliance/flows/model.ts';

test('the survey: three 1-5 keypad questions in order, then a spoken comment', (t) => {
  t.deepEqual(flowQuestions(satisfactionSurvey({ optOutKey: '9' })), [
    { name: 'q1', step: 'q1', kind: 'keys', choices: ['1', '2', '3', '4', '5'] },
    { name: 'q2', step: 'q2', kind: 'keys', choices: ['1', '2', '3', '4', '5'] },
    { name: 'q3', step: 'q3', kind: 'keys', choices: ['1', '2', '3', '4', '5'] },
    { name: 'comment', step: 'comment', kind: 'spoken', choices: [] },
  ]);
});

test('values set by several steps are one question; callback slots and dates', (t) => {
  const payment = flowQuestions(paymentReminder({ optOutKey: '9' }));
  t.deepEqual(payment.map((q) => [q.name, q.step, q.kind]), [['payment', 'paid', 'value'], ['promise_date', 'promise-date', 'keys'], ['callback_slot', 'slot', 'keys']]);
  t.deepEqual(payment[0]!.choices, ['already_paid', 'promise', 'callback']);
  t.deepEqual(payment[1]!.choices, [], 'a date is not listed value by value');
  t.deepEqual(payment[2]!.choices, ['this_evening', 'tomorrow_morning', 'tomorrow_afternoon']);
  t.deepEqual(flowQuestions(emergencyAlert({ optOutKey: '9' })).map((q) => [q.name, q.choices]), [['acknowledged', ['yes', 'no']]]);
  t.true(flowQuestions(appointmentReminder({ optOutKey: '9' })).some((q) => q.name === 'appointment'));
});

test('a named menu lists its keys; an unnamed one is no question; a wide range is not spelt out', (t) => {
  const flow: Flow = {
    version: 1,
    steps: [
      { id: 'm', verb: 'menu', name: 'choice', options: { 1: 'age', 2: 'u' }, timeoutMs: 5000, tries: 1 },
      { id: 'u', verb: 'menu', options: { 3: 'age' }, timeoutMs: 5000, tries: 1 },
      { id: 'age', verb: 'gather', name: 'age', minDigits: 1, maxDigits: 3, firstDigitTimeoutMs: 5000, interDigitTimeoutMs: 2000, tries: 1, validate: { kind: 'range', min: 18, max: 120 } },
    ],
  };
  t.deepEqual(flowQuestions(flow), [
    { name: 'choice', step: 'm', kind: 'keys', choices: ['1', '2'] },
    { name: 'age', step: 'age', kind: 'keys', choices: [] },
  ]);
});

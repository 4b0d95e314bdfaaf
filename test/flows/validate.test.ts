// Must-show 2 of issue 15: each class of invalid flow is refused with a field error whose key is the
// step's path and whose message names the step by id.
import test from 'ava';
import { AppError } from '../../core/errors.ts';
import { checkFlow, type FlowContext } from '../../appliance/flows/validate.ts';

const ok = (steps: unknown[], extra: Record<string, unknown> = {}) => ({ version: 1, steps, ...extra });
const ctx: FlowContext = {
  optOutKey: '9',
  recordingExists: (id) => id === 'welcome',
  tokens: ['first_name', 'appointment_date'],
  campaignWindows: [{ from: '09:00', to: '20:00' }],
  packWindows: [[{ from: '10:00', to: '13:00' }, { from: '14:00', to: '20:00' }]],
  packName: 'France',
};

const CASES: Array<{ what: string; flow: unknown; key: string; says: RegExp }> = [
  { what: 'unknown verb', flow: ok([{ id: 'a', verb: 'play', prompt: { message: true }, next: 'b' }, { id: 'b', verb: 'dance' }]), key: 'flow.steps[1].verb', says: /step "b": unknown verb "dance"/ },
  { what: 'branch to a missing step', flow: ok([{ id: 'a', verb: 'menu', options: { 1: 'nowhere' } }]), key: 'flow.steps[0].options.1', says: /step "a": leads to step "nowhere", which the flow does not have/ },
  { what: 'missing next step', flow: ok([{ id: 'a', verb: 'play', prompt: { message: true }, next: 'gone' }]), key: 'flow.steps[0].next', says: /step "a": leads to step "gone"/ },
  { what: 'unreachable step', flow: ok([{ id: 'a', verb: 'play', prompt: { message: true } }, { id: 'island', verb: 'hangup' }]), key: 'flow.steps[1]', says: /step "island": cannot be reached from the first step "a"/ },
  {
    what: 'a loop without a bound',
    flow: ok([{ id: 'a', verb: 'play', prompt: { message: true }, next: 'm' }, { id: 'm', verb: 'menu', options: { 1: 'a' }, noInput: 'end' }, { id: 'end', verb: 'hangup' }]),
    key: 'flow.steps[1].options.1', says: /step "m": leads back to step "a", a loop without a bound/,
  },
  { what: 'a menu that takes the opt-out key', flow: ok([{ id: 'ask', verb: 'menu', options: { 1: 'end', 9: 'end' } }, { id: 'end', verb: 'hangup' }]), key: 'flow.steps[0].options.9', says: /step "ask": the menu uses key 9, the campaign's opt-out key/ },
  { what: 'a callback slot on the opt-out key', flow: ok([{ id: 'cb', verb: 'callback', name: 'slot', options: [{ key: '9', dayOffset: 1, from: '10:00', to: '12:00', label: 'tomorrow_morning' }] }]), key: 'flow.steps[0].options[0].key', says: /step "cb": the slot "tomorrow_morning" uses key 9/ },
  { what: 'a gather whose answers begin with the opt-out key', flow: ok([{ id: 'age', verb: 'gather', name: 'age', maxDigits: 2, validate: { kind: 'range', min: 18, max: 99 } }]), key: 'flow.steps[0].validate', says: /step "age": an answer that may begin with this key uses key 9/ },
  { what: 'a token the list does not have', flow: ok([{ id: 'hello', verb: 'play', prompt: { tts: 'Hello {first_name}, your {car_model} is ready' } }]), key: 'flow.steps[0].prompt', says: /step "hello": the list has no \{car_model\}/ },
  { what: 'a callback outside every window of the pack', flow: ok([{ id: 'cb', verb: 'callback', name: 'slot', options: [{ key: '1', dayOffset: 1, from: '13:00', to: '14:00', label: 'lunch' }] }]), key: 'flow.steps[0].options[0]', says: /step "cb": the slot "lunch" \(13:00-14:00\) is outside every window of the France pack/ },
  { what: 'a callback outside the campaign\'s windows', flow: ok([{ id: 'cb', verb: 'callback', name: 'slot', options: [{ key: '1', dayOffset: 0, from: '20:00', to: '21:00', label: 'late' }] }]), key: 'flow.steps[0].options[0]', says: /step "cb": the slot "late" \(20:00-21:00\) is outside every calling window of the campaign/ },
  { what: 'a recording that does not exist', flow: ok([{ id: 'intro', verb: 'play', prompt: { recording: 'no-such-file' } }]), key: 'flow.steps[0].prompt', says: /step "intro": no recording "no-such-file" in the library/ },
  { what: 'a transfer (until issue 16)', flow: ok([{ id: 'agent', verb: 'transfer', to: '201' }]), key: 'flow.steps[0]', says: /step "agent": transfer to a person is not available on this box yet/ },
  { what: 'two steps with one id', flow: ok([{ id: 'a', verb: 'set', name: 'x', value: '1', next: 'a' }, { id: 'a', verb: 'hangup' }]), key: 'flow.steps[1].id', says: /step "a": another step \(number 1\) has the same id/ },
  { what: 'a gather without its name', flow: ok([{ id: 'q', verb: 'gather' }]), key: 'flow.steps[0].name', says: /step "q": the answer's name/ },
  { what: 'a goto without a bound', flow: ok([{ id: 'again', verb: 'goto', target: 'again' }]), key: 'flow.steps[0].max', says: /step "again": how many times this goto may be taken/ },
  { what: 'an unknown flow version', flow: { version: 7, steps: [{ id: 'a', verb: 'hangup' }] }, key: 'flow.version', says: /flows of version 1/ },
];

for (const c of CASES) {
  test(`refused: ${c.what}`, (t) => {
    const e = t.throws(() => checkFlow(c.flow, ctx), { instanceOf: AppError });
    t.is(e.code, 'E_FLOW_INVALID');
    const field = e.fields?.find((f) => f.key === c.key);
    t.truthy(field, `a field error at ${c.key}; got ${JSON.stringify(e.fields)}`);
    t.regex(field!.message, c.says);
  });
}

test('a valid flow passes: bounded loop through a goto, tokens of the list, a callback inside both windows', (t) => {
  const flow = checkFlow(ok([
    { id: 'hello', verb: 'play', prompt: { tts: 'Hello {first_name}, see you on {appointment_date}' }, next: 'ask' },
    { id: 'ask', verb: 'menu', prompt: { recording: 'welcome' }, options: { 1: 'yes', 2: 'slot' }, noInput: 'again', invalid: 'again' },
    { id: 'again', verb: 'goto', target: 'hello', max: 2, else: 'bye' },
    { id: 'yes', verb: 'hangup', outcome: 'confirmed' },
    { id: 'slot', verb: 'callback', name: 'slot', options: [{ key: '1', dayOffset: 1, from: '09:00', to: '12:00', label: 'tomorrow_morning' }], next: 'bye' },
    { id: 'bye', verb: 'hangup' },
  ]), ctx);
  t.is(flow.steps.length, 6);
});

test('every problem is reported at once, each at its own step', (t) => {
  const e = t.throws(() => checkFlow(ok([
    { id: 'a', verb: 'menu', options: { 9: 'b' } },
    { id: 'b', verb: 'play', prompt: { recording: 'missing' }, next: 'zz' },
  ]), ctx), { instanceOf: AppError });
  t.deepEqual(e.fields?.map((f) => f.key).sort(), ['flow.steps[0].options.9', 'flow.steps[1].next', 'flow.steps[1].prompt']);
});

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
  staffGroups: ['front-desk'],
  transferNumbers: ['+33142000100'],
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
  // Issue 16: a transfer names a staff group the box has, or one of the organisation's own numbers, and says where a callee nobody answered goes.
  { what: 'a transfer to an unknown staff group', flow: ok([{ id: 'agent', verb: 'transfer', to: 'sales', noAnswer: 'bye' }, { id: 'bye', verb: 'hangup' }]), key: 'flow.steps[0].to', says: /step "agent": no staff group "sales" \(the box has "front-desk"\)/ },
  { what: 'a transfer to an external number not on the organisation\'s list (Rising Eagle)', flow: ok([{ id: 'agent', verb: 'transfer', to: '+12025550123', noAnswer: 'bye' }, { id: 'bye', verb: 'hangup' }]), key: 'flow.steps[0].to', says: /step "agent": \+12…123 is not one of the organisation's own numbers .*never handed to a third party/ },
  { what: 'a transfer without a fallback', flow: ok([{ id: 'agent', verb: 'transfer', to: 'front-desk' }]), key: 'flow.steps[0].noAnswer', says: /step "agent": needs a step for when nobody answers/ },
  { what: 'a transfer whose fallback is missing', flow: ok([{ id: 'agent', verb: 'transfer', to: 'front-desk', noAnswer: 'later' }]), key: 'flow.steps[0].noAnswer', says: /step "agent": leads to step "later", which the flow does not have/ },
  { what: 'a transfer whose wait is out of bounds', flow: ok([{ id: 'agent', verb: 'transfer', to: 'front-desk', waitMs: 900_000, noAnswer: 'bye' }, { id: 'bye', verb: 'hangup' }]), key: 'flow.steps[0].waitMs', says: /step "agent": milliseconds the callee waits for someone to answer \(5000 to 300000\)/ },
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

test('an external transfer is refused when the context names no list at all (the default is none)', (t) => {
  const e = t.throws(() => checkFlow(ok([{ id: 'x', verb: 'transfer', to: '+33142000100', noAnswer: 'bye' }, { id: 'bye', verb: 'hangup' }]), {}), { instanceOf: AppError });
  t.truthy(e.fields?.find((f) => f.key === 'flow.steps[0].to'));
});

test('a valid transfer passes: a known group with a callback fallback, and one of the organisation\'s own numbers', (t) => {
  const flow = checkFlow(ok([
    { id: 'ask', verb: 'menu', options: { 1: 'agent', 2: 'office' }, noInput: 'bye', invalid: 'bye' },
    { id: 'agent', verb: 'transfer', to: 'front-desk', strategy: 'longest-idle', waitMs: 20_000, holdPrompt: { recording: 'welcome' }, noAnswer: 'later', next: 'bye' },
    { id: 'office', verb: 'transfer', to: '+33142000100', whisper: false, noAnswer: 'later' },
    { id: 'later', verb: 'callback', name: 'slot', options: [{ key: '1', dayOffset: 1, from: '09:00', to: '12:00', label: 'tomorrow_morning' }], next: 'bye' },
    { id: 'bye', verb: 'hangup' },
  ]), ctx);
  const agent = flow.steps[1]!;
  t.like(agent, { verb: 'transfer', to: 'front-desk', strategy: 'longest-idle', waitMs: 20_000, noAnswer: 'later', next: 'bye' });
  t.like(flow.steps[2]!, { verb: 'transfer', to: '+33142000100', whisper: false, waitMs: 30_000 });
});

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

// The box's field errors about a call flow (`flow.steps[3].next`, its English words naming the step), as
// the flow editor shows them: on the step they name, in the page's language, the step named by its
// number and name as the editor shows them.
import type { FieldProblem } from '../api.ts';
import { formatNumber } from '../i18n.ts';
import type { WireFlow } from './types.ts';
import { t, type FlowKey } from './messages.ts';

const STEP_KEY = /^flow\.steps\[(\d+)\](?:\.(.+))?$/;

/** The step a problem is about (its index) and the field inside it ('' for the step as a whole); null when not a step's. */
export function stepOf(key: string): { index: number; field: string } | null {
  const m = STEP_KEY.exec(key);
  return m ? { index: Number(m[1]), field: m[2] ?? '' } : null;
}

type Rule = [RegExp, FlowKey, (m: RegExpExecArray) => Record<string, string>];

const RULES: Rule[] = [
  [/^leads to step "(.+)", which the flow does not have/, 'p.missing', (m) => ({ to: m[1]! })],
  [/^cannot be reached from the first step "(.+)"/, 'p.unreachable', (m) => ({ first: m[1]! })],
  [/^another step \(number (\d+)\) has the same id/, 'p.duplicate', (m) => ({ n: m[1]! })],
  [/^leads back to step "(.+?)", a loop/, 'p.loop', (m) => ({ to: m[1]! })],
  [/uses key (\S+), the campaign's opt-out key/, 'p.optOut', (m) => ({ key: m[1]! })],
  [/^the slot "(.+?)" \((\S+?)-(\S+?)\) is outside every calling window of the campaign/, 'p.slotWindow', (m) => ({ label: m[1]!, from: m[2]!, to: m[3]! })],
  [/^the slot "(.+?)" \((\S+?)-(\S+?)\) is outside every window of the/, 'p.slotPack', (m) => ({ label: m[1]!, from: m[2]!, to: m[3]! })],
  [/^no recording "(.+)" in the library/, 'p.recording', (m) => ({ id: m[1]! })],
  [/^the list has no (.+?) \(it has/, 'p.tokens', (m) => ({ tokens: m[1]! })],
  [/^transfer to a person is not available/, 'p.transfer', () => ({})],
  [/^unknown verb "(.*?)"/, 'p.unknownVerb', (m) => ({ verb: m[1]! })],
  [/^an id of 1 to 40/, 'p.id', () => ({})],
  [/^the id of another step/, 'p.ref', () => ({})],
  [/^a prompt:/, 'p.prompt', () => ({})],
  [/^the answer's name/, 'p.name', () => ({})],
  [/^(keys that end the recording|one key 0-9|"[^"]*" is not one key)/, 'p.keys', () => ({})],
  [/^keys leading to steps/, 'p.options', () => ({})],
  [/^(at least one time slot|a time slot|"from" and "to"|0 \(today\)|a label:)/, 'p.slot', () => ({})],
  [/^1 to \d+ steps/, 'p.steps', () => ({})],
];

/** The box's reason without the step it names ("step \"q1\": ..."): the page names the step itself. */
function reasonOf(message: string): string {
  return message.replace(/^step (?:"[^"]*"|\d+): /, '').replace(/^campaign field "[^"]*": /, '');
}

/** A flow problem's words in the page's language. */
export function flowProblemText(p: FieldProblem): string {
  const reason = reasonOf(p.message ?? '');
  for (const [re, key, vars] of RULES) {
    const m = re.exec(reason);
    if (m) return t(key, vars(m));
  }
  // A number out of its bounds: said in seconds where the editor asks for seconds.
  const range = /\((-?\d+) to (-?\d+)\)$/.exec(reason);
  if (range) {
    const secs = /Ms$/.test(p.key);
    const n = (s: string): string => formatNumber(secs ? Number(s) / 1000 : Number(s));
    return t('p.range', { min: n(range[1]!), max: n(range[2]!) });
  }
  return t('p.other');
}

const FIELD_WORDS: Record<string, FlowKey> = {
  id: 'stepId', verb: 'verb', prompt: 'prompt', noInputPrompt: 'noInputPrompt', invalidPrompt: 'invalidPrompt', confirmPrompt: 'confirmPrompt',
  next: 'next', onFail: 'onFail', noInput: 'noInput', invalid: 'invalid', target: 'target', else: 'else', name: 'name', value: 'value',
  minDigits: 'minDigits', maxDigits: 'maxDigits', terminator: 'terminator', firstDigitTimeoutMs: 'firstDigitTimeoutMs',
  interDigitTimeoutMs: 'interDigitTimeoutMs', timeoutMs: 'timeoutMs', tries: 'tries', validate: 'validate', maxMs: 'maxMs',
  silenceMs: 'silenceMs', endKeys: 'endKeys', options: 'options', to: 'transferTo', max: 'gotoMax', outcome: 'outcome', bargeIn: 'bargeIn',
};

/** A flow field's name as the editor shows it: "Step 3 “q1” · Then go to". */
export function flowFieldLabel(key: string, flow: WireFlow | null): string {
  if (key === 'flow.optOutAck') return t('optOutAck');
  const s = stepOf(key);
  if (!s) return t('flowLabel');
  const id = flow?.steps[s.index]?.id ?? String(s.index + 1);
  if (!s.field) return t('stepTitle', { n: s.index + 1, id });
  const opt = /^options\.(.+)$/.exec(s.field);
  const slot = /^options\[(\d+)\]/.exec(s.field);
  const field = opt ? `${t('optionKey')} ${opt[1]}` : slot ? `${t('slots')} ${Number(slot[1]) + 1}` : t(FIELD_WORDS[s.field] ?? 'flowLabel');
  return t('stepLabel', { n: s.index + 1, id, field });
}

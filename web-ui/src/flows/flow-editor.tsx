// The flow editor of the campaign form: the call's steps as a list of small forms (what the step does,
// what it says, where each branch leads, by step name), steps added, removed and moved, recordings and
// the list's columns picked; the box's problems shown on the step they name.
import type { FieldProblem } from '../api.ts';
import { Button, Field } from '../components/index.ts';
import type { RecordingSummary } from '../pages/campaigns/types.ts';
import { flowProblemText, stepOf } from './flow-problems.ts';
import { t, type FlowKey } from './messages.ts';
import { NumberField, OptionsField, PromptField, RefField, SlotsField, TextField, type StepCtx } from './step-fields.tsx';
import type { WireFlow, WirePrompt, WireStep } from './types.ts';
import './flows.css';

export const VERB_NAMES = ['play', 'gather', 'menu', 'record', 'set', 'callback', 'goto', 'hangup', 'transfer'] as const;

/** The answer a new callback step's first time is kept as (a code in the results, not words). */
const FIRST_SLOT_ANSWER = 'tomorrow_morning';

/** A new step of a verb, with the box's defaults, keeping its name. */
export function newStep(id: string, verb: string, first: string): WireStep {
  switch (verb) {
    case 'play': return { id, verb, prompt: { tts: '' } };
    case 'gather': return { id, verb, name: 'answer', minDigits: 1, maxDigits: 1, firstDigitTimeoutMs: 5000, interDigitTimeoutMs: 3000, tries: 2 };
    case 'menu': return { id, verb, options: {}, timeoutMs: 5000, tries: 1 };
    case 'record': return { id, verb, name: 'comment', maxMs: 60_000, silenceMs: 3000, endKeys: '#' };
    case 'set': return { id, verb, name: 'answer', value: '' };
    case 'callback': return { id, verb, name: 'callback_slot', options: [{ key: '1', dayOffset: 1, from: '09:00', to: '12:00', label: FIRST_SLOT_ANSWER }], timeoutMs: 6000, tries: 2 };
    case 'goto': return { id, verb, target: first, max: 2 };
    case 'transfer': return { id, verb, to: '' };
    default: return { id, verb };
  }
}

const REF_FIELDS = ['next', 'onFail', 'noInput', 'invalid', 'target', 'else'];

/** Every reference to step `from` now names `to` (a step renamed keeps its branches). */
function renameRefs(steps: WireStep[], from: string, to: string): WireStep[] {
  return steps.map((s) => {
    const out: WireStep = { ...s };
    for (const f of REF_FIELDS) if (out[f] === from) out[f] = to;
    if (s.verb === 'menu' && s.options && typeof s.options === 'object') {
      out.options = Object.fromEntries(Object.entries(s.options as Record<string, string>).map(([k, v]) => [k, v === from ? to : v]));
    }
    return out;
  });
}

/** A verb in the page's words (a verb this page does not know keeps its code). */
export function verbWords(verb: string): string {
  const key = `verb.${verb}` as FlowKey;
  return t(key) === key ? verb : t(key);
}

/** Where a step may lead, as its folded line shows it: [what happens, the step it leads to ('' = the call ends)]. */
export function branchesOf(s: WireStep): Array<[string, string]> {
  const ref = (f: string): string => (typeof s[f] === 'string' ? (s[f] as string) : '');
  switch (s.verb) {
    case 'menu':
      return [
        ...Object.entries((s.options ?? {}) as Record<string, string>).map(([k, to]): [string, string] => [t('b.key', { key: k }), to]),
        [t('b.noInput'), ref('noInput')], [t('b.invalid'), ref('invalid')],
      ];
    case 'callback':
      return [
        ...(Array.isArray(s.options) ? s.options as Array<{ key: string }> : []).map((o): [string, string] => [t('b.key', { key: o.key }), ref('next')]),
        [t('b.onFail'), ref('onFail')],
      ];
    case 'gather': return [[t('b.answered'), ref('next')], [t('b.onFail'), ref('onFail')]];
    case 'goto': return [[t('b.target'), ref('target')], [t('b.else'), ref('else')]];
    case 'hangup': return [];
    default: return [[t('b.next'), ref('next')]];
  }
}

export interface FlowEditorProps {
  flow: WireFlow;
  onChange: (f: WireFlow) => void;
  /** The DOM id of a field by the box's key (`flow.steps[2].next`). */
  fid: (key: string) => string;
  problems: FieldProblem[];
  recordings: RecordingSummary[];
  tokens: string[];
}

export function FlowEditor({ flow, onChange, fid, problems, recordings, tokens }: FlowEditorProps) {
  const steps = flow.steps;
  const setSteps = (s: WireStep[]): void => onChange({ ...flow, steps: s });
  const move = (i: number, by: number): void => {
    const s = [...steps];
    const [x] = s.splice(i, 1);
    s.splice(i + by, 0, x!);
    setSteps(s);
  };
  const freeId = (): string => {
    let n = steps.length + 1;
    while (steps.some((s) => s.id === `step-${n}`)) n++;
    return `step-${n}`;
  };
  return (
    <div class="flow-editor" data-testid="flow-editor">
      <p class="label">{t('steps')}</p>
      <p class="field__hint">{t('stepsHint')}</p>
      <ol class="flow-steps">
        {steps.map((s, i) => {
          const mine = problems.filter((p) => stepOf(p.key)?.index === i);
          const ctx: StepCtx = {
            idOf: (field) => fid(`flow.steps[${i}].${field}`),
            errorOf: (field) => {
              const p = mine.find((x) => stepOf(x.key)?.field === field);
              return p ? flowProblemText(p) : undefined;
            },
            stepIds: steps.map((x) => x.id),
            recordings,
            tokens,
          };
          const update = (next: WireStep): void => setSteps(steps.map((x, j) => (j === i ? next : x)));
          return (
            <li key={i} class={`flow-step${mine.length > 0 ? ' flow-step--error' : ''}`} data-testid={`flow-step-${i}`}>
              {/* Folded to its branches (an indented outline of the flow); opened to edit, and opened when the box finds a problem. */}
              <details open={mine.length > 0 || undefined}>
                <summary>
                  <span class="flow-step__title" id={fid(`flow.steps[${i}]`)} tabIndex={-1}>{t('stepTitle', { n: i + 1, id: s.id })}{' · '}{verbWords(s.verb)}</span>
                  <ul class="flow-branches">
                    {branchesOf(s).map(([label, to], k) => <li key={k}>{t('branch', { label, to: to || t('endCall') })}</li>)}
                  </ul>
                </summary>
                {mine.length > 0 && (
                  <div class="notice notice--error" role="alert" data-testid={`flow-step-problems-${i}`}>
                    <strong>{t('stepProblems')}</strong>
                    <ul>{mine.map((p, k) => <li key={k}>{flowProblemText(p)}</li>)}</ul>
                  </div>
                )}
                <div class="form-row">
                  <TextField label={t('stepId')} field="id" value={s.id} ctx={ctx} maxLength={40} hint={t('stepIdHint')}
                    onChange={(v) => setSteps(renameRefs(steps, s.id, v ?? '').map((x, j) => (j === i ? { ...x, id: v ?? '' } : x)))} />
                  <Field label={t('verb')} id={ctx.idOf('verb')} error={ctx.errorOf('verb')}>
                    <select value={s.verb} onChange={(e) => update(newStep(s.id, e.currentTarget.value, steps[0]?.id ?? ''))}>
                      {(VERB_NAMES as readonly string[]).includes(s.verb) ? null : <option value={s.verb}>{s.verb}</option>}
                      {VERB_NAMES.map((v) => <option key={v} value={v}>{t(`verb.${v}`)}</option>)}
                    </select>
                  </Field>
                </div>
                <StepFields step={s} update={update} ctx={ctx} />
                <div class="flow-step__actions">
                  <Button disabled={i === 0} onClick={() => move(i, -1)}>{t('moveUp', { n: i + 1 })}</Button>
                  <Button disabled={i === steps.length - 1} onClick={() => move(i, 1)}>{t('moveDown', { n: i + 1 })}</Button>
                  <Button disabled={steps.length === 1} onClick={() => setSteps(steps.filter((_, j) => j !== i))}>{t('remove', { n: i + 1 })}</Button>
                </div>
              </details>
            </li>
          );
        })}
      </ol>
      <Button onClick={() => setSteps([...steps, newStep(freeId(), 'play', steps[0]?.id ?? '')])}>{t('addStep')}</Button>
    </div>
  );
}

/** The fields of one step, by its verb. */
function StepFields({ step: s, update, ctx }: { step: WireStep; update: (s: WireStep) => void; ctx: StepCtx }) {
  const set = (field: string, v: unknown): void => {
    const next: WireStep = { ...s };
    if (v === undefined) delete next[field];
    else next[field] = v;
    update(next);
  };
  const prompt = (field: 'prompt' | 'noInputPrompt' | 'invalidPrompt' | 'confirmPrompt', optional = true) => (
    <PromptField label={t(field)} field={field} value={s[field] as WirePrompt | undefined} optional={optional} ctx={ctx} onChange={(p) => set(field, p)} />
  );
  const ref = (field: 'next' | 'onFail' | 'noInput' | 'invalid' | 'else') => <RefField label={t(field)} field={field} value={s[field] as string | undefined} ctx={ctx} onChange={(v) => set(field, v)} />;
  const num = (field: string, label: Parameters<typeof t>[0], o: { seconds?: boolean; min?: number; max?: number } = {}) => (
    <NumberField label={t(label)} field={field} value={s[field]} ctx={ctx} onChange={(v) => set(field, v)} {...o} />
  );
  const text = (field: string, label: Parameters<typeof t>[0], hint?: string) => <TextField label={t(label)} field={field} value={s[field]} ctx={ctx} hint={hint} onChange={(v) => set(field, v)} />;
  switch (s.verb) {
    case 'play':
      return (
        <>
          {prompt('prompt', false)}
          <label class="check"><input type="checkbox" checked={s.bargeIn !== false} onChange={(e) => set('bargeIn', e.currentTarget.checked ? undefined : false)} /> {t('bargeIn')}</label>
          {ref('next')}
        </>
      );
    case 'gather': {
      const v = s.validate as { kind: 'range'; min: number; max: number } | { kind: 'date' } | undefined;
      return (
        <>
          {text('name', 'name', t('nameHint'))}
          {prompt('prompt')}
          <div class="form-row">{num('minDigits', 'minDigits', { min: 1, max: 20 })}{num('maxDigits', 'maxDigits', { min: 1, max: 20 })}{text('terminator', 'terminator')}</div>
          <div class="form-row">
            <Field label={t('validate')} id={ctx.idOf('validate')} error={ctx.errorOf('validate')}>
              <select value={v?.kind ?? 'none'} onChange={(e) => {
                const k = e.currentTarget.value;
                set('validate', k === 'range' ? { kind: 'range', min: 1, max: 5 } : k === 'date' ? { kind: 'date' } : undefined);
              }}>
                <option value="none">{t('val.none')}</option>
                <option value="range">{t('val.range')}</option>
                <option value="date">{t('val.date')}</option>
              </select>
            </Field>
            {v?.kind === 'range' && (
              <>
                <Field label={t('valMin')} id={ctx.idOf('validate-min')}><input type="number" value={v.min} onInput={(e) => set('validate', { ...v, min: Number(e.currentTarget.value) })} /></Field>
                <Field label={t('valMax')} id={ctx.idOf('validate-max')}><input type="number" value={v.max} onInput={(e) => set('validate', { ...v, max: Number(e.currentTarget.value) })} /></Field>
              </>
            )}
          </div>
          <div class="form-row">{num('firstDigitTimeoutMs', 'firstDigitTimeoutMs', { seconds: true })}{num('interDigitTimeoutMs', 'interDigitTimeoutMs', { seconds: true })}{num('tries', 'tries', { min: 1, max: 5 })}</div>
          {prompt('invalidPrompt')}
          {prompt('noInputPrompt')}
          {ref('next')}
          {ref('onFail')}
        </>
      );
    }
    case 'menu':
      return (
        <>
          {text('name', 'nameOptional', t('nameHint'))}
          {prompt('prompt')}
          <OptionsField value={(s.options ?? {}) as Record<string, string>} ctx={ctx} onChange={(o) => set('options', o)} />
          <div class="form-row">{num('timeoutMs', 'timeoutMs', { seconds: true })}{num('tries', 'tries', { min: 1, max: 5 })}</div>
          {prompt('invalidPrompt')}
          {prompt('noInputPrompt')}
          {ref('noInput')}
          {ref('invalid')}
        </>
      );
    case 'record':
      return (
        <>
          {text('name', 'name', t('nameHint'))}
          {prompt('prompt')}
          <div class="form-row">{num('maxMs', 'maxMs', { seconds: true })}{num('silenceMs', 'silenceMs', { seconds: true })}{text('endKeys', 'endKeys')}</div>
          {ref('next')}
        </>
      );
    case 'set':
      return <>{text('name', 'name', t('nameHint'))}{text('value', 'value')}{ref('next')}</>;
    case 'callback':
      return (
        <>
          {text('name', 'name', t('nameHint'))}
          {prompt('prompt')}
          <SlotsField value={(Array.isArray(s.options) ? s.options : []) as Array<{ key: string; dayOffset: number; from: string; to: string; label: string }>} ctx={ctx} onChange={(o) => set('options', o)} />
          <div class="form-row">{num('timeoutMs', 'timeoutMs', { seconds: true })}{num('tries', 'tries', { min: 1, max: 5 })}</div>
          {prompt('confirmPrompt')}
          {ref('next')}
          {ref('onFail')}
        </>
      );
    case 'goto':
      return (
        <>
          <RefField label={t('target')} field="target" value={s.target as string | undefined} required ctx={ctx} onChange={(v) => set('target', v)} />
          {num('max', 'gotoMax', { min: 1, max: 10 })}
          {ref('else')}
        </>
      );
    case 'hangup':
      return (
        <>
          {prompt('prompt')}
          <Field label={t('outcome')} id={ctx.idOf('outcome')} error={ctx.errorOf('outcome')}>
            <select value={s.outcome === 'confirmed' ? 'confirmed' : 'human'} onChange={(e) => set('outcome', e.currentTarget.value === 'confirmed' ? 'confirmed' : undefined)}>
              <option value="human">{t('outcome.human')}</option>
              <option value="confirmed">{t('outcome.confirmed')}</option>
            </select>
          </Field>
        </>
      );
    case 'transfer':
      return <>{text('to', 'transferTo')}{ref('next')}</>;
    default:
      return null;
  }
}

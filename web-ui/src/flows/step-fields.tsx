// The small controls of a step's form: a prompt (the campaign's message, a recording, or text with the
// list's columns), a branch to another step by name, a number (seconds where the box keeps milliseconds),
// keys, the menu's keys and the callback's times.
import { Button, Field } from '../components/index.ts';
import type { RecordingSummary } from '../pages/campaigns/types.ts';
import { t } from './messages.ts';
import type { WirePrompt } from './types.ts';

export interface StepCtx {
  /** DOM id of a field of this step, e.g. idOf('next') (the error summary links to it). */
  idOf: (field: string) => string;
  /** The box's words for a field of this step, when it has a problem. */
  errorOf: (field: string) => string | undefined;
  stepIds: string[];
  recordings: RecordingSummary[];
  tokens: string[];
}

type PromptKind = 'none' | 'message' | 'recording' | 'tts';

function kindOf(p: WirePrompt | undefined): PromptKind {
  if (!p) return 'none';
  return 'recording' in p ? 'recording' : 'tts' in p ? 'tts' : 'message';
}

export function PromptField({ label, field, value, optional, onChange, ctx }: {
  label: string; field: string; value: WirePrompt | undefined; optional: boolean; onChange: (p: WirePrompt | undefined) => void; ctx: StepCtx;
}) {
  const kind = kindOf(value);
  const setKind = (k: PromptKind): void => {
    if (k === 'none') onChange(undefined);
    else if (k === 'message') onChange({ message: true });
    else if (k === 'recording') onChange({ recording: ctx.recordings[0]?.id ?? '' });
    else onChange({ tts: value && 'tts' in value ? value.tts : '' });
  };
  const kinds: PromptKind[] = optional ? ['none', 'message', 'recording', 'tts'] : ['message', 'recording', 'tts'];
  return (
    <div class="flow-prompt" role="group" aria-label={label}>
      <Field label={`${label} · ${t('promptKind')}`} id={ctx.idOf(`${field}-kind`)}>
        <select value={kind} onChange={(e) => setKind(e.currentTarget.value as PromptKind)}>
          {kinds.map((k) => <option key={k} value={k}>{t(`pk.${k}`)}</option>)}
        </select>
      </Field>
      {value && 'tts' in value && (
        <>
          <Field label={`${label} · ${t('promptText')}`} id={ctx.idOf(field)} error={ctx.errorOf(field)}>
            <textarea rows={2} maxLength={2000} value={value.tts} onInput={(e) => onChange({ tts: e.currentTarget.value })} />
          </Field>
          {ctx.tokens.length > 0 && (
            <Field label={`${label} · ${t('insertToken')}`} id={ctx.idOf(`${field}-token`)}>
              <select value="" onChange={(e) => { const tok = e.currentTarget.value; if (tok) onChange({ tts: `${value.tts}{${tok}}` }); }}>
                <option value="">{t('insertTokenNone')}</option>
                {ctx.tokens.map((tok) => <option key={tok} value={tok}>{`{${tok}}`}</option>)}
              </select>
            </Field>
          )}
        </>
      )}
      {value && 'recording' in value && (
        <Field label={`${label} · ${t('promptRecording')}`} id={ctx.idOf(field)} error={ctx.errorOf(field)}>
          <select value={value.recording} onChange={(e) => onChange({ recording: e.currentTarget.value })}>
            {ctx.recordings.some((r) => r.id === value.recording) ? null : <option value={value.recording}>{value.recording}</option>}
            {ctx.recordings.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
          </select>
        </Field>
      )}
      {kind === 'message' && ctx.errorOf(field) && <p class="field__error" id={ctx.idOf(field)} tabIndex={-1}>{ctx.errorOf(field)}</p>}
    </div>
  );
}

export function RefField({ label, field, value, onChange, ctx, required }: {
  label: string; field: string; value: string | undefined; onChange: (v: string | undefined) => void; ctx: StepCtx; required?: boolean;
}) {
  return (
    <Field label={label} id={ctx.idOf(field)} error={ctx.errorOf(field)}>
      <select value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value || undefined)}>
        {!required && <option value="">{t('endCall')}</option>}
        {value !== undefined && !ctx.stepIds.includes(value) && <option value={value}>{value}</option>}
        {ctx.stepIds.map((id) => <option key={id} value={id}>{id}</option>)}
      </select>
    </Field>
  );
}

/** A whole number; `seconds`: shown in seconds, kept in milliseconds. */
export function NumberField({ label, field, value, onChange, ctx, seconds, min, max }: {
  label: string; field: string; value: unknown; onChange: (v: number | undefined) => void; ctx: StepCtx; seconds?: boolean; min?: number; max?: number;
}) {
  const shown = typeof value === 'number' ? String(seconds ? value / 1000 : value) : '';
  return (
    <Field label={label} id={ctx.idOf(field)} error={ctx.errorOf(field)}>
      <input type="number" inputMode="decimal" step="any" min={min} max={max} value={shown} onInput={(e) => {
        const raw = e.currentTarget.value.trim().replace(',', '.');
        if (raw === '') return onChange(undefined);
        const n = Number(raw);
        onChange(Number.isFinite(n) ? Math.round(seconds ? n * 1000 : n) : undefined);
      }} />
    </Field>
  );
}

export function TextField({ label, field, value, onChange, ctx, hint, maxLength = 200 }: {
  label: string; field: string; value: unknown; onChange: (v: string | undefined) => void; ctx: StepCtx; hint?: string; maxLength?: number;
}) {
  return (
    <Field label={label} id={ctx.idOf(field)} error={ctx.errorOf(field)} hint={hint}>
      <input value={typeof value === 'string' ? value : ''} maxLength={maxLength} onInput={(e) => onChange(e.currentTarget.value === '' ? undefined : e.currentTarget.value)} />
    </Field>
  );
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#'];

/** A menu's keys, each leading to a step. */
export function OptionsField({ value, onChange, ctx }: { value: Record<string, string>; onChange: (v: Record<string, string>) => void; ctx: StepCtx }) {
  const entries = Object.entries(value);
  const free = KEYS.filter((k) => !(k in value));
  const setKey = (old: string, key: string): void => onChange(Object.fromEntries(entries.map(([k, v]) => [k === old ? key : k, v])));
  return (
    <div role="group" aria-label={t('options')} class="flow-options" id={ctx.idOf('options')} tabIndex={-1}>
      <p class="label">{t('options')}</p>
      {entries.map(([k, to]) => (
        <div class="form-row" key={k}>
          <Field label={t('optionKey')} id={ctx.idOf(`options.${k}-key`)}>
            <select value={k} onChange={(e) => setKey(k, e.currentTarget.value)}>
              {[k, ...free].map((x) => <option key={x} value={x}>{x}</option>)}
            </select>
          </Field>
          <RefField label={t('optionTo')} field={`options.${k}`} value={to} required ctx={ctx} onChange={(v) => onChange({ ...value, [k]: v ?? '' })} />
          <Button onClick={() => onChange(Object.fromEntries(entries.filter(([x]) => x !== k)))}>{t('removeOption', { key: k })}</Button>
        </div>
      ))}
      {ctx.errorOf('options') && <p class="field__error">{ctx.errorOf('options')}</p>}
      {free.length > 0 && <Button onClick={() => onChange({ ...value, [free[0]!]: ctx.stepIds[0] ?? '' })}>{t('addOption')}</Button>}
    </div>
  );
}

interface Slot { key: string; dayOffset: number; from: string; to: string; label: string }

/** Another time, on a free key; its answer code (`slot_2`) is a column of the results, not words. */
function newSlot(value: Slot[]): Slot {
  const answer = `slot_${value.length + 1}`;
  return { key: KEYS.find((k) => !value.some((s) => s.key === k)) ?? '1', dayOffset: 1, from: '09:00', to: '12:00', label: answer };
}

/** The times a callback step offers: key, day, from, to and the answer kept. */
export function SlotsField({ value, onChange, ctx }: { value: Slot[]; onChange: (v: Slot[]) => void; ctx: StepCtx }) {
  const set = (j: number, patch: Partial<Slot>): void => onChange(value.map((s, i) => (i === j ? { ...s, ...patch } : s)));
  return (
    <div role="group" aria-label={t('slots')} class="flow-options" id={ctx.idOf('options')} tabIndex={-1}>
      <p class="label">{t('slots')}</p>
      {value.map((s, j) => (
        <div class="form-row" key={j}>
          <Field label={t('slotKey')} id={ctx.idOf(`options[${j}].key`)} error={ctx.errorOf(`options[${j}].key`)}>
            <select value={s.key} onChange={(e) => set(j, { key: e.currentTarget.value })}>{KEYS.map((k) => <option key={k} value={k}>{k}</option>)}</select>
          </Field>
          <Field label={t('slotDay')} id={ctx.idOf(`options[${j}].dayOffset`)} error={ctx.errorOf(`options[${j}].dayOffset`)}>
            <select value={String(s.dayOffset)} onChange={(e) => set(j, { dayOffset: Number(e.currentTarget.value) })}>
              {[0, 1, 2, 3, 4, 5, 6].map((d) => <option key={d} value={String(d)}>{d < 2 ? t(`day.${d}` as 'day.0') : t('day.n', { n: d })}</option>)}
            </select>
          </Field>
          <Field label={t('slotFrom')} id={ctx.idOf(`options[${j}].from`)} error={ctx.errorOf(`options[${j}].from`) ?? ctx.errorOf(`options[${j}]`)}>
            <input type="time" value={s.from} onInput={(e) => set(j, { from: e.currentTarget.value })} />
          </Field>
          <Field label={t('slotTo')} id={ctx.idOf(`options[${j}].to`)}>
            <input type="time" value={s.to} onInput={(e) => set(j, { to: e.currentTarget.value })} />
          </Field>
          <Field label={t('slotLabel')} id={ctx.idOf(`options[${j}].label`)} error={ctx.errorOf(`options[${j}].label`)}>
            <input value={s.label} maxLength={40} onInput={(e) => set(j, { label: e.currentTarget.value })} />
          </Field>
          <Button onClick={() => onChange(value.filter((_, i) => i !== j))}>{t('removeSlot', { n: j + 1 })}</Button>
        </div>
      ))}
      <Button onClick={() => onChange([...value, newSlot(value)])}>{t('addSlot')}</Button>
    </div>
  );
}

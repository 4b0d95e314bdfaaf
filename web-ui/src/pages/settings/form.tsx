// One settings section = a draft of some top-level keys of the settings document, saved by reading the
// latest document, replacing those keys and PUTting it back. Field errors come back keyed by path
// ("trunks.0.host") and show next to the input bound to that path.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, asApiError } from '../../api.ts';
import { plainFieldMessage } from '../../schema-messages.ts';
import { Button, Field, Notice } from '../../components/index.ts';
import { t } from './messages.ts';

export type Doc = Record<string, unknown>;
export const REDACTED = '[redacted]';

function getAt(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

function setAt(obj: Doc, path: string, value: unknown): Doc {
  const copy = structuredClone(obj);
  const keys = path.split('.');
  let v: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) {
    if (v[k] === null || typeof v[k] !== 'object') v[k] = /^\d+$/.test(k) ? [] : {};
    v = v[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete v[last];
  else v[last] = value;
  return copy;
}

export interface Section {
  get(path: string): unknown;
  set(path: string, value: unknown): void;
  error(path: string): string | undefined;
  draft: Doc;
  replace(next: Doc): void;
}

export function useSection(initial: Doc, keys: string[], onSaved: (doc: Doc) => void) {
  const [draft, setDraft] = useState<Doc>(() => structuredClone(initial));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [saving, setSaving] = useState(false);

  const section: Section = {
    draft,
    get: (path) => getAt(draft, path),
    set: (path, value) => setDraft((d) => setAt(d, path, value)),
    error: (path) => (errors[path] === undefined ? undefined : plainFieldMessage(errors[path]!)),
    replace: (next) => setDraft(next),
  };

  async function save(e?: Event): Promise<void> {
    e?.preventDefault();
    setSaving(true);
    setStatus(null);
    try {
      const latest = await api<Doc>('GET', '/api/settings');
      for (const k of keys) latest[k] = draft[k];
      const saved = await api<Doc>('PUT', '/api/settings', latest);
      setErrors({});
      setDraft(structuredClone(saved));
      setStatus({ kind: 'success', text: t('saved') });
      onSaved(saved);
    } catch (err) {
      const ae = asApiError(err);
      setErrors(ae.fields);
      const own = Object.keys(ae.fields).some((k) => keys.some((s) => k === s || k.startsWith(`${s}.`)));
      // The box's message names the first wrong setting ("setting trunks.0.host: ..."); keep the name, plain words after it.
      const plain = ae.message.replace(/^(setting [^:]+: )(.*?)( \(and \d+ more\))?$/, (_all, head: string, msg: string, more?: string) => `${head}${plainFieldMessage(msg)}${more ?? ''}`);
      setStatus({ kind: 'error', text: own ? `${t('invalid')} (${plain})` : plain });
    } finally {
      setSaving(false);
    }
  }

  return { section, save, saving, status };
}

export function SectionForm({ title, intro, children, save, saving, status, testId }: {
  title: ComponentChildren;
  intro?: ComponentChildren;
  children: ComponentChildren;
  save: (e?: Event) => Promise<void>;
  saving: boolean;
  status: { kind: 'error' | 'success'; text: string } | null;
  testId?: string;
}) {
  return (
    <section class="card" data-testid={testId}>
      <h2>{title}</h2>
      {intro && <p class="muted">{intro}</p>}
      <form onSubmit={(e) => void save(e)} noValidate>
        {children}
        {status && <Notice kind={status.kind}>{status.text}</Notice>}
        <Button type="submit" variant="primary" busy={saving}>{t('save')}</Button>
      </form>
    </section>
  );
}

interface InputProps {
  s: Section;
  path: string;
  label: ComponentChildren;
  hint?: ComponentChildren;
}

/** Text input; `optional` removes the key when emptied, `nullable` sets it to null. */
export function TextIn({ s, path, label, hint, optional, nullable, placeholder }: InputProps & { optional?: boolean; nullable?: boolean; placeholder?: string }) {
  const v = s.get(path);
  return (
    <Field label={label} hint={hint} error={s.error(path)}>
      <input value={typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v)} placeholder={placeholder}
        onInput={(e) => {
          const x = e.currentTarget.value;
          s.set(path, x === '' && optional ? undefined : x === '' && nullable ? null : x);
        }} />
    </Field>
  );
}

/** Number input: sends a number when the text is one, else the text itself (the box then says what is wrong). */
export function NumberIn({ s, path, label, hint, optional }: InputProps & { optional?: boolean }) {
  const v = s.get(path);
  return (
    <Field label={label} hint={hint} error={s.error(path)}>
      <input type="text" inputMode="numeric" value={v === undefined || v === null ? '' : String(v)}
        onInput={(e) => {
          const x = e.currentTarget.value.trim();
          s.set(path, x === '' && optional ? undefined : x !== '' && Number.isFinite(Number(x)) ? Number(x) : x);
        }} />
    </Field>
  );
}

export function SelectIn({ s, path, label, hint, options }: InputProps & { options: Array<[unknown, string]> }) {
  const v = s.get(path);
  const idx = options.findIndex(([o]) => o === v);
  return (
    <Field label={label} hint={hint} error={s.error(path)}>
      <select value={String(idx)} onChange={(e) => s.set(path, options[Number(e.currentTarget.value)]?.[0])}>
        {idx < 0 && <option value="-1">{String(v ?? '')}</option>}
        {options.map(([, text], i) => <option key={i} value={String(i)}>{text}</option>)}
      </select>
    </Field>
  );
}

export function CheckIn({ s, path, label }: InputProps) {
  const id = `chk-${path.replace(/\W/g, '-')}`;
  const err = s.error(path);
  return (
    <div class="check">
      <input id={id} type="checkbox" checked={s.get(path) === true} onChange={(e) => s.set(path, e.currentTarget.checked)} aria-describedby={err ? `${id}-error` : undefined} />
      <label for={id}>{label}</label>
      {err && <span class="field__error" id={`${id}-error`}>{err}</span>}
    </div>
  );
}

/** A secret: "[redacted]" from the box shows as empty with "unchanged"; left empty, the stored one is kept. */
export function SecretIn({ s, path, label }: InputProps) {
  const v = s.get(path);
  const [hadStored] = useState(v === REDACTED);
  const stored = v === REDACTED;
  return (
    <Field label={label} hint={hadStored ? t('secretHint') : undefined} error={s.error(path)}>
      <input type="password" autoComplete="new-password" value={stored || typeof v !== 'string' ? '' : v} placeholder={stored ? t('unchanged') : ''}
        onInput={(e) => s.set(path, e.currentTarget.value === '' ? (hadStored ? REDACTED : undefined) : e.currentTarget.value)} />
    </Field>
  );
}

/** A list of strings edited as comma-separated text. */
export function ListIn({ s, path, label, hint }: InputProps) {
  const v = s.get(path);
  const [text, setText] = useState(Array.isArray(v) ? v.join(', ') : '');
  return (
    <Field label={label} hint={hint} error={s.error(path) ?? s.error(`${path}.0`)}>
      <input value={text} onInput={(e) => {
        setText(e.currentTarget.value);
        s.set(path, e.currentTarget.value.split(',').map((x) => x.trim()).filter(Boolean));
      }} />
    </Field>
  );
}

// The campaign wizard: one form in sections (list, message, voicemail, keypad menu, message content
// for compliance, caller ID, trunk, schedule, pacing, retries, purpose). Saving creates (or changes) a draft and opens its page, where
// the preflight report and the ETA come before the start.
import { useEffect, useState } from 'preact/hooks';
import { api, asApiError, useApi, type ApiError, type FieldProblem } from '../../api.ts';
import { FormErrors } from '../../components/form-errors.tsx';
import { fieldId, inFormOrder, problemsOf, problemText } from '../../field-problems.ts';
import { navigate } from '../../router.ts';
import { useLang } from '../../i18n.ts';
import { packName, VOICES, voiceLabel } from '../../names.ts';
import { Button, Field, Link, Notice, Page } from '../../components/index.ts';
import { t } from './messages.ts';
import { purposeLabel, outcomeLabel } from '../../messages.ts';
import { checkForm, configFromForm, FIELD_ORDER, formFromConfig, RETRY_OUTCOMES, type WizardForm } from './wizard-form.ts';
import type { CampaignOptions, CampaignView, ListSummary, PacksResponse, RecordingSummary, StartProblem } from './types.ts';
import { ScheduleFields } from './schedule-fields.tsx';
import { ScriptFields } from './script-fields.tsx';
import { TtsPreview } from './tts-preview.tsx';
import { FlowSection } from '../../flows/flow-section.tsx';
import { flowFieldLabel, flowProblemText } from '../../flows/flow-problems.ts';
import { t as tf } from '../../flows/messages.ts';
import './campaigns.css';

const PACKS = ['us', 'ca', 'fr', 'uk', 'none'];
const KEYS = ['', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'];

export function CampaignWizard({ editId }: { editId?: number }) {
  const lang = useLang();
  const opts = useApi<CampaignOptions>('/api/campaigns/options');
  const lists = useApi<ListSummary[]>('/api/lists');
  const recs = useApi<RecordingSummary[]>('/api/recordings');
  const existing = useApi<CampaignView>(editId ? `/api/campaigns/${editId}` : null);
  // Optional: the pack's script rule for the hints, and what the start check says of a saved campaign.
  const packs = useApi<PacksResponse>('/api/compliance/packs');
  const startCheck = useApi<{ problems: StartProblem[] }>(editId ? `/api/compliance/campaigns/${editId}/start-check` : null);
  const [form, setForm] = useState<WizardForm | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  /** Every field at fault, from the page's own check or from the box; shown at the top and at each field. */
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (form || !opts.data || (editId && !existing.data)) return;
    const f = formFromConfig(existing.data?.config ?? opts.data.defaults, opts.data, lang);
    if (existing.data) {
      f.name = existing.data.name;
      f.listId = String(existing.data.listId);
    }
    setForm(f);
  }, [opts.data, existing.data]);

  const loadError = opts.error ?? lists.error ?? recs.error ?? existing.error;
  if (!form || !opts.data) {
    return <Page title={editId ? t('editTitle') : t('newTitle')}>{loadError ? <Notice kind="error">{loadError.message}</Notice> : <p>{t('loading')}</p>}</Page>;
  }
  const o = opts.data;
  // A paused campaign: only what concerns the calls still to come may change (the box checks it too).
  const started = existing.data !== undefined && existing.data.status !== 'draft';
  const set = <K extends keyof WizardForm>(k: K, v: WizardForm[K]): void => setForm((f) => (f ? { ...f, [k]: v } : f));
  const say = (p: FieldProblem): string => (p.key.startsWith('flow') ? flowProblemText(p) : p.rule === 'required' && REQUIRED_WORDS[p.key] ? t(REQUIRED_WORDS[p.key]!) : problemText(p));
  const err = (k: string): string | undefined => {
    const p = problems.find((x) => x.key === k);
    return p ? say(p) : undefined;
  };
  const fid = (k: string): string => fieldId('campaign', k);
  const label = (k: string): string => (k.startsWith('flow') ? flowFieldLabel(k, form.flow) : fieldLabel(k));
  const recordings = recs.data ?? [];
  const recordingOptions = (none: string) => [
    <option key="" value="">{none}</option>,
    ...recordings.map((r) => <option key={r.id} value={r.id}>{r.name}</option>),
  ];

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    // What the page can tell without the box, all at once; the box checks everything again.
    const mine = checkForm(form, o.country);
    setError(null);
    setProblems(inFormOrder(mine, FIELD_ORDER));
    if (mine.length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const config = configFromForm(form, o.defaults.retry);
      const v = editId
        ? await api<CampaignView>('PUT', `/api/campaigns/${editId}`, config)
        : await api<CampaignView>('POST', '/api/campaigns', { name: form.name.trim(), listId: Number(form.listId) || 0, config });
      navigate(`/campaigns/${v.id}`);
    } catch (x) {
      const e = asApiError(x);
      setError(e);
      setProblems(inFormOrder(problemsOf(e), FIELD_ORDER));
      setBusy(false);
    }
  };

  return (
    <Page title={editId ? t('editTitle') : t('newTitle')}>
      {started && <Notice kind="info" title={t('editPausedTitle')} testId="edit-paused">{t('editPausedBody')}</Notice>}
      <form class="wizard" onSubmit={submit} noValidate>
        <fieldset>
          <legend>{t('stepBasics')}</legend>
          <Field label={t('name')} id={fid('name')} error={err('name')}>
            <input value={form.name} disabled={!!editId} maxLength={100} required onInput={(e) => set('name', e.currentTarget.value)} />
          </Field>
          <Field label={t('list')} id={fid('listId')} error={err('listId')} hint={lists.data?.length === 0 ? <>{t('noLists')} <Link href="/lists">{t('goLists')}</Link></> : undefined}>
            <select value={form.listId} disabled={!!editId} required onChange={(e) => set('listId', e.currentTarget.value)}>
              <option value="">{t('choose')}</option>
              {(lists.data ?? []).map((l) => <option key={l.id} value={String(l.id)}>{t('listOption', { name: l.name, n: l.contacts })}</option>)}
            </select>
          </Field>
          <Field label={t('purpose')} id={fid('purpose')} error={err('purpose')} hint={t('purposeHint')}>
            <select value={form.purpose} disabled={started} onChange={(e) => set('purpose', e.currentTarget.value)}>
              {o.purposes.map((p) => <option key={p} value={p}>{purposeLabel(p)}</option>)}
            </select>
          </Field>
          <div class="form-row">
            <Field label={t('seller')} id={fid('seller')} error={err('seller')} hint={t('sellerHint')}>
              <input value={form.seller} disabled={started} maxLength={200} onInput={(e) => set('seller', e.currentTarget.value)} />
            </Field>
            <Field label={t('pack')} id={fid('pack')} error={err('pack')}>
              <select value={form.pack} disabled={started} onChange={(e) => set('pack', e.currentTarget.value)}>
                <option value="">{t('packDefault')}</option>
                {PACKS.map((p) => <option key={p} value={p}>{packName(p)}</option>)}
              </select>
            </Field>
          </div>
        </fieldset>

        <fieldset>
          <legend>{t('stepMessage')}</legend>
          <div class="radios" role="radiogroup" aria-label={t('messageKind')}>
            <label><input type="radio" name="messageKind" checked={form.messageKind === 'recording'} onChange={() => set('messageKind', 'recording')} /> {t('kindRecording')}</label>
            <label><input type="radio" name="messageKind" checked={form.messageKind === 'tts'} onChange={() => set('messageKind', 'tts')} /> {t('kindTts')}</label>
          </div>
          {form.messageKind === 'recording' ? (
            <Field label={t('message')} id={fid('message')} error={err('message')} hint={recordings.length === 0 ? <>{t('noRecordings')} <Link href="/recordings">{t('goRecordings')}</Link></> : undefined}>
              <select value={form.message} onChange={(e) => set('message', e.currentTarget.value)}>{recordingOptions(t('choose'))}</select>
            </Field>
          ) : (
            <>
              <Field label={t('ttsText')} id={fid('tts.text')} error={err('tts.text') ?? err('tts')} hint={t('ttsHint')}>
                <textarea rows={4} value={form.ttsText} maxLength={5000} onInput={(e) => set('ttsText', e.currentTarget.value)} />
              </Field>
              <div class="form-row">
                <Field label={t('ttsVoice')} id={fid('tts.voice')} error={err('tts.voice')}>
                  <select value={form.ttsVoice} onChange={(e) => set('ttsVoice', e.currentTarget.value)}>
                    {(VOICES as readonly string[]).includes(form.ttsVoice) ? null : <option value={form.ttsVoice}>{voiceLabel(form.ttsVoice)}</option>}
                    {VOICES.map((v) => <option key={v} value={v}>{voiceLabel(v)}</option>)}
                  </select>
                </Field>
                <Field label={t('ttsRate')} id={fid('tts.rate')} error={err('tts.rate')} hint={t('ttsRateHint')}>
                  <input type="number" inputMode="numeric" min={80} max={400} value={form.ttsRate} onInput={(e) => set('ttsRate', e.currentTarget.value)} />
                </Field>
              </div>
              <TtsPreview text={form.ttsText} voice={form.ttsVoice} rate={form.ttsRate} listId={form.listId} />
            </>
          )}
          <Field label={t('voicemail')} id={fid('voicemail')} error={err('voicemail')} hint={t('voicemailHint')}>
            <select value={form.voicemail} onChange={(e) => set('voicemail', e.currentTarget.value)}>{recordingOptions(t('noVoicemail'))}</select>
          </Field>
          <label class="check"><input type="checkbox" checked={form.amd} onChange={(e) => set('amd', e.currentTarget.checked)} /> {t('amd')}</label>
        </fieldset>

        <fieldset>
          <legend>{tf('section')}</legend>
          <FlowSection template={form.template} flow={form.flow} optOutKey={form.menuOptOut} listId={form.listId} fid={fid} problems={problems} recordings={recordings}
            speech={form.messageKind === 'tts' ? (form.ttsVoice.startsWith('fr') ? 'fr' : 'en') : lang === 'fr' ? 'fr' : 'en'}
            onChange={(template, flow) => setForm((f) => (f ? { ...f, template, flow } : f))} />
          {!form.flow && (
            <Field label={t('menuPrompt')} id={fid('menuPrompt')} error={err('menuPrompt')} hint={t('menuPromptHint')}>
              <select value={form.menuPrompt} onChange={(e) => set('menuPrompt', e.currentTarget.value)}>{recordingOptions(t('noMenuPrompt'))}</select>
            </Field>
          )}
          <div class="form-row">
            {([['menuConfirm', 'menu.confirm', t('keyConfirm')], ['menuRepeat', 'menu.repeat', t('keyRepeat')], ['menuOptOut', 'menu.optOut', t('keyOptOut')]] as const)
              .filter(([k]) => !form.flow || k === 'menuOptOut').map(([k, fk, label]) => (
              <Field key={k} label={label} id={fid(fk)} error={err(fk) ?? (k === 'menuConfirm' ? err('menu') : undefined)}>
                <select value={form[k]} onChange={(e) => set(k, e.currentTarget.value)}>
                  {KEYS.map((key) => <option key={key} value={key}>{key === '' ? t('noKey') : key}</option>)}
                </select>
              </Field>
            ))}
          </div>
        </fieldset>

        <ScriptFields form={form} set={set} err={err} fid={fid} packs={packs.data} problems={(startCheck.data?.problems ?? []).filter((p) => p.code.startsWith('script-'))} />

        <fieldset>
          <legend>{t('stepLine')}</legend>
          <Field label={t('callerId')} id={fid('callerId')} error={err('callerId')} hint={t('callerIdHint')}>
            <input type="tel" list="caller-ids" value={form.callerId} disabled={started} autoComplete="off" onInput={(e) => set('callerId', e.currentTarget.value)} />
          </Field>
          <datalist id="caller-ids">
            {o.callerIds.map((c) => <option key={c.number} value={c.number}>{`${c.label}${c.verified ? '' : ` (${t('unverified')})`}`}</option>)}
          </datalist>
          <div role="group" aria-labelledby="trunks-label" class="checks">
            <p id="trunks-label" class="label">{t('trunks')}</p>
            {o.trunks.map((x) => (
              <label key={x.name} class="check">
                <input type="checkbox" disabled={!x.enabled || started} checked={form.trunks.includes(x.name)} id={x === o.trunks[0] ? fid('trunks') : undefined}
                  onChange={(e) => set('trunks', e.currentTarget.checked ? [...form.trunks, x.name] : form.trunks.filter((n) => n !== x.name))} />
                {' '}{t('trunkOption', { name: x.name, kind: x.kind, n: x.channels })}{x.enabled ? '' : ` (${t('disabled')})`}
              </label>
            ))}
            {(err('trunks') ?? err('trunks.0')) && <p class="field__error">{err('trunks') ?? err('trunks.0')}</p>}
          </div>
        </fieldset>

        <ScheduleFields form={form} set={set} err={err} fid={fid} />

        <fieldset>
          <legend>{t('stepPacing')}</legend>
          <div class="form-row">
            <Field label={t('maxConcurrent')} id={fid('maxConcurrent')} error={err('maxConcurrent')} hint={t('maxConcurrentHint')}>
              <input type="number" inputMode="numeric" min={1} max={1000} value={form.maxConcurrent} onInput={(e) => set('maxConcurrent', e.currentTarget.value)} />
            </Field>
            <Field label={t('cps')} id={fid('cps')} error={err('cps')} hint={t('cpsHint')}>
              <input type="number" inputMode="decimal" min={0.1} max={200} step="any" value={form.cps} onInput={(e) => set('cps', e.currentTarget.value)} />
            </Field>
            <Field label={t('ringTimeout')} id={fid('ringTimeoutMs')} error={err('ringTimeoutMs')}>
              <input type="number" inputMode="numeric" min={5} max={120} value={form.ringTimeoutSec} onInput={(e) => set('ringTimeoutSec', e.currentTarget.value)} />
            </Field>
          </div>
        </fieldset>

        <fieldset>
          <legend>{t('stepRetries')}</legend>
          <Field label={t('maxAttempts')} id={fid('maxAttempts')} error={err('maxAttempts')} hint={t('maxAttemptsHint')}>
            <input type="number" inputMode="numeric" min={1} max={20} value={form.maxAttempts} onInput={(e) => set('maxAttempts', e.currentTarget.value)} />
          </Field>
          <details>
            <summary>{t('retryRules')}</summary>
            {RETRY_OUTCOMES.map((oc) => {
              const r = form.retry[oc]!;
              const setR = (patch: Partial<typeof r>): void => set('retry', { ...form.retry, [oc]: { ...r, ...patch } });
              return (
                <div class="retry-rule" key={oc} role="group" aria-label={outcomeLabel(oc)}>
                  <p class="label">{outcomeLabel(oc)}</p>
                  <div class="form-row">
                    <Field label={t('retries')} id={fid(`retry.${oc}.maxRetries`)} error={err(`retry.${oc}.maxRetries`)}>
                      <input type="number" inputMode="numeric" min={0} max={20} value={r.maxRetries} onInput={(e) => setR({ maxRetries: e.currentTarget.value })} />
                    </Field>
                    <Field label={t('delayMinutes')} id={fid(`retry.${oc}.delayMs`)} error={err(`retry.${oc}.delayMs`)}>
                      <input type="number" inputMode="numeric" min={0} disabled={r.nextDay} value={r.minutes} onInput={(e) => setR({ minutes: e.currentTarget.value })} />
                    </Field>
                    <label class="check"><input type="checkbox" checked={r.nextDay} onChange={(e) => setR({ nextDay: e.currentTarget.checked })} /> {t('nextDay')}</label>
                  </div>
                </div>
              );
            })}
          </details>
        </fieldset>

        {(problems.length > 0 || error) && (
          <FormErrors title={t('saveFailed')} problems={problems} label={label} idFor={fid} text={say}>
            {error && problems.length === 0 && <p>{error.message}</p>}
          </FormErrors>
        )}
        <div class="actions">
          <Link class="btn btn--secondary" href={editId ? `/campaigns/${editId}` : '/campaigns'}>{t('cancel')}</Link>
          <Button type="submit" variant="primary" busy={busy}>{t('saveAndCheck')}</Button>
        </div>
      </form>
    </Page>
  );
}

/** A required field said as this page says it. */
const REQUIRED_WORDS: Record<string, Parameters<typeof t>[0]> = { name: 'needName', listId: 'needList', message: 'needMessage', 'tts.text': 'needTtsText' };

const WINDOW_PART = { from: 'from', to: 'toShort' } as const;
const SCRIPT_LABELS: Record<string, Parameters<typeof t>[0]> = {
  'script.identificationEndsMs': 'scriptIdSec', 'script.callbackNumber': 'scriptCallback', 'script.optOutAnnouncedMs': 'scriptOptOutSec',
  'script.voicemail.callbackNumber': 'scriptVmCallback', 'script.voicemail.identification': 'scriptVmIdentification',
};
const LABELS: Record<string, Parameters<typeof t>[0]> = {
  name: 'name', listId: 'list', purpose: 'purpose', seller: 'seller', pack: 'pack', message: 'message', 'tts.text': 'ttsText', tts: 'ttsText',
  'tts.voice': 'ttsVoice', 'tts.rate': 'ttsRate', voicemail: 'voicemail', menuPrompt: 'menuPrompt', menu: 'menuKeys', 'menu.confirm': 'keyConfirm',
  'menu.repeat': 'keyRepeat', 'menu.optOut': 'keyOptOut', callerId: 'callerId', trunks: 'trunks', 'schedule.startDate': 'startDate',
  'schedule.endDate': 'endDate', 'schedule.windows': 'windowsLabel', maxConcurrent: 'maxConcurrent', cps: 'cps', ringTimeoutMs: 'ringTimeout',
  maxAttempts: 'maxAttempts', ...SCRIPT_LABELS,
};

/** A field's name as the page shows it: "Window 1 · To", "Busy · Retries", "Caller ID shown". */
function fieldLabel(key: string): string {
  const w = /^schedule\.windows\.(\d+)(?:\.(days|from|to))?$/.exec(key);
  if (w) {
    const n = t('windowN', { n: Number(w[1]) + 1 });
    return w[2] ? `${n} · ${w[2] === 'days' ? t('windowDays') : t(WINDOW_PART[w[2] as 'from' | 'to'])}` : n;
  }
  const r = /^retry\.([a-z-]+)\.(maxRetries|delayMs)$/.exec(key);
  if (r) return `${outcomeLabel(r[1]!)} · ${t(r[2] === 'maxRetries' ? 'retries' : 'delayMinutes')}`;
  const tr = /^trunks\.\d+$/.test(key) ? 'trunks' : null;
  const k = LABELS[tr ?? key];
  return k ? t(k) : key;
}

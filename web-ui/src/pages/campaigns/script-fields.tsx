// The wizard's "message content" section: staff declare where the message says who is calling, the
// callback number it gives, when it announces the opt-out key, and what the voicemail message carries.
// The box cannot listen to a recording, so the start check relies on these declarations.
import { Field, Notice } from '../../components/index.ts';
import { packName, ruleSource } from '../../names.ts';
import { t } from './messages.ts';
import type { WizardForm } from './wizard-form.ts';
import type { PackScriptRule, PacksResponse } from './types.ts';

type Set = <K extends keyof WizardForm>(k: K, v: WizardForm[K]) => void;

const PROBLEM_KEYS = {
  'script-identification': 'probIdentification',
  'script-callback': 'probCallback',
  'script-opt-out': 'probOptOut',
  'script-opt-out-late': 'probOptOutLate',
  'script-voicemail': 'probVoicemail',
} as const;

/** What the chosen pack asks of the message, in plain words; a generic hint when the packs are unknown. */
function Requirements({ form, packs }: { form: WizardForm; packs: PacksResponse | undefined }) {
  const id = form.pack || packs?.current || '';
  const pack = packs?.packs.find((p) => p.id === id);
  const rule: PackScriptRule | undefined = pack?.script;
  if (!pack || !rule) return <p class="field__hint">{id ? t('scriptGenericHint') : t('scriptNoPack')}</p>;
  const exempt = (pack.exemptPurposes as readonly string[]).includes(form.purpose);
  const items: string[] = [];
  if (rule.identificationAtStart && !exempt) items.push(t('reqIdentification'));
  if (rule.callbackNumber && !exempt) items.push(t('reqCallback'));
  if (rule.optOut) items.push(rule.optOutWithinMs !== null ? t('reqOptOutWithin', { s: rule.optOutWithinMs / 1000 }) : t('reqOptOut'));
  if (rule.voicemailIdentification && !exempt) items.push(t('reqVoicemail'));
  return (
    <div class="script-rules" data-testid="script-rules">
      <p class="label">{t('scriptPackSays', { pack: packName(pack.id, pack.name) })}</p>
      {items.length > 0 ? <ul>{items.map((x) => <li key={x}>{x}</li>)}</ul> : <p>{t('reqNothing')}</p>}
      {exempt && <p class="field__hint">{t('reqExempt')}</p>}
      {rule.optOut && !form.menuOptOut && <p class="field__hint">{t('reqOptOutKey')}</p>}
      <p class="field__hint">{t('scriptSource', { source: ruleSource(pack.id, 'script', rule.source) })}</p>
    </div>
  );
}

export function ScriptFields({ form, set, err, fid, packs, problems }: {
  form: WizardForm;
  set: Set;
  err: (k: string) => string | undefined;
  fid: (k: string) => string;
  packs: PacksResponse | undefined;
  /** Script problems the box's start check reports for the saved campaign (when changing one). */
  problems: Array<{ code: string }>;
}) {
  // The box words time errors in milliseconds; the page asks for seconds, so it says it in seconds.
  const secondsError = (k: string): string | undefined => (err(k) ? t('scriptSecondsInvalid') : undefined);
  const known = problems.filter((p): p is { code: keyof typeof PROBLEM_KEYS } => p.code in PROBLEM_KEYS);
  return (
    <fieldset>
      <legend>{t('stepScript')}</legend>
      <p class="field__hint">{t('scriptIntro')}</p>
      <Requirements form={form} packs={packs} />
      {known.length > 0 && (
        <Notice kind="warning" title={t('scriptProblemsNow')} testId="script-problems">
          <ul>{known.map((p) => <li key={p.code}>{t(PROBLEM_KEYS[p.code])}</li>)}</ul>
        </Notice>
      )}
      <div class="script-timed">
        <Field label={t('scriptIdSec')} id={fid('script.identificationEndsMs')} error={secondsError('script.identificationEndsMs')} hint={t('scriptIdHint')}>
          <input type="number" inputMode="decimal" min={0} max={600} step="any" disabled={form.scriptIdNotSaid} value={form.scriptIdSec}
            onInput={(e) => set('scriptIdSec', e.currentTarget.value)} />
        </Field>
        <label class="check"><input type="checkbox" checked={form.scriptIdNotSaid} onChange={(e) => set('scriptIdNotSaid', e.currentTarget.checked)} /> {t('scriptIdNotSaid')}</label>
      </div>
      <Field label={t('scriptCallback')} id={fid('script.callbackNumber')} error={err('script.callbackNumber')} hint={t('scriptCallbackHint')}>
        <input type="tel" autoComplete="off" value={form.scriptCallback} onInput={(e) => set('scriptCallback', e.currentTarget.value)} />
      </Field>
      <div class="script-timed">
        <Field label={t('scriptOptOutSec')} id={fid('script.optOutAnnouncedMs')} error={secondsError('script.optOutAnnouncedMs')} hint={t('scriptOptOutHint', { key: form.menuOptOut || '—' })}>
          <input type="number" inputMode="decimal" min={0} max={600} step="any" disabled={form.scriptOptOutNotSaid} value={form.scriptOptOutSec}
            onInput={(e) => set('scriptOptOutSec', e.currentTarget.value)} />
        </Field>
        <label class="check"><input type="checkbox" checked={form.scriptOptOutNotSaid} onChange={(e) => set('scriptOptOutNotSaid', e.currentTarget.checked)} /> {t('scriptOptOutNotSaid')}</label>
      </div>
      <div role="group" aria-labelledby="script-vm-label" class="script-vm">
        <p id="script-vm-label" class="label">{t('scriptVm')}</p>
        {form.voicemail ? (
          <>
            <label class="check"><input type="checkbox" checked={form.scriptVmIdentification} onChange={(e) => set('scriptVmIdentification', e.currentTarget.checked)} /> {t('scriptVmIdentification')}</label>
            <Field label={t('scriptVmCallback')} id={fid('script.voicemail.callbackNumber')} error={err('script.voicemail.callbackNumber') ?? err('script.voicemail.identification')} hint={t('scriptVmCallbackHint')}>
              <input type="tel" autoComplete="off" value={form.scriptVmCallback} onInput={(e) => set('scriptVmCallback', e.currentTarget.value)} />
            </Field>
          </>
        ) : <p class="field__hint">{t('scriptVmNone')}</p>}
      </div>
    </fieldset>
  );
}

// "Try it": the campaign's flow on one call to the simulated network, and the way the simulated callee
// went through the steps: each step with what it does, the key that chose the branch, the answer kept.
import { useState } from 'preact/hooks';
import { api, asApiError, type ApiError } from '../api.ts';
import { Button, Card, Field, Notice } from '../components/index.ts';
import { formatDateTime, formatDuration } from '../i18n.ts';
import { outcomeLabel } from '../messages.ts';
import { t, type FlowKey } from './messages.ts';
import { verbWords } from './flow-editor.tsx';
import type { TrialCallee, TrialStep, TryFlowReply } from './types.ts';
import './flows.css';

const CALLEES: TrialCallee[] = ['presser', 'listener', 'voicemail'];

/** How the callee left a step, in words. */
export function viaWords(s: TrialStep): string {
  if (s.key !== null) return t('via.key', { key: s.key });
  const field = s.via.startsWith('options') ? 'next' : s.via;
  const key = `via.${field}` as FlowKey;
  return t(key) === key ? s.via : t(key);
}

export function TryFlow({ campaignId }: { campaignId: number }) {
  const [callee, setCallee] = useState<TrialCallee>('presser');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [report, setReport] = useState<TryFlowReply | null>(null);

  const run = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      setReport(await api<TryFlowReply>('POST', `/api/campaigns/${campaignId}/try`, { callee }));
    } catch (x) {
      setError(asApiError(x));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('tryTitle')} testId="try-flow">
      <p class="field__hint">{t('tryIntro')}</p>
      <div class="form-row">
        <Field label={t('tryCallee')}>
          <select value={callee} disabled={busy} onChange={(e) => setCallee(e.currentTarget.value as TrialCallee)}>
            {CALLEES.map((c) => <option key={c} value={c}>{t(`callee.${c}`)}</option>)}
          </select>
        </Field>
      </div>
      <Button variant="primary" busy={busy} onClick={() => void run()}>{t('tryButton')}</Button>
      {busy && <p aria-live="polite">{t('trying')}</p>}
      {error && <Notice kind="error" title={t('tryFailed')}>{error.message}</Notice>}
      {report && (
        <div class="try-report" data-testid="try-report" aria-live="polite">
          <p data-testid="try-outcome"><strong>{t('tryOutcome', { outcome: outcomeLabel(report.outcome) })}</strong></p>
          {!report.calleeChosen && <p class="field__hint">{t('tryNotChosen')}</p>}
          <p data-testid="try-keys">{report.keys ? t('tryKeys', { keys: report.keys.split('').join(' ') }) : t('tryNoKeys')}</p>
          {report.callback && <p>{t('tryCallback', { label: report.callback.label, at: formatDateTime(report.callback.at) })}</p>}
          <p class="label">{t('tryPath')}</p>
          {report.steps.length === 0 ? <p>{t('tryNoPath')}</p> : (
            <ol class="try-path" data-testid="try-path">
              {report.steps.map((s, i) => (
                <li key={i} data-step={s.id}>
                  <strong>{s.id}</strong>{' · '}{verbWords(s.verb)}{' · '}{viaWords(s)}
                  {s.name !== null && s.answer !== null && <>{' · '}{t('tryAnswer', { name: s.name, answer: s.answer })}</>}
                  {s.spokenMs !== null && <>{' · '}{t('trySpoken', { d: formatDuration(Math.round(s.spokenMs / 1000)) })}</>}
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </Card>
  );
}

// "Call my browser" (issue 16), on a campaign's page: the box rings this page's softphone, which answers by
// itself; the user hears the campaign's message and walks its flow with the on-screen keypad. When the call
// ends, the way through the steps is shown. A test, not a call to a contact: nothing is kept in the
// campaign's results, and the opt-out key adds nobody to the do-not-call list (the report says what a real
// call would have done). It needs no phone line.
import { useEffect, useState } from 'preact/hooks';
import { api, asApiError, type ApiError } from '../api.ts';
import { Button, Card, Notice } from '../components/index.ts';
import { formatDateTime, formatDuration } from '../i18n.ts';
import { outcomeLabel } from '../messages.ts';
import { verbWords } from '../flows/flow-editor.tsx';
import { t as ft } from '../flows/messages.ts';
import { viaWords } from '../flows/try-flow.tsx';
import type { BrowserWalkReply } from '../flows/types.ts';
import { phone, type PhoneState } from './phone.ts';
import { t } from './messages.ts';

export function CallMyBrowser({ campaignId }: { campaignId: number }) {
  const [s, setS] = useState<PhoneState>(phone.get());
  useEffect(() => phone.subscribe(setS), []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [report, setReport] = useState<BrowserWalkReply | null>(null);

  const run = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    setReport(null);
    const request = phone.expect('walk');
    try {
      setReport(await api<BrowserWalkReply>('POST', `/api/campaigns/${campaignId}/call-my-browser`, { request }));
    } catch (x) {
      phone.forget(request);
      setError(asApiError(x));
    } finally {
      setBusy(false);
    }
  };

  const ready = s.status === 'available' && (!s.call || s.call.state === 'ended');
  return (
    <Card title={t('walkCardTitle')} testId="call-my-browser">
      <p class="field__hint">{t('walkIntro')}</p>
      {s.status !== 'available' && <p class="field__hint" data-testid="walk-needs-phone">{t('walkNeedsPhone')}</p>}
      <Button variant="secondary" busy={busy} disabled={!ready && !busy} onClick={() => void run()}>{t('walkButton')}</Button>
      {busy && <p aria-live="polite">{t('walkCalling')}</p>}
      {error && <Notice kind="error" title={t('walkFailed')}>{error.message}</Notice>}
      {report && (
        <div class="try-report" data-testid="walk-report" aria-live="polite">
          <p data-testid="walk-outcome"><strong>{ft('tryOutcome', { outcome: outcomeLabel(report.outcome) })}</strong></p>
          <p class="field__hint">{report.contact === 'sample' ? t('walkSample') : t('walkTestContact')}</p>
          {report.optedOut && <Notice kind="info" title={t('walkOptOutTitle')}>{t('walkOptOut')}</Notice>}
          <p data-testid="walk-keys">{report.keys ? ft('tryKeys', { keys: report.keys.split('').join(' ') }) : ft('tryNoKeys')}</p>
          {report.callback && <p>{ft('tryCallback', { label: report.callback.label, at: formatDateTime(report.callback.at) })}</p>}
          <p class="label">{ft('tryPath')}</p>
          {report.steps.length === 0 ? <p>{ft('tryNoPath')}</p> : (
            <ol class="try-path" data-testid="walk-path">
              {report.steps.map((st, i) => (
                <li key={i} data-step={st.id}>
                  <strong>{st.id}</strong>{' · '}{verbWords(st.verb)}{' · '}{viaWords(st)}
                  {st.name !== null && st.answer !== null && <>{' · '}{ft('tryAnswer', { name: st.name, answer: st.answer })}</>}
                  {st.spokenMs !== null && <>{' · '}{ft('trySpoken', { d: formatDuration(Math.round(st.spokenMs / 1000)) })}</>}
                </li>
              ))}
            </ol>
          )}
          <p class="field__hint">{t('walkNotKept')}</p>
        </div>
      )}
    </Card>
  );
}

// One campaign: its state, live counters (WebSocket feed), the preflight report and ETA before a start,
// and the start / pause / resume / stop actions with the box's reasons when it refuses; a draft can be deleted.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, asApiError, roleAllows, useApi, useSession } from '../../api.ts';
import { subscribe } from '../../live.ts';
import { formatDateTime, formatNumber, getLang } from '../../i18n.ts';
import { Button, Card, ConfirmDialog, Link, Notice, Page, ProgressBar } from '../../components/index.ts';
import { t } from './messages.ts';
import { purposeLabel, statusLabel } from '../../messages.ts';
import { etaText } from './format.ts';
import { WaitingNotice } from './waiting.tsx';
import { progressOf, progressText } from './campaign-list.tsx';
import { PreflightReport } from './preflight-report.tsx';
import { TryFlow } from '../../flows/try-flow.tsx';
import { CallMyBrowser } from '../../softphone/call-my-browser.tsx';
import { startProblemText } from '../../start-problems.ts';
import { useConfirmedDelete } from '../../use-confirmed-delete.ts';
import { navigate } from '../../router.ts';
import { isCountersEvent, type CampaignView, type StartProblem } from './types.ts';
import './campaigns.css';

type Action = 'start' | 'pause' | 'resume' | 'stop';
const COUNTERS = ['contacts', 'pending', 'waiting', 'calling', 'active', 'done', 'blocked', 'stopped'] as const;

export function CampaignDetail({ id }: { id: number }) {
  const session = useSession();
  const canRun = roleAllows(session?.role, 'operator');
  const loaded = useApi<CampaignView>(`/api/campaigns/${id}`, [id]);
  const [view, setView] = useState<CampaignView | undefined>(undefined);
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState<{ e: ApiError; problems: StartProblem[] } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [confirmStop, setConfirmStop] = useState(false);
  const [duplicating, setDuplicating] = useState(false);
  const [preflightTick, setPreflightTick] = useState(0);
  const { setDoomed, error: deleteError, dialog: deleteDialog } = useConfirmedDelete<CampaignView>(
    (c) => `/api/campaigns/${c.id}`,
    () => navigate('/campaigns', { replace: true }),
  );

  useEffect(() => {
    if (loaded.data) setView(loaded.data);
  }, [loaded.data]);
  useEffect(() => subscribe('campaign.counters', (d) => {
    if (!isCountersEvent(d) || d.id !== id) return;
    setView((v) => {
      // A state reached on its own (completed) replaces the notice of the last action.
      if (v && v.status !== d.status) setDone(null);
      return v ? { ...v, ...d } : v;
    });
  }), [id]);

  const act = async (action: Action): Promise<void> => {
    setBusy(action);
    setError(null);
    setDone(null);
    try {
      const v = await api<CampaignView>('POST', `/api/campaigns/${id}/${action}`);
      setView(v);
      setDone(t(`done.${action}`));
    } catch (x) {
      const e = asApiError(x);
      let problems: StartProblem[] = [];
      if (action === 'start' && (e.code === 'E_COMPLIANCE' || e.code === 'E_CALLER_ID')) {
        problems = await api<{ problems: StartProblem[] }>('GET', `/api/compliance/campaigns/${id}/start-check`).then((r) => r.problems.filter((p) => p.blocking !== false), () => []);
      }
      setError({ e, problems });
      setPreflightTick((n) => n + 1);
    } finally {
      setBusy(null);
      setConfirmStop(false);
    }
  };

  const duplicate = async (): Promise<void> => {
    if (!view) return;
    setDuplicating(true);
    setError(null);
    try {
      const copy = await api<CampaignView>('POST', `/api/campaigns/${id}/duplicate`, { name: t('copyName', { name: view.name }).slice(0, 100) });
      navigate(`/campaigns/${copy.id}/edit`);
    } catch (x) {
      setError({ e: asApiError(x), problems: [] });
      setDuplicating(false);
    }
  };

  if (!view) {
    return <Page title={t('title')}>{loaded.error ? <Notice kind="error">{loaded.error.message}</Notice> : <p>{t('loading')}</p>}</Page>;
  }
  const k = view.counters;
  const finished = view.status === 'completed' || view.status === 'stopped';
  return (
    <Page title={view.name} actions={<Link href="/campaigns">{t('backToList')}</Link>}>
      <Card title={t('state')} testId="campaign-live">
        <p>
          <span class={`badge badge--${view.status}`} data-testid="campaign-status" aria-live="polite">{statusLabel(view.status)}</span>
          {' '}{t('purposeIs', { purpose: purposeLabel(view.config.purpose) })}
        </p>
        {view.status !== 'draft' && (
          <>
            <ProgressBar label={t('progress')} value={progressOf(view)} text={progressText(view)} />
            <dl class="stats" aria-label={t('counters')}>
              {COUNTERS.map((c) => (
                <div key={c} class="stat">
                  <dt>{t(`counter.${c}`)}</dt>
                  <dd data-testid={`counter-${c}`}>{formatNumber(k[c])}</dd>
                </div>
              ))}
              <div class="stat">
                <dt>{t('eta')}</dt>
                <dd data-testid="counter-eta">{etaText(view)}</dd>
              </div>
            </dl>
          </>
        )}
        {view.status === 'paused' && canRun && <p class="muted" data-testid="paused-edit-hint">{t('pausedEditHint')}</p>}
        <WaitingNotice view={view} />
        {view.startedAt && <p class="muted">{t('startedAt', { at: formatDateTime(view.startedAt) })}{view.finishedAt ? ` · ${t('finishedAt', { at: formatDateTime(view.finishedAt) })}` : ''}</p>}
        {done && <Notice kind="success">{done}</Notice>}
        {error && (
          <Notice kind="error" title={t(`refused.${busyKey(error.e)}`)} testId="action-error">
            <p>{error.e.message}</p>
            {error.problems.length > 0 && <ul>{error.problems.map((p, i) => <li key={i}>{startProblemText(p)}</li>)}</ul>}
          </Notice>
        )}
        {deleteError && <Notice kind="error" title={t('refused.delete')} testId="delete-error">{deleteError}</Notice>}
        {canRun && (
          <div class="actions">
            {(view.status === 'draft' || view.status === 'paused') && <Link class="btn btn--secondary" href={`/campaigns/${id}/edit`}>{t('edit')}</Link>}
            <Button busy={duplicating} onClick={() => void duplicate()}>{t('duplicate')}</Button>
            {view.status === 'draft' && <Button variant="primary" busy={busy === 'start'} onClick={() => act('start')}>{t('start')}</Button>}
            {view.status === 'running' && <Button busy={busy === 'pause'} onClick={() => act('pause')}>{t('pause')}</Button>}
            {view.status === 'paused' && <Button variant="primary" busy={busy === 'resume'} onClick={() => act('resume')}>{t('resume')}</Button>}
            {!finished && <Button variant="danger" busy={busy === 'stop'} onClick={() => setConfirmStop(true)}>{t('stop')}</Button>}
            {view.status === 'draft' && <Button variant="danger" onClick={() => setDoomed(view)}>{t('delete')}</Button>}
          </div>
        )}
        <p class="links">
          <Link href={`/reports/${id}`}>{t('openReport')}</Link>
          {' · '}
          <a href={`/api/campaigns/${id}/export.csv?lang=${getLang()}`} download>{t('exportCsv')}</a>
          {' · '}
          <a href={`/api/campaigns/${id}/export.xlsx?lang=${getLang()}`} download>{t('exportXlsx')}</a>
        </p>
      </Card>
      {view.status === 'draft' && <PreflightReport id={id} tick={preflightTick} />}
      {canRun && <TryFlow campaignId={id} />}
      {canRun && <CallMyBrowser campaignId={id} />}
      <ConfirmDialog open={confirmStop} title={t('stopTitle')} confirmLabel={t('stop')} cancelLabel={t('cancel')} danger busy={busy === 'stop'}
        onConfirm={() => act('stop')} onCancel={() => setConfirmStop(false)}>
        <p>{t('stopBody')}</p>
      </ConfirmDialog>
      <ConfirmDialog {...deleteDialog} title={t('deleteTitle', { name: view.name })}>
        <p>{t('deleteBody')}</p>
      </ConfirmDialog>
    </Page>
  );
}

function busyKey(e: ApiError): 'compliance' | 'state' | 'other' {
  if (e.code === 'E_COMPLIANCE' || e.code === 'E_CALLER_ID') return 'compliance';
  if (e.code === 'E_CAMPAIGN_STATE') return 'state';
  return 'other';
}

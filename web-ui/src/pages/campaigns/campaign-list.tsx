// Every campaign with its state and progress; counters move with the live feed. A draft can be deleted
// here (after a confirmation); the box refuses once a campaign has placed calls.
import { useEffect, useState } from 'preact/hooks';
import { roleAllows, useApi, useSession } from '../../api.ts';
import { subscribe } from '../../live.ts';
import { formatNumber } from '../../i18n.ts';
import { Button, ConfirmDialog, Link, Notice, Page, ProgressBar, Table, type Column } from '../../components/index.ts';
import { useConfirmedDelete } from '../../use-confirmed-delete.ts';
import { t } from './messages.ts';
import { holdText, statusLabel } from '../../messages.ts';
import { isCountersEvent, type CampaignView } from './types.ts';
import { etaText } from './format.ts';

/** Contacts the campaign went through (called to the end, or blocked); those left when it was stopped are not progress. */
export function progressOf(c: Pick<CampaignView, 'counters'>): number {
  const k = c.counters;
  return k.contacts ? (k.done + k.blocked) / k.contacts : 0;
}

export function progressText(c: Pick<CampaignView, 'counters'>): string {
  const k = c.counters;
  const base = `${formatNumber(k.done + k.blocked)} / ${formatNumber(k.contacts)}`;
  return k.stopped > 0 ? `${base} · ${t('progressStopped', { n: formatNumber(k.stopped) })}` : base;
}

export function CampaignList() {
  const session = useSession();
  const { data, error, reload } = useApi<CampaignView[]>('/api/campaigns');
  const [rows, setRows] = useState<CampaignView[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const { doomed, setDoomed, error: deleteError, dialog } = useConfirmedDelete<CampaignView>(
    (c) => `/api/campaigns/${c.id}`,
    (c) => {
      setDone(t('deleted', { name: c.name }));
      setRows((list) => list.filter((x) => x.id !== c.id));
    },
    () => setDone(null),
  );
  const canRun = roleAllows(session?.role, 'operator');
  const actions: Array<Column<CampaignView>> = canRun ? [{
    key: 'actions', label: t('actions'),
    render: (c) => c.status === 'draft'
      ? <Button variant="link" onClick={() => { setDone(null); setDoomed(c); }} aria-label={t('deleteNamed', { name: c.name })}>{t('delete')}</Button>
      : null,
  }] : [];
  useEffect(() => setRows(data ?? []), [data]);
  useEffect(() => subscribe('campaign.counters', (d) => {
    if (!isCountersEvent(d)) return;
    setRows((list) => {
      if (!list.some((c) => c.id === d.id)) {
        reload();
        return list;
      }
      return list.map((c) => (c.id === d.id ? { ...c, ...d } : c));
    });
  }), []);
  return (
    <Page title={t('title')} actions={canRun ? <Link class="btn btn--primary" href="/campaigns/new">{t('new')}</Link> : undefined}>
      {error && <Notice kind="error">{error.message}</Notice>}
      {done && <Notice kind="success">{done}</Notice>}
      {deleteError && <Notice kind="error" title={t('refused.delete')} testId="delete-error">{deleteError}</Notice>}
      <Table
        caption={t('listCaption')}
        testId="campaign-list"
        rows={rows}
        rowKey={(c) => c.id}
        empty={data ? t('none') : t('loading')}
        columns={[
          { key: 'name', label: t('name'), render: (c) => <Link href={`/campaigns/${c.id}`}>{c.name}</Link> },
          {
            key: 'status', label: t('status'), render: (c) => (
              <>
                <span class={`badge badge--${c.status}`}>{statusLabel(c.status)}</span>
                {c.status === 'running' && c.waitingReason && <span class="badge badge--warn" title={holdText(c.waitingCode, c.waitingReason)}> {t('notCallingShort')}</span>}
              </>
            ),
          },
          {
            key: 'progress', label: t('progress'),
            render: (c) => <ProgressBar label={t('progressOf', { name: c.name })} value={progressOf(c)} text={progressText(c)} />,
          },
          { key: 'active', label: t('active'), align: 'right', render: (c) => formatNumber(c.counters.active) },
          { key: 'eta', label: t('eta'), render: (c) => etaText(c) },
          ...actions,
        ]}
      />
      <ConfirmDialog {...dialog} title={t('deleteTitle', { name: doomed?.name ?? '' })}>
        <p>{t('deleteBody')}</p>
      </ConfirmDialog>
    </Page>
  );
}

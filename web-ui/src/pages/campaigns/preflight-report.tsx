// The preflight report of a draft: how many contacts would be called (now or later), how many are
// blocked and why, the reasons the campaign may not start at all, and the ETA.
import { useApi } from '../../api.ts';
import { formatDateTime, formatNumber } from '../../i18n.ts';
import { Card, Notice, Table } from '../../components/index.ts';
import { packName } from '../../names.ts';
import { t } from './messages.ts';
import { reasonLabel } from '../../messages.ts';
import { formatEta, inZone } from './format.ts';
import { startProblemText } from '../../start-problems.ts';
import type { Estimate, Preflight } from './types.ts';

interface CampaignWindow { contacts: number; insideNow: number; nextOpening: number | null; zone: string | null; boxTimeZone: string }

export function PreflightReport({ id, tick }: { id: number; tick: number }) {
  const { data, error } = useApi<Preflight>(`/api/compliance/campaigns/${id}/preflight`, [tick]);
  const win = useApi<CampaignWindow>(`/api/campaigns/${id}/window`, [tick]);
  const estimate = useApi<Estimate>(data ? `/api/campaigns/${id}/estimate?contacts=${data.callable}` : null, [tick]);
  if (error) return <Card title={t('preflight')}><Notice kind="error">{error.message}</Notice></Card>;
  if (!data) return <Card title={t('preflight')}><p>{t('checking')}</p></Card>;
  const blocked = Object.entries(data.blocked).sort((a, b) => b[1] - a[1]);
  const deferred = Object.entries(data.deferred).sort((a, b) => b[1] - a[1]);
  const blocking = data.startProblems.filter((p) => p.blocking !== false);
  const warnings = data.startProblems.filter((p) => p.blocking === false);
  const blockedTotal = blocked.reduce((a, [, n]) => a + n, 0);
  // Callable now needs the law's hours and the campaign's own window; when the window is closed for
  // everyone, the callable contacts wait for its next opening.
  const closed = win.data !== undefined && win.data.contacts > 0 && win.data.insideNow === 0;
  const callableNow = closed ? 0 : data.callableNow;
  return (
    <Card title={t('preflight')} testId="preflight">
      <p class="muted">{data.pack ? t('packIs', { pack: packName(data.pack), version: data.packVersion ?? '' }) : t('noPack')}</p>
      <dl class="stats">
        <div class="stat"><dt>{t('counter.contacts')}</dt><dd>{formatNumber(data.contacts)}</dd></div>
        <div class="stat"><dt>{t('callable')}</dt><dd data-testid="preflight-callable">{formatNumber(data.callable)}</dd></div>
        <div class="stat"><dt>{t('callableNow')}</dt><dd data-testid="preflight-callable-now">{formatNumber(callableNow)}</dd></div>
        {closed && <div class="stat"><dt>{t('callableNextWindow')}</dt><dd data-testid="preflight-callable-later">{formatNumber(data.callable)}</dd></div>}
        <div class="stat"><dt>{t('counter.blocked')}</dt><dd data-testid="preflight-blocked">{formatNumber(blockedTotal)}</dd></div>
        <div class="stat"><dt>{t('eta')}</dt><dd data-testid="preflight-eta">{estimate.data ? formatEta(estimate.data.etaMs, 'draft') : '…'}</dd></div>
      </dl>
      {closed && (
        <p data-testid="preflight-window">{win.data!.nextOpening === null ? t('wait.noOpening')
          : t('windowOpens', { box: inZone(win.data!.nextOpening, win.data!.boxTimeZone), boxZone: win.data!.boxTimeZone, callee: inZone(win.data!.nextOpening, win.data!.zone), zone: win.data!.zone ?? '' })}</p>
      )}
      {blocked.length > 0 && (
        <Table caption={t('blockedBy')} rows={blocked} rowKey={(r) => r[0]}
          columns={[{ key: 'r', label: t('reason'), render: (r) => reasonLabel(r[0]) }, { key: 'n', label: t('contactsN'), align: 'right', render: (r) => formatNumber(r[1]) }]} />
      )}
      {deferred.length > 0 && (
        <Table caption={t('deferredBy')} rows={deferred} rowKey={(r) => r[0]}
          columns={[{ key: 'r', label: t('reason'), render: (r) => reasonLabel(r[0]) }, { key: 'n', label: t('contactsN'), align: 'right', render: (r) => formatNumber(r[1]) }]} />
      )}
      {data.held.length > 0 && (
        <Table caption={t('heldList', { n: formatNumber(data.heldTotal) })} testId="preflight-held" rows={data.held} rowKey={(h) => h.contactId}
          columns={[
            { key: 'n', label: t('heldNumber'), render: (h) => h.e164 },
            { key: 'r', label: t('reason'), render: (h) => reasonLabel(h.reason) },
            { key: 'u', label: t('heldUntil'), render: (h) => formatDateTime(h.until) },
            { key: 'c', label: t('heldNextCall'), render: (h) => formatDateTime(h.nextCallAt) },
          ]} />
      )}
      {blocking.length > 0 && (
        <Notice kind="warning" title={t('cannotStart')} testId="preflight-problems">
          <ul>{blocking.map((p, i) => <li key={i}>{startProblemText(p)}</li>)}</ul>
        </Notice>
      )}
      {warnings.length > 0 && (
        <Notice kind="info" title={t('startWarnings')} testId="preflight-warnings">
          <ul>{warnings.map((p, i) => <li key={i}>{startProblemText(p)}</li>)}</ul>
        </Notice>
      )}
      <p class="field__hint">
        {estimate.data && t(estimate.data.measured ? 'etaBasisMeasured' : 'etaBasisDefault', { channels: estimate.data.channels, seconds: Math.round(estimate.data.meanCallMs / 1000) })}
        {' '}{t('etaHint')}
      </p>
    </Card>
  );
}

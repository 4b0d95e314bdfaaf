// Reports: pick a campaign (/reports), then its report (/reports/:id): summary, outcomes over time and
// by outcome (uPlot), answer rates, keys pressed, answering-machine detection agreement, CSV export.
import { useApi } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { matchPath, useRoute } from '../../router.ts';
import { Link, Notice, Page, Table } from '../../components/index.ts';
import { statusLabel } from '../../messages.ts';
import type { CampaignView } from '../campaigns/types.ts';
import { CampaignReportView } from './report-view.tsx';
import { t } from './messages.ts';
import '../campaigns/campaigns.css';

export default function Reports() {
  useLang();
  const { path } = useRoute();
  const one = matchPath('/reports/:id', path);
  if (one && /^\d+$/.test(one.id!)) return <CampaignReportView id={Number(one.id)} />;
  return <ReportList />;
}

function ReportList() {
  const lang = useLang();
  const { data, error } = useApi<CampaignView[]>('/api/campaigns');
  return (
    <Page title={t('title')}>
      <p>{t('pick')}</p>
      {error && <Notice kind="error">{error.message}</Notice>}
      <Table caption={t('title')} rows={data ?? []} rowKey={(c) => c.id} empty={data ? t('none') : t('loading')} testId="report-list"
        columns={[
          { key: 'name', label: t('campaign'), render: (c) => <Link href={`/reports/${c.id}`}>{c.name}</Link> },
          { key: 'status', label: t('status'), render: (c) => <span class={`badge badge--${c.status}`}>{statusLabel(c.status)}</span> },
          { key: 'csv', label: t('export'), render: (c) => <><a href={`/api/campaigns/${c.id}/export.csv?lang=${lang}`} download aria-label={t('csvOf', { name: c.name })}>CSV</a>{' · '}<a href={`/api/campaigns/${c.id}/export.xlsx?lang=${lang}`} download aria-label={t('xlsxOf', { name: c.name })}>Excel</a></> },
        ]} />
    </Page>
  );
}

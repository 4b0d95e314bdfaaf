// One campaign's report; refreshed (at most every two seconds) while live counters arrive.
import { useEffect, useMemo, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { useApi } from '../../api.ts';
import { subscribe } from '../../live.ts';
import { formatDateTime, formatDuration, formatNumber, formatPercent, useLang } from '../../i18n.ts';
import { Card, Link, Notice, Page, Table } from '../../components/index.ts';
import { outcomeLabel, reasonLabel } from '../../messages.ts';
import { isCountersEvent, type CampaignView } from '../campaigns/types.ts';
import { Chart, PALETTE } from './chart.tsx';
import { t } from './messages.ts';
import type { Answers, Report, Timeline } from './types.ts';
import { AnswersReport } from './answers.tsx';

export function CampaignReportView({ id }: { id: number }) {
  const lang = useLang();
  const campaign = useApi<CampaignView>(`/api/campaigns/${id}`, [id]);
  const report = useApi<Report>(`/api/campaigns/${id}/report`, [id]);
  const timeline = useApi<Timeline>(`/api/campaigns/${id}/timeline`, [id]);
  const answers = useApi<Answers>(`/api/campaigns/${id}/answers`, [id]);
  const last = useRef(0);
  useEffect(() => subscribe('campaign.counters', (d) => {
    if (!isCountersEvent(d) || d.id !== id) return;
    const now = Date.now();
    if (now - last.current < 2000 && d.status === 'running') return;
    last.current = now;
    report.reload();
    timeline.reload();
    answers.reload();
  }), [id]);

  const r = report.data;
  const name = campaign.data?.name ?? `#${id}`;
  const error = report.error ?? campaign.error ?? timeline.error ?? answers.error;
  return (
    <Page title={t('reportOf', { name })} actions={<><Link href="/reports">{t('allReports')}</Link> <Link href={`/campaigns/${id}`}>{t('openCampaign')}</Link></>}>
      {error && <Notice kind="error">{error.message}</Notice>}
      <p class="actions">
        <a class="btn btn--primary" href={`/api/campaigns/${id}/export.csv?lang=${lang}`} download data-testid="export-csv">{t('exportCsv')}</a>
        {' '}<a class="btn btn--secondary" href={`/api/campaigns/${id}/export.xlsx?lang=${lang}`} download data-testid="export-xlsx">{t('exportXlsx')}</a>
      </p>
      <p class="muted small">{t('exportHint')}</p>
      {!r ? <p>{t('loading')}</p> : (
        <>
          <Card title={t('summary')} testId="report-summary">
            <dl class="stats">
              <div><dt>{t('contacts')}</dt><dd>{formatNumber(r.contacts)}</dd></div>
              <div><dt>{t('attempts')}</dt><dd data-testid="report-attempts">{formatNumber(r.attempts)}</dd></div>
              <div><dt>{t('answeredContacts')}</dt><dd>{formatNumber(r.answeredContacts)}</dd></div>
              <div><dt>{t('answerRate')}</dt><dd data-testid="report-answer-rate">{formatPercent(r.answerRate)}</dd></div>
              <div><dt>{t('completionRate')}</dt><dd>{formatPercent(r.completionRate)}</dd></div>
              <div><dt>{t('avgTalk')}</dt><dd data-testid="report-avg-talk">{formatDuration(r.avgTalkMs / 1000)}</dd></div>
              <div><dt>{t('avgRing')}</dt><dd data-testid="report-avg-ring">{formatDuration(r.avgRingMs / 1000)}</dd></div>
            </dl>
            <p class="muted small">{t('live')}</p>
          </Card>
          <OverTime timeline={timeline.data} />
          <ByOutcome report={r} />
          {answers.data && <AnswersReport id={id} answers={answers.data} />}
          <div class="grid">
            <Card title={t('keys')}>
              {Object.keys(r.keys).length === 0 ? <p>{t('noKeys')}</p> : (
                <Table caption={t('keys')} rows={Object.entries(r.keys).sort((a, b) => b[1] - a[1])} rowKey={(k) => k[0]}
                  columns={[{ key: 'k', label: t('key'), render: (k) => k[0] }, { key: 'n', label: t('times'), align: 'right', render: (k) => formatNumber(k[1]) }]} />
              )}
            </Card>
            <Card title={t('amd')} testId="report-amd">
              <p class="muted small">{t('amdExplain')}</p>
              <dl class="kv">
                <dt>{t('callsWithKeys')}</dt><dd>{formatNumber(r.amdAgreement.callsWithKeys)}</dd>
                <dt>{t('detectedHuman')}</dt><dd>{formatNumber(r.amdAgreement.detectedHuman)}</dd>
                <dt>{t('detectedMachine')}</dt><dd>{formatNumber(r.amdAgreement.detectedMachine)}</dd>
                <dt>{t('agreement')}</dt><dd>{r.amdAgreement.agreement === null ? t('notEnough') : formatPercent(r.amdAgreement.agreement)}</dd>
              </dl>
            </Card>
          </div>
          {Object.keys(r.blockedReasons).length > 0 && (
            <Card title={t('blocked')}>
              <Table caption={t('blocked')} rows={Object.entries(r.blockedReasons).sort((a, b) => b[1] - a[1])} rowKey={(k) => k[0]}
                columns={[{ key: 'r', label: t('reason'), render: (k) => reasonLabel(k[0]) }, { key: 'n', label: t('contacts'), align: 'right', render: (k) => formatNumber(k[1]) }]} />
            </Card>
          )}
        </>
      )}
    </Page>
  );
}

function OverTime({ timeline }: { timeline: Timeline | undefined }) {
  const built = useMemo(() => {
    if (!timeline || timeline.buckets.length === 0) return null;
    const keys = Object.keys(timeline.series).sort();
    const data: uPlot.AlignedData = [timeline.buckets.map((b) => b / 1000), ...keys.map((k) => timeline.series[k]!)];
    const options: Omit<uPlot.Options, 'width'> = {
      height: 260,
      // The legend names each line and nothing else: a live legend shows "--" until the pointer is on the chart.
      legend: { live: false },
      scales: { x: { time: true } },
      series: [{ label: t('time') }, ...keys.map((k, i) => ({ label: outcomeLabel(k), stroke: PALETTE[i % PALETTE.length], width: 2, points: { show: timeline.buckets.length < 30 } }))],
      // The page's language and 24-hour clock rather than uPlot's own labels.
      axes: [{ values: (_u, splits) => splits.map((v) => formatDateTime(v * 1000, axisFormat(timeline.bucketMs))) }, { label: t('attempts'), values: (_u, splits) => splits.map((v) => formatNumber(v)) }],
    };
    return { keys, data, options };
  }, [timeline]);
  return (
    <Card title={t('overTime')} testId="report-over-time">
      {!built ? <p>{timeline ? t('noCalls') : t('loading')}</p> : (
        <>
          <Chart options={built.options} data={built.data} label={t('overTimeLabel')} />
          <details>
            <summary>{t('overTime')} — {t('time')}</summary>
            <Table caption={t('overTime')} rows={timeline!.buckets.map((b, i) => ({ b, i }))} rowKey={(r) => r.b}
              columns={[
                { key: 'time', label: t('time'), render: (r) => formatDateTime(r.b, { timeStyle: 'medium' }) },
                ...built.keys.map((k) => ({ key: k, label: outcomeLabel(k), align: 'right' as const, render: (r: { i: number }) => formatNumber(timeline!.series[k]![r.i] ?? 0) })),
              ]} />
          </details>
        </>
      )}
    </Card>
  );
}

const short = (s: string): string => (s.length > 16 ? `${s.slice(0, 15)}…` : s);

function axisFormat(bucketMs: number): Intl.DateTimeFormatOptions {
  if (bucketMs >= 86_400_000) return { dateStyle: 'short' };
  if (bucketMs >= 60_000) return { hour: '2-digit', minute: '2-digit' };
  return { hour: '2-digit', minute: '2-digit', second: '2-digit' };
}

function ByOutcome({ report }: { report: Report }) {
  const rows = useMemo(() => {
    const keys = new Set([...Object.keys(report.byFinalOutcome), ...Object.keys(report.byAttemptOutcome)]);
    return [...keys].map((k) => ({ k, final: report.byFinalOutcome[k] ?? 0, all: report.byAttemptOutcome[k] ?? 0 })).sort((a, b) => b.all - a.all);
  }, [report]);
  const built = useMemo(() => {
    if (rows.length === 0) return null;
    const bars = uPlot.paths.bars!({ size: [0.35, 60], align: 1 });
    const bars2 = uPlot.paths.bars!({ size: [0.35, 60], align: -1 });
    const labels = rows.map((r) => outcomeLabel(r.k));
    const options: Omit<uPlot.Options, 'width'> = {
      height: 280,
      legend: { live: false },
      scales: { x: { time: false, range: (_u, min, max) => [min - 0.6, max + 0.6] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      series: [
        { label: t('outcome'), value: (_u, v) => (v === null ? '' : labels[v] ?? '') },
        { label: t('finalContacts'), fill: PALETTE[0], stroke: PALETTE[0], paths: bars, points: { show: false } },
        { label: t('allAttempts'), fill: PALETTE[1], stroke: PALETTE[1], paths: bars2, points: { show: false } },
      ],
      // Slanted, shortened names so that seven outcomes fit a phone; the table below has them in full.
      axes: [{ splits: () => rows.map((_, i) => i), values: (_u, splits) => splits.map((i) => short(labels[i] ?? '')), rotate: -35, size: 90 }, { values: (_u, splits) => splits.map((v) => formatNumber(v)) }],
    };
    const data: uPlot.AlignedData = [rows.map((_, i) => i), rows.map((r) => r.final), rows.map((r) => r.all)];
    return { options, data };
  }, [rows]);
  return (
    <Card title={t('byOutcome')} testId="report-by-outcome">
      {!built ? <p>{t('noCalls')}</p> : <Chart options={built.options} data={built.data} label={t('byOutcomeLabel')} />}
      <Table caption={t('byOutcome')} rows={rows} rowKey={(r) => r.k} empty={t('noCalls')}
        columns={[
          { key: 'k', label: t('outcome'), render: (r) => outcomeLabel(r.k) },
          { key: 'final', label: t('finalContacts'), align: 'right', render: (r) => formatNumber(r.final) },
          { key: 'all', label: t('allAttempts'), align: 'right', render: (r) => formatNumber(r.all) },
        ]} />
    </Card>
  );
}

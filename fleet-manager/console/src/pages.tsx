// The reading pages: boxes at a glance, open alerts, a box's page (telemetry charts, campaigns,
// events) and the audit log.
import { api, type Alert, type AuditEntry, type Box, type BoxDetail } from './api.ts';
import { LineChart } from './chart.tsx';
import { getLang, hasKey, t } from './i18n.ts';
import { usePoll } from './poll.ts';

const when = (iso: string | null): string => (iso ? new Date(iso).toLocaleString(getLang() === 'fr' ? 'fr-FR' : 'en-GB') : t('unknown'));
const orDash = (v: number | string | null, unit = ''): string => (v === null ? t('unknown') : `${v}${unit}`);

export function Problem(p: { error: string | null }) {
  return p.error ? <p class="error" role="alert">{p.error}</p> : null;
}

function BoxRow(p: { b: Box }) {
  const b = p.b;
  return (
    <tr data-box={b.boxId}>
      <th scope="row"><a href={`#/box/${encodeURIComponent(b.boxId)}`}>{b.boxId}</a></th>
      <td class={b.online ? 'ok' : 'bad'} data-cell="state">{b.online ? t('online') : t('offline')}</td>
      <td>{orDash(b.version)}</td>
      <td>{orDash(b.engine)}</td>
      <td class={b.clockSynchronized === false ? 'bad' : ''}>{b.clockSynchronized === null ? t('unknown') : b.clockSynchronized ? t('clockOk') : t('clockBad')}</td>
      <td>{b.trunks.length === 0 ? t('unknown') : b.trunks.map((x) => `${x.name}: ${x.health}`).join(', ')}</td>
      <td>{orDash(b.activeCalls)}</td>
      <td data-cell="campaigns">{b.runningCampaigns}</td>
      <td class={(b.diskUsedPct ?? 0) > 90 ? 'bad' : ''}>{orDash(b.diskUsedPct, ' %')}</td>
      <td>{orDash(b.cpuTemperatureC, ' °C')}</td>
    </tr>
  );
}

export function BoxesPage() {
  const { data, error } = usePoll(() => api<{ boxes: Box[] }>('GET', '/api/boxes'));
  return (
    <section aria-labelledby="boxes-h">
      <h1 id="boxes-h">{t('boxes')}</h1>
      <Problem error={error} />
      {data && data.boxes.length === 0 && <p>{t('noBoxes')}</p>}
      {data && data.boxes.length > 0 && (
        <table>
          <thead><tr>{(['box', 'state', 'version', 'engine', 'clock', 'trunks', 'activeCalls', 'runningCampaigns', 'disk', 'cpuTemp'] as const).map((k) => <th scope="col">{t(k)}</th>)}</tr></thead>
          <tbody>{data.boxes.map((b) => <BoxRow b={b} />)}</tbody>
        </table>
      )}
    </section>
  );
}

export const alertName = (kind: string): string => {
  const k = `alert.${kind}`;
  return hasKey(k) ? t(k) : kind;
};

export function AlertsPage() {
  const { data, error } = usePoll(() => api<{ alerts: Alert[] }>('GET', '/api/alerts'));
  return (
    <section aria-labelledby="alerts-h">
      <h1 id="alerts-h">{t('alerts')}</h1>
      <Problem error={error} />
      {data && data.alerts.length === 0 && <p>{t('noAlerts')}</p>}
      {data && data.alerts.length > 0 && (
        <table>
          <thead><tr><th scope="col">{t('box')}</th><th scope="col">{t('alertKind')}</th><th scope="col">{t('openedAt')}</th><th scope="col">{t('detail')}</th></tr></thead>
          <tbody>{data.alerts.map((a) => (
            <tr data-alert={`${a.boxId}:${a.kind}`}>
              <th scope="row"><a href={`#/box/${encodeURIComponent(a.boxId)}`}>{a.boxId}</a></th>
              <td>{alertName(a.kind)}</td><td>{when(a.openedAt)}</td>
              <td>{typeof a.detail.reason === 'string' ? a.detail.reason : ''}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </section>
  );
}

export function BoxPage(p: { id: string }) {
  const { data, error } = usePoll(() => api<BoxDetail>('GET', `/api/boxes/${encodeURIComponent(p.id)}`), 2000, [p.id]);
  const series = (pick: (s: BoxDetail['telemetry'][number]) => number | null) => (data?.telemetry ?? []).map((s) => ({ at: s.at, v: pick(s) }));
  return (
    <section aria-labelledby="box-h">
      <p><a href="#/boxes">{t('back')}</a></p>
      <h1 id="box-h">{t('box')} {p.id}</h1>
      <Problem error={error} />
      {data && (
        <>
          <p data-cell="state" class={data.box.online ? 'ok' : 'bad'}>{data.box.online ? t('online') : t('offline')} · {t('version')} {orDash(data.box.version)} · {t('engine')} {orDash(data.box.engine)}</p>
          <h2>{t('charts')}</h2>
          {data.telemetry.length === 0 ? <p>{t('noSamples')}</p> : (
            <div class="charts">
              <LineChart title={t('chartCpu')} points={series((s) => s.cpuPct)} unit=" %" />
              <LineChart title={t('chartTemp')} points={series((s) => s.temperatureC)} unit=" °C" />
              <LineChart title={t('chartCalls')} points={series((s) => s.activeCalls)} />
            </div>
          )}
          <h2>{t('campaigns')}</h2>
          <ul>{data.campaigns.map((c) => <li data-campaign={c.id}>{c.name} (#{c.id}): {c.status}</li>)}</ul>
          <h2>{t('events')}</h2>
          {data.events.length === 0 ? <p>{t('noEvents')}</p> : (
            <table>
              <thead><tr><th scope="col">{t('seq')}</th><th scope="col">{t('type')}</th><th scope="col">{t('at')}</th></tr></thead>
              <tbody>{data.events.map((e) => <tr><td>{e.seq}</td><td>{e.type}</td><td>{when(e.createdAt)}</td></tr>)}</tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

export function AuditPage() {
  const { data, error } = usePoll(() => api<{ entries: AuditEntry[] }>('GET', '/api/audit'), 3000);
  return (
    <section aria-labelledby="audit-h">
      <h1 id="audit-h">{t('audit')}</h1>
      <Problem error={error} />
      {data && (
        <table>
          <thead><tr><th scope="col">{t('at')}</th><th scope="col">{t('actor')}</th><th scope="col">{t('action')}</th><th scope="col">{t('target')}</th><th scope="col">{t('outcome')}</th></tr></thead>
          <tbody>{data.entries.map((e) => <tr><td>{when(e.at)}</td><td>{e.actor}</td><td>{e.action}</td><td>{e.target ?? ''}</td><td>{t(`outcome.${e.outcome}`)}</td></tr>)}</tbody>
        </table>
      )}
    </section>
  );
}

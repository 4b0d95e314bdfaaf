// Dashboard: trunks and their health, calls in progress, running campaigns with live counters (WebSocket),
// box health (CPU, temperature, memory, disk), clock synchronisation, and the fleet claim code if unclaimed.
import { useEffect, useState } from 'preact/hooks';
import { useApi, usePolled } from '../../api.ts';
import { Card, Link, Notice, Page, ProgressBar, Table } from '../../components/index.ts';
import { formatBytes, formatDateTime, formatDuration, formatNumber, useLang } from '../../i18n.ts';
import { subscribe } from '../../live.ts';
import { holdText, statusLabel } from '../../messages.ts';
import { engineName } from '../../names.ts';
import { t, type DashKey } from './messages.ts';
import type { CampaignBrief, Health, Provisioning, SystemHealth, ToolStatus, Trunk } from './types.ts';
import { CertificateCard } from './certificate-card.tsx';

const POLL_MS = 10000;

function Meter({ fraction, label }: { fraction: number; label: string }) {
  const f = Math.min(1, Math.max(0, fraction));
  return <span class={`meter${f > 0.9 ? ' meter--bad' : f > 0.75 ? ' meter--warn' : ''}`} role="img" aria-label={label}><span style={{ width: `${Math.round(f * 100)}%` }} /></span>;
}

function healthBadge(h: Trunk['health']) {
  const cls = h === 'up' ? 'badge--up' : h === 'down' ? 'badge--down' : 'badge--warn';
  return <span class={`badge ${cls}`}>{t(`health.${h}` as DashKey)}</span>;
}

/** The production engine's links: calls are refused while drachtio-server or FreeSWITCH is not connected. */
function serversDown(health: Health) {
  const s = health.engineServers;
  if (!s) return null;
  const down = [s.drachtio ? null : 'drachtio-server', s.freeswitch ? null : 'FreeSWITCH'].filter((x): x is string => x !== null);
  return down.length ? <span class="badge badge--down" role="status"> {t('engineServersDown', { servers: down.join(', ') })}</span> : null;
}

/** Debian audio tools the box did not find: what is refused without each, and the line that installs them. */
function ToolsNotice({ tools }: { tools: readonly ToolStatus[] }) {
  const missing = tools.filter((x) => !x.present);
  if (missing.length === 0) return null;
  const packages = [...new Set(missing.map((x) => x.package))].join(' ');
  return (
    <Notice kind="warning" title={t('toolsTitle')} testId="tools-notice">
      <p>{t('toolsBody')}</p>
      <ul>
        {missing.map((x) => (
          <li key={x.name}><strong>{x.name}</strong> ({t('toolsPackage', { package: x.package })}): {t(`toolFor.${x.name}` as DashKey)}</li>
        ))}
      </ul>
      <p>{t('toolsInstall')} <code>sudo apt-get install -y {packages}</code></p>
    </Notice>
  );
}

function TrunksCard({ health }: { health: Health }) {
  return (
    <Card title={t('trunks')} testId="trunks-card">
      <dl class="stats">
        <div><dt>{t('activeCalls')}</dt><dd data-testid="active-calls">{formatNumber(health.activeCalls)}</dd></div>
        <div><dt>{t('engine')}</dt><dd>{engineName(health.engine)}{serversDown(health)}</dd></div>
        <div><dt>{t('uptime')}</dt><dd>{formatDuration(health.uptimeSec)}</dd></div>
        <div><dt>{t('version')}</dt><dd>{health.version}</dd></div>
      </dl>
      <Table<Trunk>
        label={t('trunks')}
        columns={[
          { key: 'name', label: t('trunk') },
          { key: 'kind', label: t('kind'), render: (r) => t(`kind.${r.kind}` as DashKey) },
          { key: 'health', label: t('health'), render: (r) => healthBadge(r.health) },
          { key: 'channels', label: t('channels'), align: 'right', render: (r) => `${r.channelsInUse} / ${r.channels}` },
          { key: 'rtt', label: t('rtt'), align: 'right', render: (r) => (r.lastOptionsRttMs === null ? '—' : `${Math.round(r.lastOptionsRttMs)} ms`) },
          { key: 'lastError', label: t('lastError'), render: (r) => r.lastError ?? '' },
        ]}
        rows={health.trunks}
        rowKey={(r) => r.name}
        empty={t('noTrunks')}
      />
    </Card>
  );
}

function ClockLine({ clock }: { clock: NonNullable<Health['clock']> }) {
  const state = clock.synchronized === true ? 'ok' : clock.synchronized === false ? (clock.required ? 'bad' : 'warn') : 'warn';
  const text = clock.synchronized === true ? t('clockSynced') : clock.synchronized === false ? t('clockNotSynced') : t('clockUnknown');
  return (
    <>
      <dt>{t('clock')}</dt>
      <dd data-testid="clock-state">
        <span class={`badge badge--${state}`}>{text}</span>{' '}
        <span class="small muted">{clock.synchronized === null ? t('clockUnknownWhy') : ''}{clock.synchronized !== true ? ` ${clock.required ? t('clockRequired') : t('clockNotRequired')}` : ''}</span>
        {/* The box's own words (English, from the system tools), for whoever fixes the clock. */}
        {clock.synchronized !== true && clock.detail && <details class="small"><summary>{t('clockDetail')}</summary><code>{clock.detail}</code></details>}
      </dd>
    </>
  );
}

function BoxCard({ sys, health }: { sys: SystemHealth | undefined; health: Health | undefined }) {
  const load = sys?.cpu.loadPercent;
  return (
    <Card title={t('box')} testId="box-health">
      <dl class="kv">
        {sys && (
          <>
            <dt>{t('cpu')}</dt>
            <dd>{load === null || load === undefined ? '—' : <><Meter fraction={load / 100} label={`${Math.round(load)} %`} /> {t('cpuValue', { load: `${Math.round(load)} %`, cores: sys.cpu.cores })}</>}</dd>
            <dt>{t('temperature')}</dt>
            <dd>{sys.cpu.temperatureC === null ? <span class="muted">{t('noSensor')}</span> : formatNumber(sys.cpu.temperatureC, { style: 'unit', unit: 'celsius', maximumFractionDigits: 0 })}</dd>
            <dt>{t('memory')}</dt>
            <dd><Meter fraction={sys.memory.totalBytes ? sys.memory.usedBytes / sys.memory.totalBytes : 0} label={formatBytes(sys.memory.usedBytes)} /> {formatBytes(sys.memory.usedBytes)} / {formatBytes(sys.memory.totalBytes)}</dd>
            {sys.disk && (
              <>
                <dt>{t('disk')}</dt>
                <dd><Meter fraction={sys.disk.totalBytes ? 1 - sys.disk.freeBytes / sys.disk.totalBytes : 0} label={formatBytes(sys.disk.freeBytes)} /> {t('diskValue', { free: formatBytes(sys.disk.freeBytes), total: formatBytes(sys.disk.totalBytes) })}</dd>
              </>
            )}
          </>
        )}
        {health?.clock && <ClockLine clock={health.clock} />}
      </dl>
    </Card>
  );
}

function CampaignsCard() {
  const list = useApi<CampaignBrief[]>('/api/campaigns');
  const [live, setLive] = useState<Record<number, CampaignBrief>>({});
  useEffect(() => subscribe('campaign.counters', (d) => {
    const c = d as CampaignBrief;
    if (typeof c?.id === 'number') setLive((prev) => ({ ...prev, [c.id]: c }));
  }), []);
  const merged = new Map<number, CampaignBrief>();
  for (const c of list.data ?? []) merged.set(c.id, { ...c, ...live[c.id] });
  for (const c of Object.values(live)) if (!merged.has(c.id)) merged.set(c.id, c);
  // Those that finish while the page is open stay, marked completed, so staff see the end.
  const running = [...merged.values()].filter((c) => c.status === 'running' || c.status === 'paused' || live[c.id] !== undefined);
  return (
    <Card title={t('campaigns')} testId="campaigns-card">
      {list.error && list.error.status !== 404 && <Notice kind="error">{list.error.message}</Notice>}
      {running.length === 0 && <p class="muted">{t('noCampaigns')}</p>}
      {running.map((c) => {
        const n = c.counters;
        const finished = n.done + n.blocked + n.stopped;
        return (
          <div key={c.id} class="campaign-live" data-testid={`campaign-${c.id}`}>
            <h3><Link href={`/campaigns/${c.id}`}>{c.name}</Link> <span class={`badge ${c.status === 'running' || c.status === 'completed' ? 'badge--ok' : 'badge--warn'}`}>{statusLabel(c.status).toLowerCase()}</span></h3>
            <ProgressBar label={`${t('progress')}: ${c.name}`} value={n.contacts ? finished / n.contacts : 0} text={`${formatNumber(finished)} / ${formatNumber(n.contacts)}`} />
            <dl class="stats">
              <div><dt>{t('done')}</dt><dd>{formatNumber(n.done)}</dd></div>
              <div><dt>{t('calling')}</dt><dd>{formatNumber(n.calling)}</dd></div>
              <div><dt>{t('waiting')}</dt><dd>{formatNumber(n.pending + n.waiting)}</dd></div>
              {c.etaMs !== null && <div><dt>{t('eta')}</dt><dd>{formatDuration(c.etaMs / 1000)}</dd></div>}
            </dl>
            {c.waitingReason && <p class="notice notice--warning small">{t('waitingReason', { reason: holdText(c.waitingCode, c.waitingReason) })}</p>}
          </div>
        );
      })}
    </Card>
  );
}

function ClaimCard() {
  const p = useApi<Provisioning>('/api/provisioning').data;
  // Shown while the box is not adopted (claim code) or its enrolment failed; an adopted box needs nothing here.
  if (!p || (!p.claimCode && !p.claimCodeHidden && p.state !== 'error')) return null;
  return (
    <Card title={t('claimTitle')} testId="claim-card">
      {p.claimCode && <p>{t('claimBody')}</p>}
      {p.claimCodeHidden && <p data-testid="claim-admin-only">{t('claimAdminOnly')}</p>}
      <dl class="kv">
        {p.claimCode && <><dt>{t('claimCode')}</dt><dd class="claim">{p.claimCode}</dd></>}
        {p.boxId && <><dt>{t('boxId')}</dt><dd>{p.boxId}</dd></>}
        {p.state && <><dt>{t('claimState')}</dt><dd>{['unclaimed', 'enrolled', 'error'].includes(p.state) ? t(`claim.${p.state}` as DashKey) : p.state}</dd></>}
      </dl>
      {p.error && <Notice kind="warning">{t('claimError', { error: p.error })}</Notice>}
    </Card>
  );
}

export default function Dashboard() {
  useLang();
  const health = usePolled<Health>('/api/health', POLL_MS);
  const sys = usePolled<SystemHealth>('/api/system', POLL_MS);
  return (
    <Page title={t('title')} actions={health.data && <span class="small muted" aria-live="off">{t('updated', { time: formatDateTime(health.data.time, { timeStyle: 'medium' }) })}</span>}>
      {health.error && <Notice kind="error">{health.error.message}</Notice>}
      {health.data?.tools && <ToolsNotice tools={health.data.tools} />}
      <ClaimCard />
      <CampaignsCard />
      <div class="grid grid--2-1">
        {health.data && <TrunksCard health={health.data} />}
        <BoxCard sys={sys.data} health={health.data} />
      </div>
      <CertificateCard />
    </Page>
  );
}

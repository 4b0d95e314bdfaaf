// Dashboard: first the box's state and the next step for a newcomer (a list, a message, a campaign), a
// line when the box is not adopted by a fleet (the claim code is in Settings › Fleet), running campaigns
// with live counters and why they wait (WebSocket), then health: trunks, calls, CPU, memory, disk, clock.
import { useEffect, useState } from 'preact/hooks';
import { roleAllows, useApi, usePolled, useSession } from '../../api.ts';
import { WaitingNotice } from '../campaigns/waiting.tsx';
import { Card, Link, Notice, Page, ProgressBar, Table } from '../../components/index.ts';
import { formatBytes, formatDateTime, formatDuration, formatNumber, useLang } from '../../i18n.ts';
import { subscribe } from '../../live.ts';
import { statusLabel } from '../../messages.ts';
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
            <WaitingNotice view={c} />
          </div>
        );
      })}
    </Card>
  );
}

/** Not adopted by a fleet (or its enrolment failed): a line, and where the claim code is (Settings › Fleet). */
function FleetNotice() {
  const session = useSession();
  const p = useApi<Provisioning>('/api/provisioning').data;
  if (!p || (p.state !== 'unclaimed' && p.state !== 'error')) return null;
  const admin = roleAllows(session?.role, 'admin');
  return (
    <p class="small muted fleet-notice" data-testid="fleet-notice">
      {p.state === 'error' ? t('fleetNoticeError') : t('fleetNotice')}{' '}
      {p.state !== 'error' && (admin ? <Link href="/settings#fleet">{t('fleetNoticeAdmin')}</Link> : t('fleetNoticeViewer'))}
    </p>
  );
}

interface Counted { id: number | string }

/** First the box's state and the next step for a newcomer: a list, a message, a campaign; then ready. */
function StateCard({ health }: { health: Health | undefined }) {
  const lists = useApi<Counted[]>('/api/lists');
  const recordings = useApi<Counted[]>('/api/recordings');
  const campaigns = useApi<CampaignBrief[]>('/api/campaigns');
  if (!lists.data || !recordings.data || !campaigns.data) return null;
  const running = campaigns.data.filter((c) => c.status === 'running').length;
  const steps = [
    { key: 'step.list', done: lists.data.length > 0, href: '/lists' },
    // A campaign may speak personalised text-to-speech without a recording: a campaign counts as a message made.
    { key: 'step.message', done: recordings.data.length > 0 || campaigns.data.length > 0, href: '/recordings' },
    { key: 'step.campaign', done: campaigns.data.length > 0, href: '/campaigns/new' },
  ] as const;
  const next = steps.find((x) => !x.done);
  const enabled = health?.trunks.filter((x) => x.health !== 'paused') ?? [];
  const down = enabled.length > 0 && enabled.every((x) => x.health === 'down') ? enabled.map((x) => x.name) : [];
  const state = health?.clock?.synchronized === false && health.clock.required ? t('state.clock')
    : down.length > 0 ? t('state.trunksDown', { names: down.join(', ') })
    : running > 0 ? t('state.running', { n: running })
    : health?.onSandbox ? t('state.readySandbox') : t('state.ready');
  const bad = (health?.clock?.synchronized === false && health.clock.required) || down.length > 0;
  return (
    <Card title={t('stateTitle')} testId="box-state">
      <p class={`box-state ${bad ? 'box-state--bad' : 'box-state--ok'}`} data-testid="box-state-line">{state}</p>
      {/* The box's HTTPS certificate fingerprint (the https work) has its place here, under the state. */}
      <h3 class="label">{t('stepsTitle')}</h3>
      <ol class="steps" data-testid="next-steps">
        {steps.map((x) => (
          <li key={x.key} class={x.done ? 'step step--done' : 'step'}>
            <span class={`badge ${x.done ? 'badge--ok' : 'badge--warn'}`}>{x.done ? t('stepDone') : t('stepTodo')}</span>{' '}
            {x.done ? t(x.key) : <Link href={x.href}>{t(x.key)}</Link>}
          </li>
        ))}
      </ol>
      {next
        ? <p data-testid="next-step"><strong>{t('nextStep')}</strong> <Link class="btn btn--primary" href={next.href}>{t(next.key)}</Link></p>
        : <p data-testid="next-step">{t('allSet')} <Link href="/campaigns">{t('campaigns')}</Link></p>}
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
      <StateCard health={health.data} />
      <FleetNotice />
      <CampaignsCard />
      <div class="grid grid--2-1">
        {health.data && <TrunksCard health={health.data} />}
        <BoxCard sys={sys.data} health={health.data} />
      </div>
      <CertificateCard />
    </Page>
  );
}

// What the console shows, read from the fleet database: a box's line in the list, a box's page
// (telemetry series, events, commands), and commands with their answers per box.
import type { Sql } from '../store/sql.ts';
import type { BoxRow } from '../store/fleet-store.ts';

export interface BoxSummary {
  boxId: string; orgId: string; online: boolean; since: string | null; lastSeen: string; version: string | null; configVersion: number | null;
  engine: string | null; clockSynchronized: boolean | null; trunks: Array<{ name: string; health: string }>; activeCalls: number | null;
  runningCampaigns: number; diskUsedPct: number | null; cpuTemperatureC: number | null; telemetryAt: string | null;
}

const obj = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function boxSummary(b: BoxRow): BoxSummary {
  const t = b.telemetry ?? {};
  const engine = obj(t.engine)?.name;
  const clock = obj(t.clock);
  const disks = Array.isArray(t.disk) ? t.disk.map((d) => num(obj(d)?.usedPct)).filter((n): n is number => n !== null) : [];
  return {
    boxId: b.boxId, orgId: b.orgId, online: b.online, since: b.onlineSince, lastSeen: b.lastSeen, version: b.version, configVersion: b.configVersion,
    engine: typeof engine === 'string' ? engine : null,
    clockSynchronized: typeof clock?.synchronized === 'boolean' ? clock.synchronized : null,
    trunks: Array.isArray(t.trunks) ? t.trunks.map(obj).filter((x): x is Record<string, unknown> => x !== null).map((x) => ({ name: String(x.name ?? '?'), health: String(x.health ?? '?') })) : [],
    activeCalls: num(t.activeCalls),
    runningCampaigns: Array.isArray(t.campaigns) ? t.campaigns.filter((c) => obj(c)?.status === 'running').length : 0,
    diskUsedPct: disks.length ? Math.max(...disks) : null,
    cpuTemperatureC: num(obj(t.cpu)?.temperatureC),
    telemetryAt: typeof t.at === 'string' ? t.at : null,
  };
}

export interface BoxDetail {
  box: BoxSummary;
  telemetry: Array<{ at: string; cpuPct: number | null; temperatureC: number | null; memoryPct: number | null; activeCalls: number | null }>;
  events: Array<{ seq: number; type: string; createdAt: string | null; receivedAt: string; payload: unknown }>;
  commands: Array<{ commandId: string; type: string; createdAt: string; status: string | null; error: string | null }>;
  campaigns: unknown[];
}

/** The box's page: the last six hours of telemetry (full rate, then the 5-minute roll-up), 100 events, 50 commands. */
export async function boxDetail(sql: Sql, boxId: string): Promise<BoxDetail | null> {
  const row = (await sql.query<Record<string, unknown>>(
    'SELECT box_id, org_id, online, online_since, version, config_version, last_seen, telemetry, reported FROM boxes WHERE box_id = $1', [boxId])).rows[0];
  if (!row) return null;
  const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());
  const box = boxSummary({
    boxId, orgId: row.org_id as string, online: row.online as boolean, onlineSince: iso(row.online_since), version: (row.version as string | null) ?? null,
    configVersion: (row.config_version as number | null) ?? null, lastSeen: iso(row.last_seen)!, telemetry: (row.telemetry as Record<string, unknown> | null) ?? null,
    reported: (row.reported as Record<string, unknown> | null) ?? null,
  });
  const series = (await sql.query<{ at: string; cpu: number | null; temp: number | null; mem: number | null; calls: number | null }>(
    `SELECT at, cpu, temp, mem, calls FROM (
       SELECT at, (doc->'cpu'->>'loadPct')::real AS cpu, (doc->'cpu'->>'temperatureC')::real AS temp, (doc->'memory'->>'usedPct')::real AS mem, (doc->>'activeCalls')::int AS calls
       FROM telemetry WHERE box_id = $1 AND at > now() - interval '6 hours'
       UNION ALL
       SELECT bucket, cpu_load_avg, temperature_max, memory_used_max, active_calls_max FROM telemetry_rollup WHERE box_id = $1 AND bucket > now() - interval '6 hours'
     ) s ORDER BY at LIMIT 5000`, [boxId])).rows;
  const events = (await sql.query<{ seq: string; type: string; created_at: string | null; received_at: string; payload: unknown }>(
    'SELECT seq, type, created_at, received_at, payload FROM events WHERE box_id = $1 ORDER BY seq DESC LIMIT 100', [boxId])).rows;
  const commands = (await sql.query<{ command_id: string; type: string; created_at: string; status: string | null; answer: { error?: string | null } | null }>(
    'SELECT command_id, type, created_at, status, answer FROM deliveries WHERE box_id = $1 ORDER BY created_at DESC LIMIT 50', [boxId])).rows;
  const t = obj(row.telemetry);
  return {
    box,
    telemetry: series.map((s) => ({ at: new Date(s.at).toISOString(), cpuPct: s.cpu, temperatureC: s.temp, memoryPct: s.mem, activeCalls: s.calls })),
    events: events.map((e) => ({ seq: Number(e.seq), type: e.type, createdAt: iso(e.created_at), receivedAt: iso(e.received_at)!, payload: e.payload })),
    commands: commands.map((c) => ({ commandId: c.command_id, type: c.type, createdAt: iso(c.created_at)!, status: c.status, error: c.answer?.error ?? null })),
    campaigns: Array.isArray(t?.campaigns) ? t.campaigns : [],
  };
}

export interface CommandView {
  commandId: string; type: string; data: unknown; createdAt: string;
  boxes: Array<{ boxId: string; sentAt: string | null; answeredAt: string | null; status: 'ok' | 'error' | null; answer: unknown }>;
}

/** The console's commands (relayed opt-outs left out: they are the fleet's own), newest first, with each box's answer. */
export async function commandList(sql: Sql, limit = 50): Promise<CommandView[]> {
  const rows = (await sql.query<{ command_id: string; type: string; data: unknown; created_at: string; boxes: Array<{ boxId: string; sentAt: string | null; answeredAt: string | null; status: 'ok' | 'error' | null; answer: unknown }> }>(
    `SELECT command_id, min(type) AS type, (array_agg(data))[1] AS data, min(created_at) AS created_at,
            json_agg(json_build_object('boxId', box_id, 'sentAt', sent_at, 'answeredAt', answered_at, 'status', status, 'answer', answer) ORDER BY box_id) AS boxes
     FROM deliveries WHERE command_id NOT LIKE 'optout:%' GROUP BY command_id ORDER BY min(created_at) DESC LIMIT $1`, [limit])).rows;
  return rows.map((r) => ({ commandId: r.command_id, type: r.type, data: r.data, createdAt: new Date(r.created_at).toISOString(), boxes: r.boxes }));
}

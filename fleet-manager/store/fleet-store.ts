// The fleet manager's repository: ingest batches, commands waiting for a box, alerts, telemetry
// roll-up, organisations. Every query is plain PostgreSQL, run on PGlite or on a server alike.
import { openSql, type Sql } from './sql.ts';
import { migrate } from './migrate.ts';
import { ingestBatch, pushFleetDnc, type BatchResult, type Delivery } from './ingest-tx.ts';
import type { Inbound } from '../inbound.ts';

export interface AlertPolicy {
  /** A box offline longer than this raises `offline`. */
  offlineAfterMs: number;
  /** A seq gap still open after this raises `event-gap` (events may arrive out of order across instances). */
  gapGraceMs: number;
  /** Disk use above this (percent) raises `disk-full`. */
  diskFullPct: number;
}

export const DEFAULT_ALERTS: AlertPolicy = { offlineAfterMs: 5 * 60_000, gapGraceMs: 30_000, diskFullPct: 90 };

export interface BoxRow {
  boxId: string; orgId: string; online: boolean; onlineSince: string | null; version: string | null; configVersion: number | null;
  lastSeen: string; telemetry: Record<string, unknown> | null; reported: Record<string, unknown> | null;
}

export interface AlertRow { id: number; boxId: string; kind: string; detail: Record<string, unknown>; openedAt: string; closedAt: string | null }

const RETRYABLE = new Set(['40P01', '40001']); // deadlock detected, serialization failure

export class FleetStore {
  private constructor(readonly sql: Sql) {}

  /** Opens (PGlite folder or postgres:// URL) and brings the schema up to date. */
  static async open(target: string): Promise<FleetStore> {
    const sql = await openSql(target);
    try {
      await migrate(sql);
    } catch (e) {
      await sql.close();
      throw e;
    }
    return new FleetStore(sql);
  }

  close(): Promise<void> {
    return this.sql.close();
  }

  async ingest(items: Inbound[]): Promise<BatchResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.sql.tx((q) => ingestBatch(q, items));
      } catch (e) {
        if (attempt < 5 && RETRYABLE.has((e as { code?: string }).code ?? '')) continue;
        throw e;
      }
    }
  }

  /** Unanswered, unexpired commands of one box, oldest first (sent again when it says hello). */
  async openDeliveries(boxId: string): Promise<Delivery[]> {
    const rows = (await this.sql.query<{ command_id: string; box_id: string; type: string; data: unknown; expires_at: Date | string }>(
      'SELECT command_id, box_id, type, data, expires_at FROM deliveries WHERE box_id = $1 AND answered_at IS NULL AND expires_at > now() ORDER BY created_at, command_id', [boxId])).rows;
    return rows.map((r) => ({ commandId: r.command_id, boxId: r.box_id, type: r.type, data: r.data, expiresAt: new Date(r.expires_at).toISOString() }));
  }

  /** Commands never sent (an instance died between commit and publish) or sent long ago without an answer to an online box. */
  async staleDeliveries(resendAfterMs: number, limit = 1000): Promise<Delivery[]> {
    const rows = (await this.sql.query<{ command_id: string; box_id: string; type: string; data: unknown; expires_at: Date | string }>(
      `SELECT d.command_id, d.box_id, d.type, d.data, d.expires_at FROM deliveries d JOIN boxes b ON b.box_id = d.box_id
       WHERE d.answered_at IS NULL AND d.expires_at > now()
         AND (d.sent_at IS NULL OR (b.online AND d.sent_at < now() - make_interval(secs => $1)))
       ORDER BY d.created_at LIMIT $2`, [resendAfterMs / 1000, limit])).rows;
    return rows.map((r) => ({ commandId: r.command_id, boxId: r.box_id, type: r.type, data: r.data, expiresAt: new Date(r.expires_at).toISOString() }));
  }

  async markSent(ds: Delivery[]): Promise<void> {
    if (ds.length === 0) return;
    await this.sql.query(
      `UPDATE deliveries d SET sent_at = now(), send_count = send_count + 1 FROM unnest($1::text[], $2::text[]) AS u(c, b)
       WHERE d.command_id = u.c AND d.box_id = u.b`, [ds.map((d) => d.commandId), ds.map((d) => d.boxId)]);
  }

  /** Queue a command for boxes (the console's and the CLI's door); returns what to publish. */
  async queueCommand(commandId: string, boxIds: string[], type: string, data: unknown, ttlMs: number): Promise<Delivery[]> {
    const rows = (await this.sql.query<{ box_id: string; expires_at: Date | string }>(
      `INSERT INTO deliveries (command_id, box_id, type, data, expires_at) SELECT $1, b, $3, $4::jsonb, now() + make_interval(secs => $5)
       FROM unnest($2::text[]) AS u(b) ON CONFLICT (command_id, box_id) DO NOTHING RETURNING box_id, expires_at`,
      [commandId, boxIds, type, JSON.stringify(data), ttlMs / 1000])).rows;
    return rows.map((r) => ({ commandId, boxId: r.box_id, type, data, expiresAt: new Date(r.expires_at).toISOString() }));
  }

  async createOrg(id: string, name: string): Promise<void> {
    await this.sql.query('INSERT INTO organisations (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name', [id, name]);
  }

  /** Moves a box (created if unseen) to an organisation and queues that organisation's do-not-call list for it. */
  async assignBox(boxId: string, orgId: string): Promise<Delivery[]> {
    return this.sql.tx(async (q) => {
      const org = await q.query('SELECT 1 FROM organisations WHERE id = $1', [orgId]);
      if (org.rowCount === 0) throw new Error(`no organisation "${orgId}" (create it first)`);
      await q.query('INSERT INTO boxes (box_id, org_id) VALUES ($1, $2) ON CONFLICT (box_id) DO UPDATE SET org_id = EXCLUDED.org_id', [boxId, orgId]);
      return pushFleetDnc(q, boxId);
    });
  }

  async boxes(): Promise<BoxRow[]> {
    const rows = (await this.sql.query<Record<string, unknown>>(
      'SELECT box_id, org_id, online, online_since, version, config_version, last_seen, telemetry, reported FROM boxes ORDER BY box_id')).rows;
    return rows.map((r) => ({
      boxId: r.box_id as string, orgId: r.org_id as string, online: r.online as boolean, onlineSince: iso(r.online_since), version: (r.version as string | null) ?? null,
      configVersion: (r.config_version as number | null) ?? null, lastSeen: iso(r.last_seen)!, telemetry: (r.telemetry as Record<string, unknown> | null) ?? null,
      reported: (r.reported as Record<string, unknown> | null) ?? null,
    }));
  }

  async alerts(open = true): Promise<AlertRow[]> {
    const rows = (await this.sql.query<Record<string, unknown>>(
      `SELECT id, box_id, kind, detail, opened_at, closed_at FROM alerts ${open ? 'WHERE closed_at IS NULL' : ''} ORDER BY id`)).rows;
    return rows.map((r) => ({ id: Number(r.id), boxId: r.box_id as string, kind: r.kind as string, detail: r.detail as Record<string, unknown>, openedAt: iso(r.opened_at)!, closedAt: iso(r.closed_at) }));
  }

  /**
   * Opens and closes the alerts that depend on time or on the latest telemetry: offline too long,
   * event gap still open after the grace delay, disk full, trunk down, clock unsynchronised.
   */
  async checkAlerts(p: AlertPolicy): Promise<void> {
    await this.sql.tx(async (q) => {
      await q.query(`INSERT INTO alerts (box_id, kind, detail) SELECT box_id, 'offline', jsonb_build_object('since', online_since) FROM boxes
        WHERE NOT online AND online_since IS NOT NULL AND online_since < now() - make_interval(secs => $1) ON CONFLICT (box_id, kind) WHERE closed_at IS NULL DO NOTHING`, [p.offlineAfterMs / 1000]);
      await q.query(`INSERT INTO alerts (box_id, kind, detail) SELECT box_id, 'event-gap', jsonb_build_object('after', contiguous, 'maxSeen', max_seen) FROM box_seq
        WHERE gap_since IS NOT NULL AND gap_since < now() - make_interval(secs => $1) ON CONFLICT (box_id, kind) WHERE closed_at IS NULL DO NOTHING`, [p.gapGraceMs / 1000]);
      await q.query(`UPDATE alerts a SET closed_at = now() FROM box_seq s WHERE a.kind = 'event-gap' AND a.closed_at IS NULL AND s.box_id = a.box_id AND s.gap_since IS NULL`);
      // From the latest telemetry: the fullest disk, trunks not up, a clock required but unsynchronised.
      const conds: Array<[string, string]> = [
        ['disk-full', `EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(telemetry->'disk') = 'array' THEN telemetry->'disk' ELSE '[]'::jsonb END) d WHERE (d->>'usedPct')::real > ${Number(p.diskFullPct)})`],
        ['trunk-down', `EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(telemetry->'trunks') = 'array' THEN telemetry->'trunks' ELSE '[]'::jsonb END) t WHERE t->>'health' = 'down')`],
        ['clock-unsynchronised', `(telemetry->'clock'->>'required')::boolean AND NOT (telemetry->'clock'->>'synchronized')::boolean`],
      ];
      for (const [kind, cond] of conds) {
        await q.query(`INSERT INTO alerts (box_id, kind) SELECT box_id, '${kind}' FROM boxes WHERE telemetry IS NOT NULL AND online AND coalesce(${cond}, false)
          ON CONFLICT (box_id, kind) WHERE closed_at IS NULL DO NOTHING`);
        await q.query(`UPDATE alerts a SET closed_at = now() FROM boxes b WHERE a.kind = '${kind}' AND a.closed_at IS NULL AND b.box_id = a.box_id AND NOT coalesce(${cond.replaceAll('telemetry', 'b.telemetry')}, false)`);
      }
    });
  }

  /** Telemetry older than `keepMs` is rolled up into 5-minute buckets and deleted; returns the rows rolled up. */
  async downsample(keepMs = 24 * 3_600_000): Promise<number> {
    return this.sql.tx(async (q) => {
      // One instance at a time: two roll-ups of the same rows would count them twice.
      const got = (await q.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [0x666c7432])).rows[0]?.ok;
      if (!got) return 0;
      const cut = `now() - make_interval(secs => ${keepMs / 1000})`;
      await q.query(`INSERT INTO telemetry_rollup (box_id, bucket, samples, cpu_load_avg, cpu_load_max, temperature_max, memory_used_max, disk_used_max, active_calls_max)
        SELECT box_id, to_timestamp(floor(extract(epoch FROM at) / 300) * 300), count(*),
               avg((doc->'cpu'->>'loadPct')::real), max((doc->'cpu'->>'loadPct')::real), max((doc->'cpu'->>'temperatureC')::real),
               max((doc->'memory'->>'usedPct')::real),
               max((SELECT max((d->>'usedPct')::real) FROM jsonb_array_elements(CASE WHEN jsonb_typeof(doc->'disk') = 'array' THEN doc->'disk' ELSE '[]'::jsonb END) d)),
               max((doc->>'activeCalls')::int)
        FROM telemetry WHERE at < ${cut} GROUP BY 1, 2
        ON CONFLICT (box_id, bucket) DO UPDATE SET
          cpu_load_avg = (telemetry_rollup.cpu_load_avg * telemetry_rollup.samples + EXCLUDED.cpu_load_avg * EXCLUDED.samples) / (telemetry_rollup.samples + EXCLUDED.samples),
          samples = telemetry_rollup.samples + EXCLUDED.samples,
          cpu_load_max = greatest(telemetry_rollup.cpu_load_max, EXCLUDED.cpu_load_max), temperature_max = greatest(telemetry_rollup.temperature_max, EXCLUDED.temperature_max),
          memory_used_max = greatest(telemetry_rollup.memory_used_max, EXCLUDED.memory_used_max), disk_used_max = greatest(telemetry_rollup.disk_used_max, EXCLUDED.disk_used_max),
          active_calls_max = greatest(telemetry_rollup.active_calls_max, EXCLUDED.active_calls_max)`);
      return (await q.query(`DELETE FROM telemetry WHERE at < ${cut}`)).rowCount;
    });
  }
}

function iso(v: unknown): string | null {
  return v === null || v === undefined ? null : new Date(v as string).toISOString();
}

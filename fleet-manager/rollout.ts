// Staged rollout of a desired configuration to a group: one box, then 10 % of the group, then all.
// Each step publishes the retained `config/desired` document to its boxes and waits for their
// `config/reported` answers (stored by ingest in boxes.reported); the first rejection stops the
// rollout, and the boxes of later steps never receive the document. Advanced by the periodic tick,
// so any instance may carry on what another started (all state is in the database).
import type { Queryable, Sql } from './store/sql.ts';

export interface RolloutRow {
  id: number; group: string; version: number; settings: Record<string, unknown>; state: 'running' | 'done' | 'stopped';
  step: number; reason: string | null; stoppedBox: string | null; createdBy: string; createdAt: string; finishedAt: string | null;
  boxes: Array<{ boxId: string; step: number | null; sentAt: string | null; status: 'applied' | 'rejected' | null; reason: string | null }>;
}

/** What to publish (retained) for a step. */
export interface DesiredPublish { boxId: string; version: number; settings: Record<string, unknown> }

/** How many boxes (in total) have the document after step 1, 2 and 3 of a group of `n`. */
export function stepSizes(n: number): number[] {
  if (n === 0) return [];
  const tenth = Math.max(1, Math.ceil(n / 10));
  return [...new Set([1, Math.min(n, tenth), n])];
}

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

export class Rollouts {
  constructor(private readonly sql: Sql) {}

  /**
   * Starts a rollout of `settings` to `boxIds` (a group's members, in their order). The version is above
   * every version the fleet has sent or a box reported, so no box takes it for one it already saw.
   */
  async create(group: string, boxIds: string[], settings: Record<string, unknown>, by: string): Promise<{ rollout: number; version: number; first: DesiredPublish[] }> {
    return this.sql.tx(async (q) => {
      await q.query('SELECT pg_advisory_xact_lock($1)', [0x666c7433]);
      const running = await q.query('SELECT id FROM rollouts WHERE group_name = $1 AND state = $2', [group, 'running']);
      if (running.rowCount > 0) throw new RolloutRefused(`a rollout is already running for group "${group}"; wait for it to finish or stop`);
      const v = (await q.query<{ v: number }>(
        `SELECT greatest(coalesce((SELECT max(version) FROM rollouts), 0),
                         coalesce((SELECT max(config_version) FROM boxes WHERE box_id = ANY($1::text[])), 0),
                         coalesce((SELECT max((reported->>'version')::int) FROM boxes WHERE box_id = ANY($1::text[]) AND jsonb_typeof(reported->'version') = 'number'), 0)) + 1 AS v`,
        [boxIds])).rows[0]!.v;
      const id = Number((await q.query<{ id: string }>('INSERT INTO rollouts (group_name, version, settings, created_by) VALUES ($1, $2, $3::jsonb, $4) RETURNING id',
        [group, v, JSON.stringify(settings), by])).rows[0]!.id);
      await q.query('INSERT INTO rollout_boxes (rollout_id, box_id, position) SELECT $1, b, p FROM unnest($2::text[]) WITH ORDINALITY AS u(b, p)', [id, boxIds]);
      const first = await this.nextStep(q, id, v, settings);
      return { rollout: id, version: v, first };
    });
  }

  /**
   * One pass over running rollouts: record the answers of the boxes sent to, stop at a rejection,
   * start the next step when every box of the current one applied. Returns what to publish.
   */
  async advance(): Promise<DesiredPublish[]> {
    return this.sql.tx(async (q) => {
      const got = (await q.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [0x666c7433])).rows[0]?.ok;
      if (!got) return [];
      const out: DesiredPublish[] = [];
      const running = (await q.query<{ id: string; version: number; settings: Record<string, unknown> }>("SELECT id, version, settings FROM rollouts WHERE state = 'running' ORDER BY id")).rows;
      for (const r of running) {
        const id = Number(r.id);
        // A report for this version (or a later one) answers it; anything older is not an answer yet.
        await q.query(
          `UPDATE rollout_boxes rb SET status = b.reported->>'status', reason = b.reported->>'reason', answered_at = now()
           FROM boxes b WHERE rb.rollout_id = $1 AND rb.box_id = b.box_id AND rb.sent_at IS NOT NULL AND rb.status IS NULL
             AND jsonb_typeof(b.reported->'version') = 'number' AND (b.reported->>'version')::int = $2 AND b.reported->>'status' IN ('applied', 'rejected')`, [id, r.version]);
        const rejected = (await q.query<{ box_id: string; reason: string | null }>(
          "SELECT box_id, reason FROM rollout_boxes WHERE rollout_id = $1 AND status = 'rejected' ORDER BY answered_at, position LIMIT 1", [id])).rows[0];
        if (rejected) {
          await q.query("UPDATE rollouts SET state = 'stopped', reason = $2, stopped_box = $3, finished_at = now() WHERE id = $1",
            [id, rejected.reason ?? 'rejected', rejected.box_id]);
          continue;
        }
        const waiting = (await q.query('SELECT 1 FROM rollout_boxes WHERE rollout_id = $1 AND sent_at IS NOT NULL AND status IS NULL LIMIT 1', [id])).rowCount;
        if (waiting > 0) continue;
        out.push(...await this.nextStep(q, id, r.version, r.settings));
      }
      return out;
    });
  }

  /** Marks the boxes of the next step sent and returns them; finishes the rollout when none is left. */
  private async nextStep(q: Queryable, id: number, version: number, settings: Record<string, unknown>): Promise<DesiredPublish[]> {
    const r = (await q.query<{ step: number; n: string }>('SELECT step, (SELECT count(*) FROM rollout_boxes WHERE rollout_id = $1) AS n FROM rollouts WHERE id = $1', [id])).rows[0]!;
    const sizes = stepSizes(Number(r.n));
    const step = r.step + 1;
    if (step > sizes.length) {
      await q.query("UPDATE rollouts SET state = 'done', finished_at = now() WHERE id = $1", [id]);
      return [];
    }
    const boxes = (await q.query<{ box_id: string }>(
      'UPDATE rollout_boxes SET step = $2, sent_at = now() WHERE rollout_id = $1 AND sent_at IS NULL AND position <= $3 RETURNING box_id', [id, step, sizes[step - 1]])).rows;
    await q.query('UPDATE rollouts SET step = $2 WHERE id = $1', [id, step]);
    return boxes.map((b) => ({ boxId: b.box_id, version, settings }));
  }

  async list(limit = 50): Promise<RolloutRow[]> {
    const rows = (await this.sql.query<Record<string, unknown>>(
      'SELECT id, group_name, version, settings, state, step, reason, stopped_box, created_by, created_at, finished_at FROM rollouts ORDER BY id DESC LIMIT $1', [limit])).rows;
    const ids = rows.map((r) => Number(r.id));
    const boxes = ids.length === 0 ? [] : (await this.sql.query<Record<string, unknown>>(
      'SELECT rollout_id, box_id, step, sent_at, status, reason FROM rollout_boxes WHERE rollout_id = ANY($1::bigint[]) ORDER BY rollout_id, position', [ids])).rows;
    return rows.map((r) => ({
      id: Number(r.id), group: r.group_name as string, version: r.version as number, settings: r.settings as Record<string, unknown>,
      state: r.state as RolloutRow['state'], step: r.step as number, reason: (r.reason as string | null) ?? null, stoppedBox: (r.stopped_box as string | null) ?? null,
      createdBy: r.created_by as string, createdAt: iso(r.created_at)!, finishedAt: iso(r.finished_at),
      boxes: boxes.filter((b) => Number(b.rollout_id) === Number(r.id)).map((b) => ({
        boxId: b.box_id as string, step: (b.step as number | null) ?? null, sentAt: iso(b.sent_at),
        status: (b.status as 'applied' | 'rejected' | null) ?? null, reason: (b.reason as string | null) ?? null,
      })),
    }));
  }
}

/** A rollout the console refuses (one already running for the group). */
export class RolloutRefused extends Error {}

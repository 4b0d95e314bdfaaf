// One batch of inbound messages in one transaction: events stored once by (box_id, seq), the per-box
// contiguous seq advanced, opt-outs turned into deliveries for the organisation's other boxes,
// telemetry, statuses, reported configurations and command answers. Acknowledged to the broker only
// after this commits, so a kill at any point loses nothing and the redelivery is absorbed by the key.
import type { Queryable } from './sql.ts';
import { optOutHash, type Inbound } from '../inbound.ts';

export interface Delivery { commandId: string; boxId: string; type: string; data: unknown; expiresAt: string }

export interface BatchResult {
  eventsStored: number;
  duplicates: number;
  /** Commands created by this batch (relayed opt-outs, the DNC list for new boxes), to publish after commit. */
  toSend: Delivery[];
  /** Boxes that said hello with a new run: their unanswered commands are sent again. */
  births: string[];
  newBoxes: string[];
}

/** How long a relayed opt-out stays deliverable to a box that is away. */
export const RELAY_TTL_DAYS = 30;

export const optOutCommandId = (boxId: string, seq: number): string => `optout:${boxId}:${seq}`;

const sortedUnique = (xs: string[]): string[] => [...new Set(xs)].sort();

export async function ingestBatch(q: Queryable, items: Inbound[]): Promise<BatchResult> {
  const result: BatchResult = { eventsStored: 0, duplicates: 0, toSend: [], births: [], newBoxes: [] };
  if (items.length === 0) return result;
  // Locks are always taken in the same order (boxes, then box_seq, each sorted by box id) so two
  // instances never wait on each other in a circle.
  const boxIds = sortedUnique(items.map((i) => i.boxId));
  result.newBoxes = (await q.query<{ box_id: string }>(
    'INSERT INTO boxes (box_id) SELECT b FROM unnest($1::text[]) AS u(b) ORDER BY b ON CONFLICT (box_id) DO NOTHING RETURNING box_id', [boxIds])).rows.map((r) => r.box_id);
  for (const boxId of result.newBoxes) result.toSend.push(...await pushFleetDnc(q, boxId));

  const events = items.filter((i): i is Extract<Inbound, { kind: 'event' }> => i.kind === 'event').sort((a, b) => (a.boxId < b.boxId ? -1 : a.boxId > b.boxId ? 1 : a.seq - b.seq));
  if (events.length > 0) {
    const eventBoxes = sortedUnique(events.map((e) => e.boxId));
    await q.query('INSERT INTO box_seq (box_id) SELECT b FROM unnest($1::text[]) AS u(b) ORDER BY b ON CONFLICT (box_id) DO NOTHING', [eventBoxes]);
    await q.query('SELECT box_id FROM box_seq WHERE box_id = ANY($1::text[]) ORDER BY box_id FOR UPDATE', [eventBoxes]);
    const inserted = (await q.query<{ box_id: string; seq: string | number; type: string; payload: unknown }>(
      `INSERT INTO events (box_id, seq, type, payload, created_at)
       SELECT b, s, t, p::jsonb, c::timestamptz FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[]) AS u(b, s, t, p, c)
       ON CONFLICT (box_id, seq) DO NOTHING RETURNING box_id, seq, type, payload`,
      [events.map((e) => e.boxId), events.map((e) => e.seq), events.map((e) => e.type), events.map((e) => JSON.stringify(e.payload)), events.map((e) => e.createdAt)])).rows;
    result.eventsStored = inserted.length;
    result.duplicates = events.length - inserted.length;
    if (inserted.length > 0) {
      await q.query(
        `UPDATE box_seq b SET max_seen = greatest(b.max_seen, m.mx),
           contiguous = CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.box_id = b.box_id AND e.seq = b.contiguous + 1)
             THEN (SELECT min(e.seq) FROM events e WHERE e.box_id = b.box_id AND e.seq > b.contiguous
                   AND NOT EXISTS (SELECT 1 FROM events f WHERE f.box_id = e.box_id AND f.seq = e.seq + 1))
             ELSE b.contiguous END
         FROM (SELECT b AS box_id, max(s) AS mx FROM unnest($1::text[], $2::bigint[]) AS u(b, s) GROUP BY b) m
         WHERE b.box_id = m.box_id`,
        [inserted.map((r) => r.box_id), inserted.map((r) => Number(r.seq))]);
      await q.query(
        `UPDATE box_seq SET gap_since = CASE WHEN contiguous < max_seen THEN coalesce(gap_since, now()) ELSE NULL END
         WHERE box_id = ANY($1::text[])`, [eventBoxes]);
      for (const r of inserted) {
        if (r.type !== 'optout') continue;
        result.toSend.push(...await relayOptOut(q, r.box_id, Number(r.seq), r.payload));
      }
    }
  }

  for (const item of items) {
    switch (item.kind) {
      case 'telemetry':
        await q.query('INSERT INTO telemetry (box_id, at, doc) VALUES ($1, $2, $3::jsonb) ON CONFLICT (box_id, at) DO NOTHING', [item.boxId, item.at, JSON.stringify(item.doc)]);
        await q.query('UPDATE boxes SET telemetry = $2::jsonb, telemetry_at = $3, last_seen = now() WHERE box_id = $1 AND (telemetry_at IS NULL OR telemetry_at < $3)', [item.boxId, JSON.stringify(item.doc), item.at]);
        break;
      case 'birth': {
        // Statuses reach every instance (retained, not shared): only the instance that records a new
        // run acts on it, and a late retained copy of an older birth changes nothing.
        const r = await q.query(
          `UPDATE boxes SET online = true, online_since = CASE WHEN online THEN online_since ELSE now() END, run_id = $2, connected_at = $3,
             version = $4, config_version = $5, status = $6::jsonb, last_seen = now()
           WHERE box_id = $1 AND (connected_at IS NULL OR connected_at < $3::timestamptz)`,
          [item.boxId, item.runId, item.connectedAt, item.version, item.configVersion, JSON.stringify(item.doc)]);
        if (r.rowCount > 0) {
          result.births.push(item.boxId);
          await q.query("UPDATE alerts SET closed_at = now() WHERE box_id = $1 AND kind = 'offline' AND closed_at IS NULL", [item.boxId]);
        }
        break;
      }
      case 'gone':
        // The last will of the run we know, not of an older one.
        await q.query('UPDATE boxes SET online = false, online_since = now(), status = $3::jsonb WHERE box_id = $1 AND online AND run_id = $2', [item.boxId, item.runId, JSON.stringify(item.doc)]);
        break;
      case 'reported': {
        const r = await q.query('UPDATE boxes SET reported = $2::jsonb, reported_at = now() WHERE box_id = $1 AND reported IS DISTINCT FROM $2::jsonb', [item.boxId, JSON.stringify(item.doc)]);
        if (r.rowCount === 0) break;
        if (item.status === 'rejected') {
          await q.query(`INSERT INTO alerts (box_id, kind, detail) VALUES ($1, 'config-rejected', $2::jsonb) ON CONFLICT (box_id, kind) WHERE closed_at IS NULL DO UPDATE SET detail = EXCLUDED.detail`,
            [item.boxId, JSON.stringify({ version: item.version, reason: item.reason })]);
        } else {
          await q.query("UPDATE alerts SET closed_at = now() WHERE box_id = $1 AND kind = 'config-rejected' AND closed_at IS NULL", [item.boxId]);
        }
        break;
      }
      case 'response':
        if (!item.final) break;
        await q.query('UPDATE deliveries SET answered_at = now(), status = $3, answer = $4::jsonb WHERE command_id = $1 AND box_id = $2 AND answered_at IS NULL',
          [item.commandId, item.boxId, item.answer.status, JSON.stringify(item.answer)]);
        break;
      case 'event':
        break;
    }
  }
  return result;
}

/**
 * An opt-out seen for the first time in the organisation goes to every other box of it, as a
 * `dnc.add` by hash whose id comes from (boxId, seq): a redelivered event or a retry is the same command.
 * An opt-out that a relayed command caused on another box (channel `fleet`) is not relayed again.
 */
async function relayOptOut(q: Queryable, boxId: string, seq: number, payload: unknown): Promise<Delivery[]> {
  const o = optOutHash(payload);
  if (!o || o.channel === 'fleet') return [];
  const org = (await q.query<{ org_id: string }>(
    `INSERT INTO fleet_dnc (org_id, number_hash, source_box, source_seq) SELECT org_id, $2, $1, $3 FROM boxes WHERE box_id = $1
     ON CONFLICT (org_id, number_hash) DO NOTHING RETURNING org_id`, [boxId, o.numberHash, seq])).rows[0]?.org_id;
  if (!org) return [];
  const id = optOutCommandId(boxId, seq);
  const data = { numberHash: o.numberHash, reason: `opt-out recorded on ${boxId}` };
  const rows = (await q.query<{ box_id: string; expires_at: Date | string }>(
    `INSERT INTO deliveries (command_id, box_id, type, data, expires_at)
     SELECT $1, box_id, 'dnc.add', $2::jsonb, now() + make_interval(days => $5) FROM boxes WHERE org_id = $3 AND box_id <> $4 ORDER BY box_id
     ON CONFLICT (command_id, box_id) DO NOTHING RETURNING box_id, expires_at`, [id, JSON.stringify(data), org, boxId, RELAY_TTL_DAYS])).rows;
  return rows.map((r) => ({ commandId: id, boxId: r.box_id, type: 'dnc.add', data, expiresAt: new Date(r.expires_at).toISOString() }));
}

/** A box new to the fleet gets its organisation's do-not-call list, one command per entry, same ids. */
export async function pushFleetDnc(q: Queryable, boxId: string): Promise<Delivery[]> {
  const rows = (await q.query<{ command_id: string; data: unknown; expires_at: Date | string }>(
    `INSERT INTO deliveries (command_id, box_id, type, data, expires_at)
     SELECT 'optout:' || d.source_box || ':' || d.source_seq, b.box_id, 'dnc.add',
            jsonb_build_object('numberHash', d.number_hash, 'reason', 'opt-out recorded on ' || d.source_box), now() + make_interval(days => $2)
     FROM boxes b JOIN fleet_dnc d ON d.org_id = b.org_id WHERE b.box_id = $1 AND d.source_box <> b.box_id ORDER BY d.added_at
     ON CONFLICT (command_id, box_id) DO NOTHING RETURNING command_id, data, expires_at`, [boxId, RELAY_TTL_DAYS])).rows;
  return rows.map((r) => ({ commandId: r.command_id, boxId, type: 'dnc.add', data: r.data, expiresAt: new Date(r.expires_at).toISOString() }));
}

// Campaigns, their per-contact progress and the attempt ledger. An attempt's intent is written
// (synchronous=FULL) before the INVITE; its end, the contact's next state and the fleet event are
// written in one transaction, so a crash leaves either the intent alone or the whole result.
import type { Statement } from 'better-sqlite3';
import { statementCache, type Db } from './db.ts';
import type { Outcome } from '../../core/call-port.ts';
import type { CampaignConfig, CampaignStatus } from '../campaigns/model.ts';
import { AppError } from '../../core/errors.ts';
import { campaignCounts } from './campaign-counts.ts';

/** Contacts of the list a campaign's ledger takes at a time, when the dialer reaches its cursor (~2-3 ms here). */
const LAZY_CHUNK = 500;

export interface CampaignRow {
  id: number;
  name: string;
  listId: number;
  status: CampaignStatus;
  config: CampaignConfig;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Who paused it last (`staff:<user>`, `fleet:<command id>`, `cli`) and when (epoch ms); null if never. */
  pausedBy?: string | null;
  pausedAt?: number | null;
}

export interface DueContact {
  contactId: number;
  e164: string;
  zones: string[];
  fields: Record<string, string>;
  attempts: number;
  retries: Partial<Record<Outcome, number>>;
  nextAt: number;
}

export interface AttemptResult {
  outcome: Outcome;
  sipCode: number | null;
  q850: number | null;
  dtmf: string;
  amd: string | null;
  setupMs: number;
  ringMs: number;
  talkMs: number;
  messageMs: number;
  detail?: string;
  /** The flow's transfer to a person, when it had one (migration 0130). */
  transfer?: { outcome: string; waitMs: number; talkMs: number; takenBy: string | null } | null;
}

export type NextState =
  | { kind: 'final'; outcome: Outcome; counted: boolean }
  | { kind: 'retry'; at: number; counted: boolean; retries: Partial<Record<Outcome, number>> };

interface RawCampaign {
  id: number; name: string; list_id: number; status: CampaignStatus; config: string;
  created_at: string; started_at: string | null; finished_at: string | null;
  paused_by?: string | null; paused_at?: number | null;
}

function toCampaign(r: RawCampaign): CampaignRow {
  return {
    id: r.id, name: r.name, listId: r.list_id, status: r.status, config: JSON.parse(r.config) as CampaignConfig,
    createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
    pausedBy: r.paused_by ?? null, pausedAt: r.paused_at ?? null,
  };
}

type AttemptStart = { campaignId: number; contactId: number; e164: string; trunk: string; callerId: string; now: number };

export class CampaignsRepo {
  /**
   * The statements of each call's ledger writes (its intent, its end, a postponement), prepared once:
   * SQLite compiling them at every call was ~1 ms of the event loop's CPU per call placed and ended
   * (bench/scale), in the dialer's ticks beside live media.
   */
  private readonly hot: (sql: string) => Statement;

  constructor(private readonly db: Db) {
    this.hot = statementCache(db);
  }

  create(name: string, listId: number, config: CampaignConfig): CampaignRow {
    try {
      const info = this.db.prepare('INSERT INTO campaigns (name, list_id, config, created_at) VALUES (?, ?, ?, ?)')
        .run(name, listId, JSON.stringify(config), new Date().toISOString());
      return this.get(Number(info.lastInsertRowid));
    } catch (e) {
      if (/UNIQUE/.test((e as Error).message)) throw new AppError('E_CAMPAIGN_INVALID', `a campaign named "${name}" already exists`, { field: 'name' });
      throw e;
    }
  }

  get(id: number): CampaignRow {
    const r = this.db.prepare('SELECT * FROM campaigns WHERE id = ?').get(id) as RawCampaign | undefined;
    if (!r) throw new AppError('E_NOT_FOUND', `no campaign ${id}`, { campaign: id });
    return toCampaign(r);
  }

  findByName(name: string): CampaignRow | null {
    const r = this.db.prepare('SELECT * FROM campaigns WHERE name = ?').get(name) as RawCampaign | undefined;
    return r ? toCampaign(r) : null;
  }

  list(): CampaignRow[] {
    return (this.db.prepare('SELECT * FROM campaigns ORDER BY id DESC').all() as RawCampaign[]).map(toCampaign);
  }

  byStatus(status: CampaignStatus): CampaignRow[] {
    return (this.db.prepare('SELECT * FROM campaigns WHERE status = ? ORDER BY id').all(status) as RawCampaign[]).map(toCampaign);
  }

  updateConfig(id: number, config: CampaignConfig): void {
    this.db.prepare('UPDATE campaigns SET config = ? WHERE id = ?').run(JSON.stringify(config), id);
  }

  /**
   * Start a campaign from its list: mark it running and record the list's cursor (`campaign_starts`), in
   * one transaction with `event`. The list's contacts join the campaign's ledger lazily, in list order:
   * `due()` copies the next chunk (`copyChunk`) when the dialer reaches the cursor, so a start costs the
   * same whatever the list's size (`startFromList` copies it all at once, for small lists and tests).
   */
  beginStart(id: number, now: number, event: (db: Db) => void): { total: number } {
    return this.db.transaction(() => {
      const c = this.get(id);
      const total = (this.db.prepare('SELECT accepted FROM lists WHERE id = ?').pluck().get(c.listId) as number | undefined) ?? 0;
      this.db.prepare('INSERT INTO campaign_starts (campaign_id, list_id, total, next_at, started_at) VALUES (?, ?, ?, ?, ?)').run(id, c.listId, total, now, now);
      this.db.prepare("UPDATE campaigns SET status = 'running', started_at = COALESCE(started_at, ?) WHERE id = ?").run(new Date(now).toISOString(), id);
      event(this.db);
      return { total };
    })();
  }

  /**
   * Copy up to `limit` more contacts of the list into a started campaign's ledger, in list order, in one
   * transaction that also moves the list's cursor (and deletes it with the last chunk). Contacts of a
   * campaign stopped meanwhile arrive stopped. Idempotent: a chunk replayed after a crash copies nothing twice.
   */
  copyChunk(id: number, limit: number): { copied: number; done: boolean; state: 'pending' | 'stopped' } {
    return this.db.transaction(() => {
      const s = this.db.prepare('SELECT list_id, after, next_at FROM campaign_starts WHERE campaign_id = ?').get(id) as { list_id: number; after: number; next_at: number } | undefined;
      if (!s) return { copied: 0, done: true, state: 'pending' as const };
      const upTo = this.db.prepare('SELECT id FROM contacts WHERE list_id = ? AND id > ? ORDER BY id LIMIT 1 OFFSET ?').pluck().get(s.list_id, s.after, Math.max(1, limit) - 1) as number | undefined;
      const last = upTo ?? Number.MAX_SAFE_INTEGER;
      const state = (this.db.prepare('SELECT status FROM campaigns WHERE id = ?').pluck().get(id) as string) === 'stopped' ? 'stopped' as const : 'pending' as const;
      const copied = this.db.prepare(`INSERT OR IGNORE INTO campaign_contacts (campaign_id, contact_id, e164, timezones, fields, state, next_at, updated_at)
        SELECT ?, id, e164, timezones, json_set(COALESCE(fields, '{}'), '$.name', COALESCE(name, '')), ?, ?, ?
        FROM contacts WHERE list_id = ? AND id > ? AND id <= ? ORDER BY id`).run(id, state, s.next_at, s.next_at, s.list_id, s.after, last).changes;
      // The only insert into campaign_contacts: it keeps the counters itself (migration 0090 has no insert trigger).
      if (copied > 0) {
        this.db.prepare("INSERT INTO campaign_counts (campaign_id, kind, key, n) VALUES (?, 'state', ?, ?) ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + excluded.n")
          .run(id, state, copied);
      }
      if (upTo === undefined) {
        this.db.prepare('DELETE FROM campaign_starts WHERE campaign_id = ?').run(id);
        return { copied, done: true, state };
      }
      this.db.prepare('UPDATE campaign_starts SET after = ?, copied = copied + ? WHERE campaign_id = ?').run(upTo, copied, id);
      return { copied, done: false, state };
    })();
  }

  /** Whether some of the campaign's list has not joined its ledger yet. */
  isStarting(id: number): boolean {
    return this.db.prepare('SELECT 1 FROM campaign_starts WHERE campaign_id = ?').get(id) !== undefined;
  }

  /** The list's cursor of a campaign whose contacts have not all joined its ledger yet. */
  listCursor(id: number): { listId: number; after: number; nextAt: number } | null {
    const s = this.db.prepare('SELECT list_id, after, next_at FROM campaign_starts WHERE campaign_id = ?').get(id) as { list_id: number; after: number; next_at: number } | undefined;
    return s ? { listId: s.list_id, after: s.after, nextAt: s.next_at } : null;
  }

  /**
   * The next `limit` contacts of the list not in the campaign's ledger yet (in list order; due from the
   * cursor's `nextAt`), read without copying them: for views, which do not write.
   */
  listTail(id: number, limit: number): { nextAt: number; timezones: string[] } | null {
    const s = this.listCursor(id);
    if (!s) return null;
    const zones = this.db.prepare('SELECT timezones FROM contacts WHERE list_id = ? AND id > ? ORDER BY id LIMIT ?').pluck().all(s.listId, s.after, limit) as string[];
    return zones.length > 0 ? { nextAt: s.nextAt, timezones: zones } : null;
  }

  /** Campaigns with contacts of their list not in their ledger yet. */
  startsInProgress(): number[] {
    return this.db.prepare('SELECT campaign_id FROM campaign_starts ORDER BY campaign_id').pluck().all() as number[];
  }

  /** Snapshot the list's contacts into the campaign and mark it running, all at once (small lists, tests). */
  startFromList(id: number, now: number, event: (db: Db) => void): number {
    return this.db.transaction(() => {
      this.beginStart(id, now, event);
      let copied = 0;
      for (;;) {
        const r = this.copyChunk(id, 50_000);
        copied += r.copied;
        if (r.done) return copied;
      }
    })();
  }

  /**
   * Change a campaign's status. Stopping marks its contacts still to call as stopped: at most
   * `stopChunk` of them here, the rest by `stopSweep` (list-copy.ts) so a big list stops without a stall.
   * `by`: who asked (kept for a pause, so the page says who paused and when).
   */
  setStatus(id: number, status: CampaignStatus, now: number, event?: (db: Db) => void, stopChunk = Number.MAX_SAFE_INTEGER, by?: string): void {
    this.db.transaction(() => {
      const finished = status === 'completed' || status === 'stopped' ? new Date(now).toISOString() : null;
      this.db.prepare('UPDATE campaigns SET status = ?, finished_at = COALESCE(?, finished_at) WHERE id = ?').run(status, finished, id);
      if (status === 'paused') this.db.prepare('UPDATE campaigns SET paused_by = ?, paused_at = ? WHERE id = ?').run(by ?? null, now, id);
      if (status === 'stopped') this.stopSweep(id, now, stopChunk);
      event?.(this.db);
    })();
  }

  /** Mark up to `limit` contacts still to call of a stopped campaign as stopped; answers how many were. */
  stopSweep(id: number, now: number, limit: number): number {
    return this.db.prepare(`UPDATE campaign_contacts SET state = 'stopped', updated_at = ? WHERE campaign_id = ? AND contact_id IN (
      SELECT contact_id FROM campaign_contacts INDEXED BY campaign_contacts_queue WHERE campaign_id = ? AND state IN ('pending','waiting') LIMIT ?)`)
      .run(now, id, id, Math.min(limit, Number.MAX_SAFE_INTEGER)).changes;
  }

  /**
   * The campaign's windows changed (it is paused): its contacts never called and put off past `at` are to
   * become due at `at`, by `rescheduleChunk` along the queue (migration 0141). A second edit starts over.
   */
  beginReschedule(id: number, at: number): void {
    this.db.prepare('INSERT OR REPLACE INTO campaign_reschedules (campaign_id, at, after_next_at, after_contact) VALUES (?, ?, ?, ?)')
      .run(id, at, at, Number.MAX_SAFE_INTEGER);
  }

  /**
   * The next `limit` rows of the campaign's queue past the cursor: those never called are made due at the
   * edit's time, and the cursor moves on, in one transaction (the cursor goes with the last chunk).
   */
  rescheduleChunk(id: number, limit: number): { copied: number; done: boolean } {
    return this.db.transaction(() => {
      const r = this.db.prepare('SELECT at, after_next_at n, after_contact c FROM campaign_reschedules WHERE campaign_id = ?').get(id) as { at: number; n: number; c: number } | undefined;
      if (!r) return { copied: 0, done: true };
      const last = this.db.prepare(`SELECT next_at n, contact_id c FROM campaign_contacts INDEXED BY campaign_contacts_queue
        WHERE campaign_id = ? AND state IN ('pending','waiting') AND (next_at, contact_id) > (?, ?) ORDER BY next_at, contact_id LIMIT 1 OFFSET ?`)
        .get(id, r.n, r.c, Math.max(1, limit) - 1) as { n: number; c: number } | undefined;
      const to = last ?? { n: Number.MAX_SAFE_INTEGER, c: Number.MAX_SAFE_INTEGER };
      const moved = this.db.prepare(`UPDATE campaign_contacts INDEXED BY campaign_contacts_queue SET next_at = ?, updated_at = ?
        WHERE campaign_id = ? AND state IN ('pending','waiting') AND (next_at, contact_id) > (?, ?) AND (next_at, contact_id) <= (?, ?) AND state = 'pending' AND attempts = 0`)
        .run(r.at, r.at, id, r.n, r.c, to.n, to.c).changes;
      if (!last) {
        this.db.prepare('DELETE FROM campaign_reschedules WHERE campaign_id = ?').run(id);
        return { copied: moved, done: true };
      }
      this.db.prepare('UPDATE campaign_reschedules SET after_next_at = ?, after_contact = ? WHERE campaign_id = ?').run(to.n, to.c, id);
      return { copied: moved, done: false };
    })();
  }

  /** Campaigns whose windows changed and whose queue is still being looked at again (after a restart: to resume). */
  reschedulesInProgress(): number[] {
    return this.db.prepare('SELECT campaign_id FROM campaign_reschedules ORDER BY campaign_id').pluck().all() as number[];
  }

  /** Stopped campaigns that still have contacts marked to call (a stop swept in chunks, interrupted). */
  stopsInProgress(): number[] {
    return this.db.prepare(`SELECT id FROM campaigns c WHERE status = 'stopped' AND EXISTS (
      SELECT 1 FROM campaign_contacts INDEXED BY campaign_contacts_queue WHERE campaign_id = c.id AND state IN ('pending','waiting'))`).pluck().all() as number[];
  }

  /**
   * Contacts whose turn has come, oldest first: a page of the queue index, which serves this order
   * (no sort of the due rows, whatever their number).
   */
  due(campaignId: number, now: number, limit: number): DueContact[] {
    const page = () => this.db.prepare(`SELECT contact_id, e164, timezones, fields, attempts, retries, next_at FROM campaign_contacts INDEXED BY campaign_contacts_queue
      WHERE campaign_id = ? AND state IN ('pending','waiting') AND next_at <= ? ORDER BY next_at, contact_id LIMIT ?`)
      .all(campaignId, now, limit) as Array<{ contact_id: number; e164: string; timezones: string; fields: string | null; attempts: number; retries: string; next_at: number }>;
    let rows = page();
    // The list's contacts not in the ledger yet are due from the cursor's next_at, after every ledger row due
    // by then (those have lower contact ids): while this page does not end before them, the next chunk
    // of the list joins the ledger and the page is read again.
    for (let round = 0; round < 4; round++) {
      const s = this.listCursor(campaignId);
      if (!s || s.nextAt > now) break;
      if (rows.length >= limit && rows[rows.length - 1]!.next_at <= s.nextAt) break;
      const r = this.copyChunk(campaignId, Math.max(limit, LAZY_CHUNK));
      rows = page();
      if (r.done || r.state === 'stopped') break;
    }
    return rows.map((r) => ({
      contactId: r.contact_id,
      e164: r.e164,
      zones: JSON.parse(r.timezones) as string[],
      fields: r.fields ? (JSON.parse(r.fields) as Record<string, string>) : {},
      attempts: r.attempts,
      retries: JSON.parse(r.retries) as Partial<Record<Outcome, number>>,
      nextAt: r.next_at,
    }));
  }

  /** The next `limit` contacts the dialer will come to, in its order (for rendering ahead of it). */
  upcoming(campaignId: number, limit: number): DueContact[] {
    return this.due(campaignId, Number.MAX_SAFE_INTEGER, limit);
  }

  /** Earliest next_at among contacts still to call (to sleep until then). */
  nextDueAt(campaignId: number): number | null {
    const v = this.db.prepare("SELECT MIN(next_at) FROM campaign_contacts INDEXED BY campaign_contacts_queue WHERE campaign_id = ? AND state IN ('pending','waiting')").pluck().get(campaignId) as number | null;
    const s = this.listCursor(campaignId);
    if (s) return v === null ? s.nextAt : Math.min(v, s.nextAt);
    return v ?? null;
  }

  /** Postpone a contact that is outside its calling window, without an attempt. */
  postpone(campaignId: number, contactId: number, at: number): void {
    this.hot('UPDATE campaign_contacts SET next_at = ?, updated_at = ? WHERE campaign_id = ? AND contact_id = ?').run(at, Date.now(), campaignId, contactId);
  }

  block(campaignId: number, contactId: number, reason: string, now: number, event: (db: Db) => void): void {
    this.db.transaction(() => {
      this.db.prepare("UPDATE campaign_contacts SET state = 'blocked', final_outcome = 'blocked-by-compliance', last_outcome = 'blocked-by-compliance', block_reason = ?, updated_at = ? WHERE campaign_id = ? AND contact_id = ?")
        .run(reason, now, campaignId, contactId);
      event(this.db);
    })();
  }

  /** The ledger's first write: synced before the INVITE leaves. */
  beginAttempt(a: AttemptStart): number {
    return this.db.transaction(() => {
      const info = this.hot("INSERT INTO attempts (campaign_id, contact_id, e164, trunk, caller_id, state, intent_at) VALUES (?, ?, ?, ?, ?, 'intent', ?)")
        .run(a.campaignId, a.contactId, a.e164, a.trunk, a.callerId, a.now);
      this.hot("UPDATE campaign_contacts SET state = 'calling', updated_at = ? WHERE campaign_id = ? AND contact_id = ?").run(a.now, a.campaignId, a.contactId);
      return Number(info.lastInsertRowid);
    })();
  }

  finishAttempt(attemptId: number, r: AttemptResult, next: NextState, now: number, event: (db: Db) => void): void {
    this.db.transaction(() => {
      const a = this.hot('SELECT campaign_id, contact_id, state FROM attempts WHERE id = ?').get(attemptId) as { campaign_id: number; contact_id: number; state: string } | undefined;
      if (!a || a.state !== 'intent') return; // already reconciled
      this.hot(`UPDATE attempts SET state = 'final', ended_at = ?, outcome = ?, sip_code = ?, q850 = ?, counted = ?, dtmf = ?, amd = ?,
        setup_ms = ?, ring_ms = ?, talk_ms = ?, message_ms = ?, detail = ? WHERE id = ?`)
        .run(now, r.outcome, r.sipCode, r.q850, next.counted ? 1 : 0, r.dtmf, r.amd, r.setupMs, r.ringMs, r.talkMs, r.messageMs, r.detail ?? null, attemptId);
      if (r.transfer) {
        this.db.prepare('UPDATE attempts SET transfer_outcome = ?, transfer_wait_ms = ?, transfer_talk_ms = ?, transfer_taken_by = ? WHERE id = ?')
          .run(r.transfer.outcome, Math.round(r.transfer.waitMs), Math.round(r.transfer.talkMs), r.transfer.takenBy, attemptId);
      }
      const inc = next.counted ? 1 : 0;
      if (next.kind === 'final') {
        this.hot("UPDATE campaign_contacts SET state = 'done', attempts = attempts + ?, last_outcome = ?, final_outcome = ?, updated_at = ? WHERE campaign_id = ? AND contact_id = ?")
          .run(inc, r.outcome, next.outcome, now, a.campaign_id, a.contact_id);
      } else {
        // A call that ends after its campaign was stopped leaves the contact stopped, not waiting.
        this.hot(`UPDATE campaign_contacts SET state = CASE WHEN (SELECT status FROM campaigns WHERE id = ?) = 'stopped' THEN 'stopped' ELSE 'waiting' END,
          attempts = attempts + ?, retries = ?, next_at = ?, last_outcome = ?, updated_at = ? WHERE campaign_id = ? AND contact_id = ?`)
          .run(a.campaign_id, inc, JSON.stringify(next.retries), next.at, r.outcome, now, a.campaign_id, a.contact_id);
      }
      event(this.db);
    })();
  }

  /** Attempts with an intent and no final state (after a crash). */
  openAttempts(): Array<{ id: number; campaignId: number; contactId: number; intentAt: number }> {
    return (this.db.prepare("SELECT id, campaign_id, contact_id, intent_at FROM attempts WHERE state = 'intent'").all() as Array<{ id: number; campaign_id: number; contact_id: number; intent_at: number }>)
      .map((r) => ({ id: r.id, campaignId: r.campaign_id, contactId: r.contact_id, intentAt: r.intent_at }));
  }

  contactProgress(campaignId: number, contactId: number): { attempts: number; retries: Partial<Record<Outcome, number>>; zones: string[] } {
    const r = this.hot('SELECT attempts, retries, timezones FROM campaign_contacts WHERE campaign_id = ? AND contact_id = ?').get(campaignId, contactId) as { attempts: number; retries: string; timezones: string };
    return { attempts: r.attempts, retries: JSON.parse(r.retries) as Partial<Record<Outcome, number>>, zones: JSON.parse(r.timezones) as string[] };
  }

  /** Contacts not yet final: pending (with those a start has still to copy), waiting or calling. */
  remaining(campaignId: number): { pending: number; waiting: number; calling: number } {
    const s = campaignCounts(this.db, campaignId).state;
    return { pending: s.pending ?? 0, waiting: s.waiting ?? 0, calling: s.calling ?? 0 };
  }
}

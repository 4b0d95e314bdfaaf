// Do-not-call data: the box's own suppression list (hashed numbers, with the history of every add and
// remove) and registry copies, one per registry with the date it was downloaded.
import type { Db } from './db.ts';
import { AppError } from '../../core/errors.ts';
import { dncHash } from '../compliance/number-hash.ts';
import { appendAudit } from './compliance-audit-repo.ts';

export type SuppressionSource = 'keypress' | 'staff' | 'fleet' | 'import';

export interface Suppression {
  numberHash: string;
  source: SuppressionSource;
  reason: string | null;
  campaignId: number | null;
  digit: string | null;
  actor: string | null;
  createdAt: number;
}

export interface RegistryCopy {
  name: string;
  downloadedAt: number;
  importedAt: number;
  entries: number;
  file: string | null;
}

export class DncRepo {
  private readonly isSuppressedStmt;
  private readonly registriesStmt;

  constructor(private readonly db: Db) {
    this.isSuppressedStmt = db.prepare('SELECT 1 FROM suppressions WHERE number_hash = ?').pluck();
    this.registriesStmt = db.prepare('SELECT registry FROM dnc_registry_entries WHERE number_hash = ?').pluck();
  }

  isSuppressed(numberHash: string): boolean {
    return this.isSuppressedStmt.get(numberHash) !== undefined;
  }

  registriesOf(numberHash: string): string[] {
    return this.registriesStmt.all(numberHash) as string[];
  }

  /** Add (idempotent: the first entry is kept). Joins the caller's transaction. Returns whether it is new. */
  add(s: { numberHash: string; source: SuppressionSource; reason?: string | null; campaignId?: number | null; digit?: string | null; actor?: string | null; now: number }): boolean {
    return this.db.transaction(() => {
      const added = this.db.prepare('INSERT INTO suppressions (number_hash, source, reason, campaign_id, digit, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (number_hash) DO NOTHING')
        .run(s.numberHash, s.source, s.reason ?? null, s.campaignId ?? null, s.digit ?? null, s.actor ?? null, s.now).changes > 0;
      if (added) {
        this.db.prepare("INSERT INTO suppression_history (number_hash, action, source, reason, actor, at) VALUES (?, 'add', ?, ?, ?, ?)")
          .run(s.numberHash, s.source, s.reason ?? null, s.actor ?? null, s.now);
      }
      return added;
    })();
  }

  /** Staff removal: needs a reason, kept in the history and the audit log. */
  remove(e164: string, reason: string, actor: string, now = Date.now()): boolean {
    if (!reason.trim()) throw new AppError('E_REQUEST_INVALID', 'removing a number from the do-not-call list needs a reason', { field: 'reason' });
    const h = dncHash(e164);
    return this.db.transaction(() => {
      const removed = this.db.prepare('DELETE FROM suppressions WHERE number_hash = ?').run(h).changes > 0;
      if (removed) {
        // The suppression's own history; the audit log's entry is written by the dnc.remove action (appliance/actions).
        this.db.prepare("INSERT INTO suppression_history (number_hash, action, source, reason, actor, at) VALUES (?, 'remove', 'staff', ?, ?, ?)").run(h, reason, actor, now);
      }
      return removed;
    })();
  }

  /** Add many numbers at once (an internal list file); returns how many were new. */
  addMany(e164s: Iterable<string>, opts: { source: SuppressionSource; reason: string; actor: string; now: number }): number {
    return this.db.transaction(() => {
      let n = 0;
      for (const e of e164s) if (this.add({ numberHash: dncHash(e), source: opts.source, reason: opts.reason, actor: opts.actor, now: opts.now })) n++;
      appendAudit(this.db, { actor: opts.actor, action: 'dnc.import', details: { added: n, reason: opts.reason }, now: opts.now });
      return n;
    })();
  }

  list(opts: { limit?: number; offset?: number } = {}): Suppression[] {
    return (this.db.prepare('SELECT * FROM suppressions ORDER BY created_at, number_hash LIMIT ? OFFSET ?').all(opts.limit ?? -1, opts.offset ?? 0) as Array<{
      number_hash: string; source: SuppressionSource; reason: string | null; campaign_id: number | null; digit: string | null; actor: string | null; created_at: number;
    }>).map((r) => ({ numberHash: r.number_hash, source: r.source, reason: r.reason, campaignId: r.campaign_id, digit: r.digit, actor: r.actor, createdAt: r.created_at }));
  }

  count(): number {
    return this.db.prepare('SELECT COUNT(*) FROM suppressions').pluck().get() as number;
  }

  /** Replace a registry's copy with a new one (numbers stored hashed). */
  importRegistry(name: string, e164s: Iterable<string>, opts: { downloadedAt: number; file?: string | null; actor: string; now: number }): number {
    if (!/^[a-z0-9-]{2,40}$/.test(name)) throw new AppError('E_REQUEST_INVALID', `registry name "${name}": lower-case letters, digits and dashes`, { field: 'registry' });
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM dnc_registry_entries WHERE registry = ?').run(name);
      const ins = this.db.prepare('INSERT OR IGNORE INTO dnc_registry_entries (number_hash, registry) VALUES (?, ?)');
      let n = 0;
      for (const e of e164s) n += ins.run(dncHash(e), name).changes;
      this.db.prepare(`INSERT INTO dnc_registries (name, downloaded_at, imported_at, entries, file) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (name) DO UPDATE SET downloaded_at = excluded.downloaded_at, imported_at = excluded.imported_at, entries = excluded.entries, file = excluded.file`)
        .run(name, opts.downloadedAt, opts.now, n, opts.file ?? null);
      appendAudit(this.db, { actor: opts.actor, action: 'registry.import', subject: name, details: { entries: n, downloadedAt: new Date(opts.downloadedAt).toISOString() }, now: opts.now });
      return n;
    })();
  }

  registryCopies(): RegistryCopy[] {
    return (this.db.prepare('SELECT * FROM dnc_registries ORDER BY name').all() as Array<{ name: string; downloaded_at: number; imported_at: number; entries: number; file: string | null }>)
      .map((r) => ({ name: r.name, downloadedAt: r.downloaded_at, importedAt: r.imported_at, entries: r.entries, file: r.file }));
  }

  registryCopy(name: string): RegistryCopy | null {
    return this.registryCopies().find((c) => c.name === name) ?? null;
  }
}

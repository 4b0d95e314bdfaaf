// Contact lists and contacts in SQLite. An import stages its rows under a list in status 'importing'
// (short transactions, so the dialer's writes on the same connection are never held up or mixed into
// a long-open transaction) and publishes it in one commit; everything here except the staging calls
// sees 'ready' lists only.
import type { Statement } from 'better-sqlite3';
import { AppError } from '../../core/errors.ts';
import { statementCache, type Db } from './db.ts';
import type { ImportReport, LineType, ListRow, TzSource } from '../contacts/types.ts';

/**
 * Inserts the contacts of `@packed`, a JSON array (text, or its UTF-8 bytes) with one array per contact:
 * [e164, lineType, timezones[], tzSource, name|null, fields{}, consent{}|null, row], under list `@list`
 * with created_at `@at`. Shared with the import's writer thread (import-writer.cjs).
 */
export const PACKED_INSERT_SQL = `INSERT INTO contacts (list_id, created_at, e164, line_type, timezones, tz_source, name, fields, consent, row)
  SELECT @list, @at, value ->> 0, value ->> 1, value -> 2, value ->> 3, value ->> 4, value -> 5, nullif(value -> 6, 'null'), value ->> 7
  FROM json_each(CAST(@packed AS TEXT))`;

/** The same batch's contacts counted by time-zone set into list_zones (migration 0140), in the same transaction. */
const PACKED_ZONES_SQL = `INSERT INTO list_zones (list_id, timezones, n)
  SELECT @list, value -> 2, COUNT(*) FROM json_each(CAST(@packed AS TEXT)) WHERE true GROUP BY 2
  ON CONFLICT (list_id, timezones) DO UPDATE SET n = n + excluded.n`;

/** A contact to add to a list being imported. */
export interface NewContact {
  e164: string;
  lineType: LineType;
  timezones: readonly string[];
  tzSource: TzSource;
  name: string | null;
  fields: Readonly<Record<string, string>>;
  consent: Readonly<Record<string, string>> | null;
  row: number;
}

export type { ListRow };

export interface ContactRow {
  id: number;
  listId: number;
  e164: string;
  lineType: LineType;
  timezones: string[];
  tzSource: TzSource;
  name: string | null;
  fields: Record<string, string>;
  consent: Record<string, string> | null;
  row: number;
  createdAt: string;
}

export interface ContactPage {
  total: number;
  items: ContactRow[];
}

interface ListDbRow {
  id: number; name: string; source_file: string | null; country: string; created_at: string;
  rows_total: number; accepted: number; rejected: number; duplicates: number;
}
interface ContactDbRow {
  id: number; list_id: number; e164: string; line_type: LineType; timezones: string; tz_source: TzSource;
  name: string | null; fields: string; consent: string | null; row: number; created_at: string;
}

const LIST_COLUMNS = 'id, name, source_file, country, created_at, rows_total, accepted, rejected, duplicates';

export class ContactsRepo {
  private readonly stmt: (sql: string) => Statement;

  constructor(private readonly db: Db) {
    this.stmt = statementCache(db);
    // Search ignores case and accents ("elodie" finds "Élodie"); SQLite's LIKE folds ASCII only.
    db.function('contacts_fold', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? fold(v) : null));
  }

  /** Reserves the name and returns the id of a list being imported (invisible until published). */
  beginList(input: { name: string; sourceFile: string | null; country: string; createdAt: string; importer?: string }): number {
    const name = input.name.trim();
    if (name === '' || name.length > 100) throw new AppError('E_IMPORT_MAPPING', 'a list name needs 1 to 100 characters', { field: 'list' });
    const existing = this.stmt('SELECT status FROM lists WHERE name = ?').get(name) as { status: string } | undefined;
    if (existing) {
      const why = existing.status === 'ready' ? 'already exists' : 'is being imported right now';
      throw new AppError('E_LIST_EXISTS', `a contact list named "${name}" ${why}; choose another name or delete it first`, { list: name });
    }
    return Number(this.stmt("INSERT INTO lists (name, status, source_file, country, created_at, importer) VALUES (?, 'importing', ?, ?, ?, ?)")
      .run(name, input.sourceFile, input.country, input.createdAt, input.importer ?? null).lastInsertRowid);
  }

  /** Appends contacts to a list being imported, in one transaction. */
  insertContacts(listId: number, createdAt: string, contacts: readonly NewContact[]): void {
    this.insertPacked(listId, createdAt, JSON.stringify(contacts.map((c) =>
      [c.e164, c.lineType, c.timezones, c.tzSource, c.name, c.fields, c.consent, c.row])));
  }

  /**
   * The importer's bulk path: `packed` is a JSON array (text, or its UTF-8 bytes) with one array per contact,
   * [e164, lineType, timezones[], tzSource, name|null, fields{}, consent{}|null, row], which SQLite
   * unpacks itself (json_each) so no JavaScript value per contact is made on this thread.
   * Bulk settings hold for this call only (nothing else runs on the connection meanwhile): no fsync
   * (the publishing commit makes the list durable), no foreign-key lookup per row (the list id is
   * the one beginList gave), and no automatic checkpoint on this commit (the importer checkpoints
   * from its worker thread, see appliance/contacts/import.ts).
   */
  insertPacked(listId: number, createdAt: string, packed: string | Buffer): void {
    const get = (name: string): number => this.stmt(`PRAGMA ${name}`).pluck().get() as number;
    const set = (name: string, value: number): void => void this.stmt(`PRAGMA ${name} = ${value}`).run();
    const before = { synchronous: get('synchronous'), foreign_keys: get('foreign_keys'), wal_autocheckpoint: get('wal_autocheckpoint') };
    set('synchronous', 1); // NORMAL
    set('foreign_keys', 0);
    set('wal_autocheckpoint', 0);
    try {
      this.db.transaction(() => {
        this.stmt(PACKED_INSERT_SQL).run({ list: listId, at: createdAt, packed });
        this.stmt(PACKED_ZONES_SQL).run({ list: listId, packed });
      })();
    } finally {
      for (const [name, value] of Object.entries(before)) set(name, value);
    }
  }

  /** SQLite's data_version: it changes when another connection commits (not when this one does). */
  dataVersion(): number {
    return this.stmt('PRAGMA data_version').pluck().get() as number;
  }

  /** Makes a staged list visible with its counts and report, in one commit. */
  publishList(listId: number, report: ImportReport): void {
    this.db.transaction(() => {
      const changes = this.stmt(`UPDATE lists SET status = 'ready', rows_total = ?, accepted = ?, rejected = ?, duplicates = ?, report = ?
        WHERE id = ? AND status = 'importing'`)
        .run(report.rows, report.accepted, report.rejected.length, report.duplicates, JSON.stringify(report), listId).changes;
      if (changes !== 1) throw new Error(`list ${listId} is not being imported`);
    })();
  }

  /** Removes a staged list and whatever was written under it. */
  discardList(listId: number): void {
    this.db.transaction(() => {
      this.stmt('DELETE FROM contacts WHERE list_id = ?').run(listId);
      this.stmt('DELETE FROM list_zones WHERE list_id = ?').run(listId);
      this.stmt("DELETE FROM lists WHERE id = ? AND status = 'importing'").run(listId);
    })();
  }

  /** Lists left 'importing' by a crash or a kill (their importer no longer runs): removed at boot. */
  sweepUnfinished(stillImporting: (importer: string | null) => boolean): number {
    const rows = this.stmt("SELECT id, importer FROM lists WHERE status = 'importing'").all() as { id: number; importer: string | null }[];
    const gone = rows.filter((r) => !stillImporting(r.importer));
    for (const r of gone) this.discardList(r.id);
    return gone.length;
  }

  getList(idOrName: number | string): ListRow | null {
    const row = (typeof idOrName === 'number'
      ? this.stmt(`SELECT ${LIST_COLUMNS} FROM lists WHERE id = ? AND status = 'ready'`).get(idOrName)
      : this.stmt(`SELECT ${LIST_COLUMNS} FROM lists WHERE name = ? AND status = 'ready'`).get(idOrName)) as ListDbRow | undefined;
    return row ? toList(row) : null;
  }

  listLists(): ListRow[] {
    return (this.stmt(`SELECT ${LIST_COLUMNS} FROM lists WHERE status = 'ready' ORDER BY id`).all() as ListDbRow[]).map(toList);
  }

  importReport(listId: number): ImportReport | null {
    const text = this.stmt("SELECT report FROM lists WHERE id = ? AND status = 'ready'").pluck().get(listId) as string | null | undefined;
    return text ? (JSON.parse(text) as ImportReport) : null;
  }

  /**
   * Contacts of a list in file order, optionally filtered: text matches the name, digits match the
   * number anywhere (a national "06 12…" also matches "+336 12…"). Null when the list does not exist.
   */
  searchContacts(listId: number, q: { query?: string; limit?: number; offset?: number } = {}): ContactPage | null {
    if (!this.getList(listId)) return null;
    const limit = Math.min(Math.max(Math.trunc(q.limit ?? 50), 1), 1000);
    const offset = Math.max(Math.trunc(q.offset ?? 0), 0);
    const query = (q.query ?? '').trim();
    let where = 'list_id = @list';
    const params: Record<string, unknown> = { list: listId, limit, offset };
    if (query !== '') {
      const digits = query.replace(/\D/g, '');
      const looksLikeNumber = digits.length >= 3 && /^[\d\s+().\-/]+$/.test(query);
      if (looksLikeNumber) {
        params.number = `%${digits.replace(/^0(?!0)/, '').replace(/^00/, '')}%`;
        where += ' AND e164 LIKE @number';
      } else {
        params.text = `%${fold(query).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        where += " AND (contacts_fold(name) LIKE @text ESCAPE '\\' OR contacts_fold(fields) LIKE @text ESCAPE '\\')";
      }
    }
    const total = this.stmt(`SELECT COUNT(*) FROM contacts WHERE ${where}`).pluck().get(omit(params, 'limit', 'offset')) as number;
    const rows = this.stmt(`SELECT * FROM contacts WHERE ${where} ORDER BY id LIMIT @limit OFFSET @offset`).all(params) as ContactDbRow[];
    return { total, items: rows.map(toContact) };
  }

  /** False when there is no such list. A list a draft, running or paused campaign uses cannot go. */
  deleteList(listId: number): boolean {
    return this.db.transaction(() => {
      if (!this.getList(listId)) return false;
      const hasCampaigns = this.stmt("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'campaigns'").get();
      if (hasCampaigns) {
        const using = this.stmt("SELECT name FROM campaigns WHERE list_id = ? AND status IN ('draft', 'running', 'paused') LIMIT 1").pluck().get(listId) as string | undefined;
        if (using !== undefined) {
          throw new AppError('E_LIST_IN_USE', `campaign "${using}" uses this list; stop or delete it first`, { list: listId });
        }
      }
      this.stmt('DELETE FROM contacts WHERE list_id = ?').run(listId);
      this.stmt('DELETE FROM list_zones WHERE list_id = ?').run(listId);
      this.stmt('DELETE FROM lists WHERE id = ?').run(listId);
      return true;
    })();
  }
}

function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function omit(o: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  const out = { ...o };
  for (const k of keys) delete out[k];
  return out;
}

function toList(r: ListDbRow): ListRow {
  return {
    id: r.id, name: r.name, sourceFile: r.source_file, country: r.country, createdAt: r.created_at,
    rows: r.rows_total, contacts: r.accepted, rejected: r.rejected, duplicates: r.duplicates,
  };
}

function toContact(r: ContactDbRow): ContactRow {
  return {
    id: r.id, listId: r.list_id, e164: r.e164, lineType: r.line_type, timezones: JSON.parse(r.timezones) as string[],
    tzSource: r.tz_source, name: r.name, fields: JSON.parse(r.fields) as Record<string, string>,
    consent: r.consent === null ? null : (JSON.parse(r.consent) as Record<string, string>), row: r.row, createdAt: r.created_at,
  };
}

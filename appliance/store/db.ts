// SQLite store (better-sqlite3, WAL). Everything that grows per call lives here.
// Migrations are numbered SQL files in ./migrations, applied in order, each in its own transaction.
import Database from 'better-sqlite3';
import { readdirSync, readFileSync, mkdirSync, openSync, closeSync, chmodSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../core/errors.ts';

export type Db = Database.Database;

/**
 * Statements prepared once per repo, by their SQL: for those run on every call or batch, where SQLite's
 * compile (a write with its triggers and indexes: 0.1-0.4 ms) would be paid each time. Only for
 * statements run as they are (never `.pluck()`ed or iterated: a cached statement keeps such modes).
 */
export function statementCache(db: Db): (sql: string) => Database.Statement {
  const statements = new Map<string, Database.Statement>();
  return (sql) => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
}

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface OpenStoreOptions {
  /** State folder; the database is <dir>/appliance.db. ':memory:' for unit tests. */
  dir: string;
  readonly?: boolean;
}

export function openStore(opts: OpenStoreOptions): Db {
  const file = opts.dir === ':memory:' ? ':memory:' : join(opts.dir, 'appliance.db');
  if (file !== ':memory:') ownerOnlyFiles(opts.dir, file, opts.readonly ?? false);
  const db = new Database(file, { readonly: opts.readonly ?? false });
  db.pragma('journal_mode = WAL');
  // FULL: the attempt ledger, opt-outs and the fleet outbox must survive a power cut once written.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly) migrate(db);
  return db;
}

/**
 * The database holds contacts and the ledger: owner-only whatever the umask. SQLite gives its -wal and
 * -shm files the database file's mode, so creating the file 0600 first (and tightening one an older
 * version left 0644) covers all three.
 */
function ownerOnlyFiles(dir: string, file: string, readonly: boolean): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (readonly) return;
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if (existsSync(f)) chmodSync(f, 0o600);
    } catch {
      // not ours to change (another user's file): SQLite will say if it cannot use it
    }
  }
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}-[a-z0-9-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f.slice(5, -4), sql: readFileSync(join(dir, f), 'utf8') }));
}

export function migrate(db: Db, migrations = listMigrations()): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const done = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  const applied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    try {
      db.transaction(() => {
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
      })();
    } catch (e) {
      throw new AppError('E_STORE_MIGRATION', `migration ${m.version} (${m.name}) failed: ${(e as Error).message}`, { migration: m.version }, { cause: e });
    }
    applied.push(m.version);
  }
  return applied;
}

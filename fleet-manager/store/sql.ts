// One small SQL port over the two storages the fleet manager runs on: PGlite (PostgreSQL in
// WebAssembly, in-process, state in a folder) by default, and a PostgreSQL server by URL. Both speak
// the same dialect, so the schema, its migrations and every query are written once.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { processAlive as alive } from '../../core/process-alive.ts';

export interface Queryable {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[]; rowCount: number }>;
}

export interface Sql extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
  /** One transaction: committed when `fn` resolves, rolled back when it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `postgres://…` / `postgresql://…` is a server; anything else is a PGlite data folder. */
export async function openSql(target: string): Promise<Sql> {
  return /^postgres(ql)?:\/\//.test(target) ? openPostgres(target) : openPglite(target);
}

async function openPostgres(url: string): Promise<Sql> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // Fail at start with the server's own words (wrong password, no database) rather than at the first message.
  const probe = await pool.connect().catch((e: Error) => { throw new Error(`cannot reach PostgreSQL at ${redact(url)}: ${e.message}`); });
  probe.release();
  const norm = (r: pg.QueryResult): { rows: never[]; rowCount: number } => ({ rows: r.rows as never[], rowCount: r.rowCount ?? 0 });
  return {
    kind: 'postgres',
    query: async (text, params) => norm(await pool.query(text, params as unknown[])),
    exec: async (text) => { await pool.query(text); },
    tx: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn({ query: async (text, params) => norm(await client.query(text, params as unknown[])) });
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** The password never reaches a log line. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/**
 * PGlite runs one PostgreSQL backend inside this process, so its folder belongs to one process at a
 * time: a lock file with our pid refuses a second one (a stale lock from a killed process is taken over).
 */
async function openPglite(dir: string): Promise<Sql> {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const lock = join(root, 'fleet-manager.pid');
  takeLock(lock);
  const db = new PGlite(join(root, 'pgdata'));
  try {
    await db.waitReady;
  } catch (e) {
    rmSync(lock, { force: true });
    throw new Error(`cannot open the PGlite database in ${root}: ${(e as Error).message}`);
  }
  // PGlite runs one statement at a time; a transaction holds it, so queries queue behind it.
  const norm = (r: { rows: unknown[]; affectedRows?: number }): { rows: never[]; rowCount: number } => ({ rows: r.rows as never[], rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) });
  return {
    kind: 'pglite',
    query: async (text, params) => norm(await db.query(text, params as unknown[])),
    exec: async (text) => { await db.exec(text); },
    tx: (fn) => db.transaction((t) => fn({ query: async (text, params) => norm(await t.query(text, params as unknown[])) })),
    close: async () => {
      await db.close();
      rmSync(lock, { force: true });
    },
  };
}

function takeLock(file: string): void {
  for (let i = 0; i < 2; i++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new Error(`the PGlite database in ${file.replace(/\/fleet-manager\.pid$/, '')} is in use by process ${pid}; PGlite serves one process (use a PostgreSQL server to run several instances)`);
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock ${file}`);
}

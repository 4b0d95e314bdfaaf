// Numbered migrations (store/migrations/NNNN-name.sql), applied in order, each in its own transaction,
// under an advisory lock so that instances starting together on one server do not race.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from './sql.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const LOCK_KEY = 0x666c7431; // 'flt1'

export interface Migration { version: number; name: string; sql: string }

export function migrations(dir = DIR): Migration[] {
  const out: Migration[] = [];
  for (const f of readdirSync(dir).sort()) {
    const m = /^(\d{4})-([a-z0-9-]+)\.sql$/.exec(f);
    if (!m) {
      if (f.endsWith('.sql')) throw new Error(`migration file ${f}: the name must be NNNN-name.sql`);
      continue;
    }
    const version = Number(m[1]);
    if (out.length > 0 && out.at(-1)!.version === version) throw new Error(`migration ${version} is numbered twice (${out.at(-1)!.name}, ${m[2]})`);
    out.push({ version, name: m[2]!, sql: readFileSync(join(dir, f), 'utf8') });
  }
  return out;
}

/** Applies what is missing; returns the versions applied now. Refuses a database newer than this code. */
export async function migrate(sql: Sql, list = migrations()): Promise<number[]> {
  await sql.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
  const applied: number[] = [];
  await sql.tx(async (q) => {
    await q.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    const done = new Set((await q.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const newest = Math.max(0, ...done);
    const known = Math.max(0, ...list.map((m) => m.version));
    if (newest > known) throw new Error(`the database is at schema version ${newest}, newer than this fleet manager knows (${known}); upgrade the fleet manager`);
    for (const m of list) {
      if (done.has(m.version)) continue;
      try {
        // Statements without parameters, so the file may hold several.
        for (const statement of splitStatements(m.sql)) await q.query(statement);
      } catch (e) {
        throw new Error(`migration ${String(m.version).padStart(4, '0')}-${m.name} failed: ${(e as Error).message}`);
      }
      await q.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
  });
  return applied;
}

/** Splits on `;` at the end of a line, outside comments (the migrations use no dollar-quoted bodies). */
export function splitStatements(text: string): string[] {
  const noComments = text.split('\n').map((l) => l.replace(/--.*$/, '')).join('\n');
  return noComments.split(/;\s*(?:\n|$)/).map((s) => s.trim()).filter(Boolean);
}

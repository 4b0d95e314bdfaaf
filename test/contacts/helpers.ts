// Shared by the contact-list tests: a fresh state folder with the store open, files written there,
// and everything removed afterwards.
import type { ExecutionContext } from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Db } from '../../appliance/store/db.ts';

export interface Scratch {
  dir: string;
  db: Db;
  file(name: string, content: string | Buffer): string;
}

export function scratch(t: ExecutionContext): Scratch {
  const dir = mkdtempSync(join(tmpdir(), 'contacts-test-'));
  const db = openStore({ dir: join(dir, 'state') });
  t.teardown(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    db,
    file(name, content) {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    },
  };
}

export function count(db: Db, sql: string, ...params: unknown[]): number {
  return db.prepare(sql).pluck().get(...params) as number;
}

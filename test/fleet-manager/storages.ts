// The same tests on both storages: a PGlite folder, and a database on a throwaway PostgreSQL cluster
// (one cluster per test file, one database per test).
import test from 'ava';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgCluster } from './postgres.ts';
import { FleetStore } from '../../fleet-manager/store/fleet-store.ts';
import { migrations } from '../../fleet-manager/store/migrate.ts';

export type StorageKind = 'pglite' | 'postgres';
export const STORAGES: StorageKind[] = ['pglite', 'postgres'];

let cluster: Promise<PgCluster> | null = null;
let dbCount = 0;

/** Call once at the top of a test file that uses `storageTarget`. */
export function useStorages(): void {
  test.after.always(async () => {
    if (cluster) await (await cluster).stop();
  });
}

/** A fresh storage target (a PGlite folder, or a postgres:// URL) and its clean-up. */
export async function storageTarget(kind: StorageKind): Promise<{ target: string; dispose: () => Promise<void> }> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'fm-pglite-'));
    cpSync(await pgliteTemplate(), dir, { recursive: true });
    return { target: dir, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  cluster ??= PgCluster.start();
  const c = await cluster;
  dbCount += 1;
  return { target: c.createDb(`fm_${process.pid}_${dbCount}`), dispose: async () => undefined };
}

let template: Promise<string> | null = null;

/**
 * A fresh PGlite cluster costs an initdb in WebAssembly (tens of seconds on a loaded machine): tests
 * copy a migrated one, made once per schema version and kept in the temp folder.
 */
export function pgliteTemplate(): Promise<string> {
  template ??= (async () => {
    const digest = createHash('sha256').update(migrations().map((m) => m.sql).join('\0')).digest('hex').slice(0, 16);
    const dir = join(tmpdir(), `fm-pglite-template-${digest}`);
    if (existsSync(dir)) return dir;
    const work = mkdtempSync(join(tmpdir(), 'fm-pglite-making-'));
    const store = await FleetStore.open(work);
    await store.close();
    try {
      renameSync(work, dir);
    } catch {
      rmSync(work, { recursive: true, force: true }); // another test process made it first
    }
    return dir;
  })();
  return template;
}

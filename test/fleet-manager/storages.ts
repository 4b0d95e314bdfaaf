// The same tests on both storages: a PGlite folder, and a database on a throwaway PostgreSQL cluster
// (one cluster per test file, one database per test).
import test from 'ava';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgCluster } from './postgres.ts';
import { pgliteTemplate } from './pglite-template.ts';

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

// A migrated PGlite folder to copy (tests and the fleet bench): made once per schema version.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FleetStore } from '../../fleet-manager/store/fleet-store.ts';
import { migrations } from '../../fleet-manager/store/migrate.ts';

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

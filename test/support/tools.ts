// The Debian programs a test talks to (sox, espeak-ng, systemd-analyze, python3, ...). A missing one is a
// failure that says which package to install, never a skip or a pass: under `npm test` the runner
// installs them first (test/setup/run-tests.js), under a bare `npx ava` this message is what you see.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where `cmd` is on PATH (what a spawn would run), or null. */
export function findOnPath(cmd: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      // not in this folder
    }
  }
  return null;
}

export class MissingToolError extends Error {
  constructor(readonly cmd: string, readonly debianPackage: string) {
    super(`${cmd} is not installed: this test needs the Debian package ${debianPackage} (as root: apt-get install -y ${debianPackage})`);
    this.name = 'MissingToolError';
  }
}

/**
 * The absolute path of `cmd` on PATH; throws MissingToolError naming the package otherwise. Call it
 * inside the test (or the hook) that needs the program, so that test fails and the others still run.
 */
export function requireTool(cmd: string, debianPackage: string): string {
  const p = findOnPath(cmd);
  if (!p) throw new MissingToolError(cmd, debianPackage);
  return p;
}

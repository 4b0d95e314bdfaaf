// Shared by the systemd tests: a release tarball made from the working tree (what `npm run release`
// packs, with a stand-in for the bundled node_modules) and install.sh run into a folder root.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/processes.ts';

export const INSTALL_SH = join(ROOT, 'systemd', 'install.sh');
const made: string[] = [];
process.once('exit', () => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

/** A temporary folder removed when the test process exits. */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

let tarball: string | null = null;

/** appliance-<version>.tar.gz with one top folder, like the release; node_modules is a marker only. */
export function releaseTarball(): string {
  if (tarball) return tarball;
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const work = tempDir('vba-release-');
  const top = join(work, `appliance-${version}`);
  mkdirSync(top);
  for (const p of ['package.json', 'package-lock.json', 'bin', 'systemd', 'appliance']) cpSync(join(ROOT, p), join(top, p), { recursive: true });
  mkdirSync(join(top, 'node_modules'));
  writeFileSync(join(top, 'node_modules', '.package-lock.json'), '{}\n');
  // Stands for the drachtio helper's configuration files whatever their names: install.sh copies the folder.
  mkdirSync(join(top, 'systemd', 'drachtio'), { recursive: true });
  writeFileSync(join(top, 'systemd', 'drachtio', 'test-marker.conf'), 'shipped\n');
  tarball = join(work, `appliance-${version}.tar.gz`);
  execFileSync('tar', ['-czf', tarball, '-C', work, `appliance-${version}`]);
  return tarball;
}

export interface InstallRun { code: number | null; out: string }

export function runInstall(args: string[]): InstallRun {
  const r = spawnSync('bash', [INSTALL_SH, ...args], { encoding: 'utf8', env: { ...process.env, PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

export function installInto(root: string, tar: string, extra: string[] = []): string {
  const r = runInstall(['--root', root, ...extra, tar]);
  if (r.code !== 0) throw new Error(`install.sh failed (${String(r.code)}):\n${r.out}`);
  return r.out;
}

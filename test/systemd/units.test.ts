// Unit files as systemd reads them: `systemd-analyze verify` on every unit, installed by install.sh
// into a folder root (with placeholder programs at the ExecStart paths, since verify checks they are
// executable there), and the offline security score of appliance.service.
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/processes.ts';
import { installInto, releaseTarball, tempDir } from './install-kit.ts';
import { MissingToolError, requireTool } from '../support/tools.ts';

const UNITS = ['appliance.service', 'appliance-provision.service', 'drachtio.service', 'freeswitch.service'];
const EXEC_PATHS = ['/usr/bin/node', '/usr/local/bin/drachtio', '/usr/local/freeswitch/bin/freeswitch'];
const SYSTEM_UNITS = '/usr/lib/systemd/system';

/** systemd-analyze, and systemd's own units that verify resolves the dependencies against. */
function requireAnalyze(): string {
  const analyze = requireTool('systemd-analyze', 'systemd');
  if (!existsSync(join(SYSTEM_UNITS, 'sysinit.target'))) throw new MissingToolError(`systemd's units (${SYSTEM_UNITS}/sysinit.target)`, 'systemd');
  return analyze;
}

/** install.sh's result plus what a Raspberry Pi OS root also has: systemd's own units and the programs. */
function installedRoot(withPrograms: boolean): string {
  const root = tempDir('vba-units-');
  installInto(root, releaseTarball(), ['--engine', 'drachtio']);
  cpSync(SYSTEM_UNITS, join(root, SYSTEM_UNITS), { recursive: true });
  if (withPrograms) {
    for (const p of EXEC_PATHS) {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), '#!/bin/sh\nexit 0\n');
      chmodSync(join(root, p), 0o755);
    }
  }
  return root;
}

function verify(root: string, unit: string): { code: number | null; out: string } {
  const r = spawnSync(requireAnalyze(), ['verify', '--man=no', `--root=${root}`, unit], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

test('systemd-analyze verify passes on every unit as installed', (t) => {
  requireAnalyze();
  const root = installedRoot(true);
  for (const unit of UNITS) {
    const r = verify(root, unit);
    t.is(r.code, 0, `${unit}: ${r.out}`);
    t.is(r.out, '', `${unit} has warnings: ${r.out}`);
  }
});

test('verify is not a rubber stamp: a missing engine program is reported', (t) => {
  requireAnalyze();
  const root = installedRoot(false);
  const r = verify(root, 'drachtio.service');
  t.not(r.code, 0);
  t.regex(r.out, /\/usr\/local\/bin\/drachtio is not executable/);
});

test('appliance.service scores 2.0 or lower in systemd-analyze security --offline=true', (t) => {
  const analyze = requireAnalyze();
  const unit = join(ROOT, 'systemd', 'appliance.service');
  // Exit status reflects the threshold, not success: read the report itself.
  const r = spawnSync(analyze, ['security', '--offline=true', '--no-pager', unit], { encoding: 'utf8' });
  const out = `${r.stdout}${r.stderr}`;
  const m = /Overall exposure level for appliance\.service: (\d+(?:\.\d+)?) (\S+)/.exec(out);
  t.truthy(m, out.slice(-2000));
  const score = Number(m![1]);
  t.log(`systemd-analyze security --offline=true appliance.service: ${score} ${m![2]}`);
  const open = out.split('\n').filter((l) => l.startsWith('✗')).map((l) => l.replace(/\s{2,}/g, ' ').trim());
  t.log(`remaining exposures:\n  ${open.join('\n  ')}`);
  t.true(score <= 2.0, `score ${score}`);
  // What the score must not buy: Node's JIT needs W+X memory.
  t.false(/^MemoryDenyWriteExecute=/m.test(execFileSync('cat', [unit], { encoding: 'utf8' })));
});

test('the box unit is Type=notify with a watchdog, NotifyAccess=all, and ordered after time-sync.target', (t) => {
  const show = (prop: string): string => readFileSync(join(ROOT, 'systemd', 'appliance.service'), 'utf8')
    .split('\n').filter((l) => l.startsWith(`${prop}=`)).map((l) => l.slice(prop.length + 1)).join(' ');
  t.is(show('Type'), 'notify');
  t.is(show('NotifyAccess'), 'all');
  t.is(show('WatchdogSec'), '30s');
  t.is(show('Restart'), 'on-failure');
  t.regex(show('After'), /time-sync\.target/);
  t.regex(show('Wants'), /time-sync\.target/);
  t.regex(show('RestrictAddressFamilies'), /^AF_UNIX AF_INET AF_INET6 AF_NETLINK$/);
});

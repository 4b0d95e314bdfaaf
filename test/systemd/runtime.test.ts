// The box's runtime flags and environment (appliance/system/runtime.ts) are the same wherever the box is
// started: the systemd unit, `npm start`, and the executable's #! line; and the executable runs through it.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOX_ENV, BOX_NODE_FLAGS } from '../../appliance/system/runtime.ts';
import { ROOT } from '../support/processes.ts';

const assignments = Object.entries(BOX_ENV).map(([k, v]) => `${k}=${v}`);

test('appliance.service starts node with the box\'s V8 flags and environment', (t) => {
  const unit = readFileSync(join(ROOT, 'systemd', 'appliance.service'), 'utf8');
  const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '';
  const words = exec.split(/\s+/);
  t.is(words[0], '/usr/bin/node');
  for (const f of BOX_NODE_FLAGS) t.true(words.indexOf(f) > 0 && words.indexOf(f) < words.indexOf('/opt/appliance/bin/appliance.js'), `ExecStart gives ${f} to node: ${exec}`);
  const env = [...unit.matchAll(/^Environment=(.*)$/gm)].flatMap((m) => m[1]!.split(/\s+/));
  for (const a of assignments) t.true(env.includes(a), `Environment=${a} in the unit`);
});

test('npm start and the executable\'s #! line carry the same flags and environment', (t) => {
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
  const shebang = readFileSync(join(ROOT, 'bin', 'appliance.js'), 'utf8').split('\n')[0]!;
  t.true(shebang.startsWith('#!/usr/bin/env -S '), shebang);
  for (const line of [start, shebang]) {
    const words = line.replace(/^#!\/usr\/bin\/env -S /, '').split(/\s+/);
    const node = words.indexOf('node');
    t.true(node >= 0, line);
    for (const a of assignments) t.true(words.indexOf(a) >= 0 && words.indexOf(a) < node, `${a} before node in: ${line}`);
    for (const f of BOX_NODE_FLAGS) t.true(words.indexOf(f) > node, `${f} after node in: ${line}`);
  }
});

test('the executable runs through its #! line (env -S), as systemd-less installs and `appliance` on PATH do', (t) => {
  const r = spawnSync(join(ROOT, 'bin', 'appliance.js'), ['--help'], { encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
  t.is(r.error, undefined);
  t.regex(`${r.stdout}${r.stderr}`, /usage: appliance <command>/);
});

// The shell that runs the box's periodic commands (appliance/system/command-shell.ts): the box forks
// once, the shell runs each command; outputs, exit codes, odd arguments and a hung command.
import test from 'ava';
import { CommandShell } from '../../appliance/system/command-shell.ts';

test('every command runs under the one shell: the box forks once, not at every poll', async (t) => {
  const sh = new CommandShell();
  t.teardown(() => sh.close());
  const parents = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const r = await sh.run('/bin/sh', ['-c', 'echo $PPID'], 5000);
    t.is(r.code, 0);
    parents.add(r.stdout.trim());
  }
  t.is(parents.size, 1, 'one parent for all');
  t.not([...parents][0], String(process.pid), 'the parent is the shell, not the box');
});

test('outputs and exit codes come back apart; arguments pass as given; a missing program is 127', async (t) => {
  const sh = new CommandShell();
  t.teardown(() => sh.close());
  const odd = ["it's", 'two words', '$HOME', '"q"', '`x`'];
  const r = await sh.run('/usr/bin/printf', ['%s|', ...odd], 5000);
  t.deepEqual(r, { code: 0, stdout: `${odd.join('|')}|`, stderr: '' });
  const e = await sh.run('/bin/sh', ['-c', 'echo out; echo oops >&2; exit 3'], 5000);
  t.deepEqual(e, { code: 3, stdout: 'out\n', stderr: 'oops\n' });
  t.is((await sh.run('/nonexistent/timedatectl', [], 5000)).code, 127);
  // Commands run one at a time, in order, even when asked at once.
  const all = await Promise.all([1, 2, 3].map((n) => sh.run('/bin/echo', [String(n)], 5000)));
  t.deepEqual(all.map((x) => x.stdout), ['1\n', '2\n', '3\n']);
});

test('a command that hangs is killed at its timeout, and the next one runs in a new shell', async (t) => {
  const sh = new CommandShell();
  t.teardown(() => sh.close());
  const t0 = Date.now();
  const hung = await sh.run('/bin/sleep', ['30'], 300);
  t.is(hung.code, null);
  t.true(Date.now() - t0 < 5000);
  const after = await sh.run('/bin/echo', ['ok'], 5000);
  t.deepEqual(after, { code: 0, stdout: 'ok\n', stderr: '' });
});

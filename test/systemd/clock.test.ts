// Clock synchronisation: the rule (when is a synchronised clock required, what blocks), reading the
// state the way Raspberry Pi OS exposes it, and the monitor the dialer asks before every call.
import test from 'ava';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClockMonitor, clockPolicy, systemClockReader, type ClockState, type RequireSync } from '../../appliance/system/clock.ts';

const SYNCED: ClockState = { synchronized: true, detail: 'synchronised (systemd-timesyncd)' };
const UNSYNCED: ClockState = { synchronized: false, detail: 'not synchronised yet (timedatectl: NTPSynchronized=no)' };
const UNKNOWN: ClockState = { synchronized: null, detail: 'cannot tell: timedatectl is not installed' };

test('the rule: who must wait for a synchronised clock', (t) => {
  const cases: Array<[ClockState, RequireSync, boolean, boolean, boolean]> = [
    // state, requireSync, real trunk enabled → required, may dial
    [UNSYNCED, 'auto', false, false, true], // a newcomer's laptop on the sandbox
    [UNKNOWN, 'auto', false, false, true],
    [SYNCED, 'auto', true, true, true],
    [UNSYNCED, 'auto', true, true, false], // a Pi just booted, before NTP answered
    [UNKNOWN, 'auto', true, true, true], // cannot tell (no systemd): reported, not enforced
    [UNSYNCED, true, false, true, false],
    [UNKNOWN, true, true, true, false],
    [SYNCED, true, true, true, true],
    [UNSYNCED, false, true, false, true],
  ];
  for (const [state, req, real, required, ok] of cases) {
    const { status, permission } = clockPolicy(state, req, real);
    const label = `${String(state.synchronized)} / requireSync ${String(req)} / real trunk ${String(real)}`;
    t.is(status.required, required, label);
    t.is(status.synchronized, state.synchronized, label);
    t.is(permission.ok, ok, label);
    if (!permission.ok) t.regex(permission.reason, /^waiting for clock synchronisation: /, label);
  }
  t.regex(clockPolicy(UNKNOWN, 'auto', true).status.detail, /not enforced \(set clock\.requireSync to true to enforce\)/);
});

function shim(dir: string, body: string): string {
  const p = join(dir, 'timedatectl');
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

test('reading the state: timesyncd flag file, then timedatectl, else unknown', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vba-clock-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const flag = join(dir, 'synchronized');
  const args = join(dir, 'args');
  const no = shim(dir, `echo "$@" > ${args}; echo no`);
  t.deepEqual(await systemClockReader({ timesyncFlag: flag, timedatectl: no })(), { synchronized: false, detail: 'not synchronised yet (timedatectl: NTPSynchronized=no)' });
  t.is(readFileSync(args, 'utf8').trim(), 'show -p NTPSynchronized --value');
  writeFileSync(flag, '');
  t.deepEqual(await systemClockReader({ timesyncFlag: flag, timedatectl: no })(), { synchronized: true, detail: 'synchronised (systemd-timesyncd)' });
  rmSync(flag);
  const yes = shim(dir, 'echo yes');
  t.is((await systemClockReader({ timesyncFlag: flag, timedatectl: yes })()).synchronized, true);
  // No systemd as PID 1 (a container, a laptop without it): timedatectl fails.
  const down = shim(dir, 'echo "System has not been booted with systemd as init system (PID 1). Can\'t operate." >&2; exit 1');
  const unknown = await systemClockReader({ timesyncFlag: flag, timedatectl: down })();
  t.is(unknown.synchronized, null);
  t.regex(unknown.detail, /^cannot tell: timedatectl gave no answer: System has not been booted with systemd/);
  const missing = await systemClockReader({ timesyncFlag: flag, timedatectl: join(dir, 'nope') })();
  t.deepEqual(missing, { synchronized: null, detail: 'cannot tell: timedatectl is not installed' });
  const hung = shim(dir, 'sleep 5');
  const slow = await systemClockReader({ timesyncFlag: flag, timedatectl: hung, timeoutMs: 200 })();
  t.is(slow.synchronized, null);
});

test('the monitor: the dialer check follows the clock and the settings, and each change is reported once', async (t) => {
  let state: ClockState = UNSYNCED;
  let require: RequireSync = 'auto';
  let real = true;
  const changes: string[] = [];
  const m = new ClockMonitor({
    read: async () => state,
    requireSync: () => require,
    realTrunkEnabled: () => real,
    onChange: (s, p) => changes.push(`${String(s.synchronized)}:${p.ok ? 'dial' : 'wait'}`),
    pollMs: { waiting: 60_000, synced: 60_000 },
  });
  await m.start();
  t.teardown(() => m.stop());
  t.false(m.canDial().ok);
  t.false(m.canDial().ok);
  t.deepEqual(m.status(), { synchronized: false, required: true, detail: UNSYNCED.detail });
  real = false; // the real trunk disabled: back to the sandbox, which needs no real time
  t.true(m.canDial().ok);
  real = true;
  state = SYNCED;
  await m.refresh();
  t.true(m.canDial().ok);
  state = UNKNOWN;
  require = true;
  await m.refresh();
  t.false(m.canDial().ok);
  t.deepEqual(changes, ['false:wait', 'false:dial', 'true:dial', 'null:wait']);
});

test('a reader that throws counts as unknown, not as synchronised', async (t) => {
  const m = new ClockMonitor({ read: async () => { throw new Error('boom'); }, requireSync: () => true, realTrunkEnabled: () => false });
  await m.start();
  t.teardown(() => m.stop());
  t.deepEqual(m.status(), { synchronized: null, required: true, detail: 'cannot tell: boom' });
  t.false(m.canDial().ok);
});

// Is the system clock synchronised? Calling windows, consent times and the audit log depend on it,
// and a Raspberry Pi has no battery clock: until NTP answers after boot, its time is a guess. The box
// refuses to dial while the clock is not synchronised and a synchronised clock is required.
import { CommandShell } from './command-shell.ts';
import { access } from 'node:fs/promises';
import type { Logger } from '../../core/log.ts';

export interface ClockState {
  /** null: cannot tell (no systemd-timesyncd flag, no timedatectl answer). */
  synchronized: boolean | null;
  /** What the state was read from, or why it could not be. */
  detail: string;
}

/** What /api/health and fleet status report. */
export interface ClockStatus {
  synchronized: boolean | null;
  required: boolean;
  detail: string;
}

/** Why calls are held, as a stable code the web UI words in its own language. */
export type { HoldCode } from '../http/contract/campaigns.ts';
import type { HoldCode } from '../http/contract/campaigns.ts';
/** Why no call is placed right now: the code, and the box's English words for it. */
export interface DialHold { code: HoldCode; reason: string }
export type DialPermission = { ok: true } | ({ ok: false } & DialHold);
export type ClockReader = () => Promise<ClockState>;
export type RequireSync = 'auto' | boolean;

export interface SystemClockOptions {
  /** Flag file systemd-timesyncd creates once it has synchronised the clock (systemd >= 239). */
  timesyncFlag?: string;
  timedatectl?: string;
  timeoutMs?: number;
}

/**
 * Reads the state the way it works on Raspberry Pi OS: systemd-timesyncd's flag file first (no D-Bus
 * needed from inside the hardened unit), then `timedatectl show -p NTPSynchronized` (the kernel's
 * view, whatever NTP client runs: chrony, ntpd). Neither available means unknown.
 */
export function systemClockReader(opts: SystemClockOptions = {}): ClockReader {
  const flag = opts.timesyncFlag ?? '/run/systemd/timesync/synchronized';
  const timedatectl = opts.timedatectl ?? 'timedatectl';
  const timeout = opts.timeoutMs ?? 3000;
  // timedatectl is run by a shell kept for it (command-shell.ts): a spawn from the box would fork the
  // whole box on its event loop at every poll.
  const shell = new CommandShell({ ...process.env, LC_ALL: 'C' });
  return async () => {
    try {
      await access(flag);
      return { synchronized: true, detail: 'synchronised (systemd-timesyncd)' };
    } catch { /* not synchronised by timesyncd, or another NTP client: ask timedated */ }
    const r = await shell.run(timedatectl, ['show', '-p', 'NTPSynchronized', '--value'], timeout);
    const answer = r.stdout.trim();
    if (r.code === 0 && answer === 'yes') return { synchronized: true, detail: 'synchronised (timedatectl)' };
    if (r.code === 0 && answer === 'no') return { synchronized: false, detail: 'not synchronised yet (timedatectl: NTPSynchronized=no)' };
    const why = r.code === 127 ? 'timedatectl is not installed'
      : `timedatectl gave no answer: ${(r.stderr.trim().split('\n')[0] || answer || (r.code === null ? `no answer within ${timeout} ms` : `exit code ${r.code}`)).slice(0, 160)}`;
    return { synchronized: null, detail: `cannot tell: ${why}` };
  };
}

/**
 * The rule. requireSync true: only a known-synchronised clock dials. 'auto': required while a real
 * trunk is enabled, and then a clock known to be unsynchronised blocks; an unknown state (a laptop or
 * container without systemd) is reported but not enforced. false: never required.
 */
export function clockPolicy(state: ClockState, requireSync: RequireSync, realTrunkEnabled: boolean): { status: ClockStatus; permission: DialPermission } {
  const required = requireSync === true || (requireSync === 'auto' && realTrunkEnabled);
  const status: ClockStatus = { synchronized: state.synchronized, required, detail: state.detail };
  if (!required || state.synchronized === true) return { status, permission: { ok: true } };
  if (state.synchronized === null && requireSync === 'auto') {
    return { status: { ...status, detail: `${state.detail}; not enforced (set clock.requireSync to true to enforce)` }, permission: { ok: true } };
  }
  const code: HoldCode = state.synchronized === false ? 'clock-unsynchronised' : 'clock-unconfirmed';
  const why = code === 'clock-unsynchronised' ? 'the system clock is not synchronised (NTP)' : 'the system clock cannot be confirmed as synchronised (clock.requireSync is true)';
  return { status, permission: { ok: false, code, reason: `waiting for clock synchronisation: ${why}; no call is placed until it is` } };
}

export interface ClockMonitorDeps {
  read: ClockReader;
  requireSync: () => RequireSync;
  realTrunkEnabled: () => boolean;
  logger?: Logger;
  /** The synchronised state or the verdict changed. */
  onChange?: (status: ClockStatus, permission: DialPermission) => void;
  /** Polling while not synchronised, and once synchronised (ms). */
  pollMs?: { waiting: number; synced: number };
}

/** Polls the clock state in the background so the dialer's check is a cheap synchronous read. */
export class ClockMonitor {
  readonly name = 'clock';
  private state: ClockState = { synchronized: null, detail: 'not read yet' };
  private timer: NodeJS.Timeout | null = null;
  private lastKey = '';
  private stopped = true;

  constructor(private readonly deps: ClockMonitorDeps) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.refresh();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  status(): ClockStatus {
    return this.evaluate().status;
  }

  /** Checked by the dialer before placing calls and by campaign start. */
  canDial(): DialPermission {
    const { status, permission } = this.evaluate();
    this.report(status, permission);
    return permission;
  }

  async refresh(): Promise<ClockStatus> {
    try {
      this.state = await this.deps.read();
    } catch (e) {
      this.state = { synchronized: null, detail: `cannot tell: ${(e as Error).message}` };
    }
    const { status, permission } = this.evaluate();
    this.report(status, permission);
    if (!this.stopped) {
      if (this.timer) clearTimeout(this.timer);
      const poll = this.deps.pollMs ?? { waiting: 5000, synced: 60_000 };
      this.timer = setTimeout(() => { void this.refresh(); }, this.state.synchronized === true ? poll.synced : poll.waiting);
      this.timer.unref();
    }
    return status;
  }

  private evaluate(): { status: ClockStatus; permission: DialPermission } {
    return clockPolicy(this.state, this.deps.requireSync(), this.deps.realTrunkEnabled());
  }

  private report(status: ClockStatus, permission: DialPermission): void {
    const key = `${String(status.synchronized)}|${String(status.required)}|${String(permission.ok)}`;
    if (key === this.lastKey) return;
    this.lastKey = key;
    if (permission.ok) this.deps.logger?.info({ clock: status }, 'clock check: dialling allowed');
    else this.deps.logger?.warn({ clock: status }, permission.reason);
    this.deps.onChange?.(status, permission);
  }
}

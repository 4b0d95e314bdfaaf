// systemd's notify protocol without a native addon: each message is one run of `systemd-notify`
// (Node has no unix datagram sockets). systemd-notify waits until the manager has read the message
// (its BARRIER), so the message is attributed to our unit even though the sender exits at once; the
// unit therefore says NotifyAccess=all. Outside systemd (no NOTIFY_SOCKET) every call does nothing.
// The runs come from a shell kept for them (command-shell.ts): a spawn from the box at every watchdog
// ping would fork the whole box on its event loop.
import { CommandShell } from './command-shell.ts';
import type { Logger } from '../../core/log.ts';

export interface NotifierOptions {
  /** Where NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The notify program (default `systemd-notify` on PATH). */
  command?: string;
  logger?: Logger;
  /** This process's id, compared with WATCHDOG_PID (tests). */
  pid?: number;
}

export class SystemdNotifier {
  /** True when started by systemd with a notify socket. */
  readonly enabled: boolean;
  /** The watchdog period systemd expects, or null when no watchdog is configured for this process. */
  readonly watchdogMs: number | null;
  private readonly env: NodeJS.ProcessEnv;
  private readonly command: string;
  private timer: NodeJS.Timeout | null = null;
  private pingInFlight = false;
  private chain: Promise<void> = Promise.resolve();
  private failures = 0;
  private shell: CommandShell | null = null;

  constructor(private readonly opts: NotifierOptions = {}) {
    this.env = opts.env ?? process.env;
    this.command = opts.command ?? 'systemd-notify';
    this.enabled = Boolean(this.env.NOTIFY_SOCKET);
    this.watchdogMs = this.enabled ? watchdogPeriodMs(this.env, opts.pid ?? process.pid) : null;
  }

  /** The box serves requests: systemd marks the unit active and arms the watchdog. */
  ready(status?: string): Promise<void> {
    const done = this.send({ READY: '1', ...(status ? { STATUS: status } : {}) });
    this.startWatchdog();
    return done;
  }

  /** One line shown by `systemctl status appliance`. */
  status(text: string): Promise<void> {
    return this.send({ STATUS: text });
  }

  stopping(status = 'stopping: draining calls'): Promise<void> {
    this.stopWatchdog();
    return this.send({ STOPPING: '1', STATUS: status });
  }

  /**
   * Pings WATCHDOG=1 at half the period from a timer on the main event loop: if the loop hangs, the
   * pings stop and systemd restarts the box. A ping still running when the next is due is not doubled.
   */
  startWatchdog(): void {
    if (this.watchdogMs === null || this.timer) return;
    const every = Math.max(1, Math.floor(this.watchdogMs / 2));
    this.timer = setInterval(() => {
      if (this.pingInFlight) return;
      this.pingInFlight = true;
      void this.run(['WATCHDOG=1']).finally(() => { this.pingInFlight = false; });
    }, every);
    this.timer.unref();
  }

  stopWatchdog(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Send fields in order (READY before a later STATUS); never rejects: a failed message is logged. */
  send(fields: Record<string, string>): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    const args = Object.entries(fields).map(([k, v]) => `${k}=${v.replace(/[\r\n]+/g, ' ')}`);
    this.chain = this.chain.then(() => this.run(args));
    return this.chain;
  }

  /** Stop the watchdog and wait for messages already sent. */
  async close(): Promise<void> {
    this.stopWatchdog();
    await this.chain;
    this.shell?.close();
    this.shell = null;
  }

  private async run(args: string[]): Promise<void> {
    this.shell ??= new CommandShell(this.env);
    const r = await this.shell.run(this.command, args, 10_000);
    if (r.code === 0) this.failures = 0;
    else if (r.code === 127) this.failed(args, `${this.command} not found`);
    else this.failed(args, r.stderr.trim().slice(0, 500) || (r.code === null ? 'no answer within 10 s' : `exit code ${String(r.code)}`));
  }

  private failed(args: string[], why: string): void {
    // One warning per run of failures: a missing systemd-notify must not flood the journal.
    if (this.failures++ === 0) this.opts.logger?.warn({ message: args[0], err: why }, 'systemd notification failed');
  }
}

/** Like sd_watchdog_enabled(): WATCHDOG_USEC, and WATCHDOG_PID when set must be this process. */
export function watchdogPeriodMs(env: NodeJS.ProcessEnv, pid: number): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null;
  return usec / 1000;
}

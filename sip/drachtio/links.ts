// The engine's two server connections: drachtio-server's admin socket (drachtio-srf reconnects by
// itself, with its delay capped here) and FreeSWITCH's event socket through drachtio-fsmrf (reconnected
// here with backoff: fsmrf gives up on a lost server). 'change' fires whenever either comes or goes.
import { EventEmitter } from 'node:events';
import type { Logger } from '../../core/log.ts';
import { eslApi, profileAddress } from '../../media/freeswitch/esl-probe.ts';
import { createMrf, type FsMediaServer, type Mrf } from '../../media/freeswitch/fsmrf.ts';
import { backoffDelay } from '../shared/registration-timing.ts';
import { createSrf, stopSrf, type Srf } from './srf.ts';

export interface ServerLinksOptions {
  drachtio: { host: string; port: number; secret: string };
  freeswitch: { host: string; port: number; secret: string; profile?: string };
  logger: Logger;
  /** Longest wait between reconnection attempts (ms). */
  maxBackoffMs?: number;
}

export interface ServersState {
  drachtio: boolean;
  freeswitch: boolean;
  /** drachtio-server's SIP address for our Contact (host:port), once connected. */
  sipHostport: string | null;
  drachtioVersion: string | null;
}

/** Neither server connected. */
export const NO_SERVERS: Readonly<ServersState> = { drachtio: false, freeswitch: false, sipHostport: null, drachtioVersion: null };

/** The first UDP (else any) host:port from drachtio's "udp/127.0.0.1:5060,tcp/..." list. */
export function pickHostport(list: string | undefined): string | null {
  const items = (list ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const pick = items.find((s) => s.startsWith('udp/')) ?? items[0];
  return pick ? pick.replace(/^[a-z]+\//, '') : null;
}

export class ServerLinks extends EventEmitter<{ change: [ServersState] }> {
  readonly srf: Srf;
  private readonly mrf: Mrf;
  private readonly o: ServerLinksOptions;
  private readonly log: Logger;
  private ms: FsMediaServer | null = null;
  private st: ServersState = { ...NO_SERVERS };
  private fsTimer: NodeJS.Timeout | null = null;
  private fsFailures = 0;
  private closed = false;
  private connectingFs = false;

  constructor(o: ServerLinksOptions) {
    super();
    this.o = o;
    this.log = o.logger;
    this.srf = createSrf();
    this.mrf = createMrf(this.srf);
  }

  get state(): Readonly<ServersState> { return this.st; }
  get mediaServer(): FsMediaServer | null { return this.st.freeswitch ? this.ms : null; }

  /** Null when both are connected; else a sentence naming what is missing. */
  downReason(): string | null {
    if (!this.st.drachtio && !this.st.freeswitch) return 'drachtio-server and FreeSWITCH not connected';
    if (!this.st.drachtio) return 'drachtio-server not connected';
    if (!this.st.freeswitch) return 'FreeSWITCH not connected';
    return null;
  }

  /** Start connecting; resolves once both are up or after waitMs (the links keep trying either way). */
  async start(waitMs = 5000): Promise<void> {
    const srf = this.srf;
    srf.on('connect', (err: Error | null, hostport?: string, version?: string) => {
      if (err) {
        this.log.error({ err: err.message }, 'drachtio-server refused the connection (check the secret)');
        return;
      }
      this.log.info({ hostport, version }, 'connected to drachtio-server');
      this.update({ drachtio: true, sipHostport: pickHostport(hostport), drachtioVersion: version ?? null });
    });
    srf.on('error', (err: Error) => { this.log.debug({ err: err.message }, 'drachtio-server connection error'); });
    srf.on('reconnecting', (o: { delay?: number }) => { this.log.debug({ delay: o?.delay }, 'reconnecting to drachtio-server'); });
    srf.on('close', () => {
      if (this.st.drachtio) this.log.warn('lost the connection to drachtio-server');
      this.update({ drachtio: false });
    });
    srf.connect({ ...this.o.drachtio, reconnect: { retryMaxDelay: this.o.maxBackoffMs ?? 5000 } });
    this.connectFs();
    const deadline = Date.now() + waitMs;
    while (!this.closed && this.downReason() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.fsTimer) clearTimeout(this.fsTimer);
    this.fsTimer = null;
    try { this.ms?.disconnect(); } catch { /* already gone */ }
    this.ms = null;
    stopSrf(this.srf);
    this.st = { ...NO_SERVERS };
  }

  private connectFs(): void {
    if (this.closed || this.connectingFs) return;
    this.connectingFs = true;
    void this.tryFs().finally(() => { this.connectingFs = false; });
  }

  private async tryFs(): Promise<void> {
    const f = this.o.freeswitch;
    const profile = f.profile ?? 'drachtio_mrf';
    try {
      // fsmrf throws from a callback when the profile is not running yet: look before leaping.
      const status = await eslApi({ host: f.host, port: f.port, secret: f.secret }, 'sofia status');
      if (!profileAddress(status, profile)) throw new Error(`sofia profile ${profile} is not running`);
      const ms = await this.mrf.connect({ address: f.host, port: f.port, secret: f.secret, listenAddress: '127.0.0.1', profile });
      if (this.closed) { ms.disconnect(); return; }
      ms.on('error', (e: Error) => this.log.debug({ err: e.message }, 'FreeSWITCH event socket error'));
      ms.once('end', () => {
        this.log.warn('lost the connection to FreeSWITCH');
        try { ms.disconnect(); } catch { /* socket already closed */ }
        if (this.ms === ms) this.ms = null;
        this.update({ freeswitch: false });
        this.scheduleFs();
      });
      this.ms = ms;
      this.fsFailures = 0;
      this.log.info({ address: f.host, port: f.port }, 'connected to FreeSWITCH');
      this.update({ freeswitch: true });
    } catch (e) {
      this.log.debug({ err: (e as Error).message }, 'FreeSWITCH not reachable yet');
      this.scheduleFs();
    }
  }

  private scheduleFs(): void {
    if (this.closed || this.fsTimer) return;
    this.fsFailures++;
    const delay = backoffDelay(this.fsFailures, 200, this.o.maxBackoffMs ?? 5000);
    this.fsTimer = setTimeout(() => { this.fsTimer = null; this.connectFs(); }, delay);
  }

  private update(p: Partial<ServersState>): void {
    const before = JSON.stringify(this.st);
    this.st = { ...this.st, ...p };
    if (JSON.stringify(this.st) !== before) this.emit('change', this.st);
  }
}

// REGISTER for one trunk through drachtio-server (srf.request): digest answered by drachtio-srf,
// refresh before expiry, 423 Min-Expires, and the embedded engine's backoff after failures.
import { randomBytes } from 'node:crypto';
import type { TrunkProfile } from '../../core/settings-types.ts';
import type { Logger } from '../../core/log.ts';
import { backoffDelay, refreshDelayMs, type RegistrationState } from '../shared/registration-timing.ts';
import { transportParam } from '../shared/dial-plan.ts';
import type { Srf, SrfMessage } from './srf.ts';

export interface DrachtioRegistrationOptions {
  srf: () => Srf | null;
  /** Our contact host:port on drachtio-server (from its connect message). */
  contactHostport: () => string | null;
  trunk: TrunkProfile;
  logger: Logger;
  onChange: () => void;
  backoffBaseMs?: number;
  maxBackoffMs?: number;
  /** A REGISTER without a final response after this long counts as a failure. */
  timeoutMs?: number;
}

export class DrachtioRegistration {
  state: RegistrationState = 'idle';
  lastError: string | null = null;
  private readonly o: DrachtioRegistrationOptions;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = true;
  private expires: number;
  /** One Call-ID and From tag for the life of the binding (RFC 3261 §10.2), as the embedded engine does. */
  private readonly callId = `${randomBytes(9).toString('hex')}@vba`;
  private readonly fromTag = randomBytes(4).toString('hex');
  private cseq = 0;

  constructor(o: DrachtioRegistrationOptions) {
    this.o = o;
    this.expires = o.trunk.registerExpiresSec;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** The servers came back: register again at once. */
  kick(): void {
    if (!this.stopped) this.schedule(0);
  }

  async stop(timeoutMs = 2000): Promise<void> {
    this.stopped = true;
    this.clear();
    if (this.state !== 'registered') return;
    await Promise.race([this.send(0).catch(() => null), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    this.state = 'idle';
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    if (this.state !== 'registered') this.set('registering');
    let res: SrfMessage | null;
    try {
      res = await this.send(this.expires);
    } catch (e) {
      return this.fail((e as Error).message);
    }
    if (this.stopped) return;
    if (!res) return this.fail('no response');
    const status = res.status ?? 0;
    if (status === 423) {
      const min = Number(res.get('Min-Expires'));
      if (Number.isFinite(min) && min > this.expires) { this.expires = min; return this.attempt(); }
    }
    if (status === 401 || status === 407) return this.fail('credentials refused (E_TRUNK_AUTH)');
    if (status < 200 || status >= 300) return this.fail(`${status} ${res.reason ?? ''}`.trim());
    const granted = grantedExpires(res) ?? this.expires;
    this.failures = 0;
    this.lastError = null;
    this.set('registered');
    this.o.logger.info({ trunk: this.o.trunk.name, expires: granted }, 'trunk registered');
    this.schedule(refreshDelayMs(granted));
  }

  private send(expires: number): Promise<SrfMessage | null> {
    const srf = this.o.srf();
    const hostport = this.o.contactHostport();
    if (!srf || !hostport) return Promise.reject(new Error('drachtio-server not connected'));
    const t = this.o.trunk;
    const domain = t.domain ?? t.host;
    const aor = `sip:${t.username ?? 'anonymous'}@${domain}`;
    const tp = transportParam(t);
    const registrar = `sip:${t.host}:${t.port}${tp}`;
    const auth = t.username && t.password ? { username: t.authUser ?? t.username, password: t.password } : undefined;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve(null), this.o.timeoutMs ?? 10_000);
      srf.request(t.domain && t.domain !== t.host ? `sip:${domain}` : registrar, {
        method: 'REGISTER',
        headers: {
          From: `<${aor}>;tag=${this.fromTag}`, To: `<${aor}>`, 'Call-ID': this.callId, CSeq: `${this.nextCseq()} REGISTER`,
          Contact: `<sip:${t.username ?? 'vba'}@${hostport}${tp}>`, Expires: String(expires),
        },
        ...(t.domain && t.domain !== t.host ? { proxy: registrar } : {}),
        ...(auth ? { auth } : {}),
      }).then((req) => {
        req.on('response', (res) => {
          if ((res.status ?? 0) < 200) return;
          clearTimeout(timer);
          resolve(res);
        });
      }, (e: unknown) => { clearTimeout(timer); reject(e instanceof Error ? e : new Error(String(e))); });
    });
  }

  // drachtio-srf answers a challenge with CSeq + 1 on its own: leave room so CSeq only ever grows.
  private nextCseq(): number {
    this.cseq += 2;
    return this.cseq;
  }

  private fail(reason: string): void {
    this.failures++;
    this.lastError = `REGISTER: ${reason}`;
    this.set('failed');
    const delay = backoffDelay(this.failures, this.o.backoffBaseMs ?? 5000, this.o.maxBackoffMs ?? 300_000);
    this.o.logger.warn({ trunk: this.o.trunk.name, reason, retryInMs: delay }, 'trunk registration failed');
    this.schedule(delay);
  }

  private schedule(ms: number): void {
    this.clear();
    if (this.stopped) return;
    this.timer = setTimeout(() => { this.timer = null; void this.attempt(); }, ms);
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private set(s: RegistrationState): void {
    if (this.state === s) return;
    this.state = s;
    this.o.onChange();
  }
}

function grantedExpires(res: SrfMessage): number | null {
  const contact = res.get('Contact') ?? '';
  const m = /;\s*expires\s*=\s*(\d+)/i.exec(contact);
  const fromContact = m ? Number(m[1]) : NaN;
  if (fromContact > 0) return fromContact;
  const fromHeader = Number(res.get('Expires'));
  return fromHeader > 0 ? fromHeader : null;
}

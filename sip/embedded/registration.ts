// REGISTER for one trunk: digest challenge, refresh before expiry, 423 Min-Expires, and exponential
// backoff after failures. One Call-ID for the life of the binding, CSeq increasing (RFC 3261 §10.2).
import type { Logger } from '../../core/log.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import { transportParam } from '../shared/dial-plan.ts';
import { backoffDelay, refreshDelayMs, type RegistrationState } from '../shared/registration-timing.ts';
import { DigestClient } from './digest.ts';
import type { SipStack } from './sip-stack.ts';
import { randomToken } from './net-util.ts';
import { headerText, parseUri, type SipRequest, type SipResponse } from './sip-types.ts';

export interface RegistrationOptions {
  stack: SipStack;
  trunk: TrunkProfile;
  logger: Logger;
  onChange: () => void;
  /** First retry delay after a failure; doubles up to maxBackoffMs. */
  backoffBaseMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
}

export class Registration {
  private readonly o: RegistrationOptions;
  private readonly callId = randomToken(12);
  private readonly fromTag = randomToken(6);
  private readonly digest: DigestClient | null;
  private cseq = 0;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = false;
  private requestedExpires: number;
  state: RegistrationState = 'idle';
  lastError: string | null = null;
  expiresAt: number | null = null;

  constructor(o: RegistrationOptions) {
    this.o = o;
    const t = o.trunk;
    this.digest = t.username && t.password ? new DigestClient({ username: t.authUser ?? t.username, password: t.password }) : null;
    this.requestedExpires = t.registerExpiresSec;
  }

  start(): void {
    this.stopped = false;
    this.send(this.requestedExpires, 0);
  }

  /** Stop refreshing and remove the binding (bounded wait). */
  async stop(timeoutMs = 2000): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    if (this.state !== 'registered') return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.send(0, 0, () => { clearTimeout(t); resolve(); });
    });
    this.state = 'idle';
  }

  private buildRequest(expires: number): SipRequest {
    const t = this.o.trunk;
    const domain = t.domain ?? t.host;
    const registrar = `sip:${t.host}:${t.port}${transportParam(t)}`;
    const aor = `sip:${t.username ?? 'anonymous'}@${domain}`;
    this.cseq++;
    const rq: SipRequest = {
      method: 'REGISTER',
      uri: t.domain && t.domain !== t.host ? `sip:${domain}` : registrar,
      headers: {
        to: { uri: aor, params: {} },
        from: { uri: aor, params: { tag: this.fromTag } },
        'call-id': this.callId,
        cseq: { seq: this.cseq, method: 'REGISTER' },
        contact: [{ uri: this.o.stack.contactUri(t.username, { host: t.host, transport: t.transport }), params: {} }],
        expires: String(expires),
        'max-forwards': '70',
      },
    };
    if (t.domain && t.domain !== t.host) {
      const p = parseUri(registrar);
      if (p) rq.headers.route = [{ uri: { ...p, params: { ...p.params, lr: null } }, params: {} }];
    }
    this.digest?.sign(rq);
    return rq;
  }

  /** authTries counts challenges answered for this attempt; a second in a row means wrong credentials. */
  private send(expires: number, authTries: number, done?: () => void): void {
    if (expires > 0 && this.state !== 'registered') this.setState('registering');
    const rq = this.buildRequest(expires);
    this.o.stack.send(rq, (rs) => {
      if (rs.status < 200) return;
      this.onResponse(rq, rs, expires, authTries, done);
    });
  }

  private onResponse(rq: SipRequest, rs: SipResponse, expires: number, authTries: number, done?: () => void): void {
    if (rs.status === 401 || rs.status === 407) {
      const stale = rs.headers[rs.status === 401 ? 'www-authenticate' : 'proxy-authenticate']?.some((h) => /true/i.test(h.stale ?? ''));
      if (this.digest && (authTries === 0 || stale) && authTries < 2 && this.digest.accept(rs)) {
        this.send(expires, authTries + 1, done);
        return;
      }
      return this.fail(this.digest ? 'credentials refused (E_TRUNK_AUTH)' : 'registrar asks for credentials but the trunk has none', done);
    }
    if (rs.status === 423) {
      const min = Number(headerText(rs.headers, 'min-expires'));
      if (Number.isFinite(min) && min > expires && expires > 0) {
        this.requestedExpires = min;
        this.send(min, authTries, done);
        return;
      }
    }
    if (expires === 0) {
      done?.();
      return;
    }
    if (rs.status >= 200 && rs.status < 300) {
      const granted = this.grantedExpires(rq, rs, expires);
      this.failures = 0;
      this.lastError = null;
      this.expiresAt = Date.now() + granted * 1000;
      this.setState('registered');
      this.o.logger.info({ trunk: this.o.trunk.name, expires: granted }, 'trunk registered');
      this.schedule(refreshDelayMs(granted));
      done?.();
      return;
    }
    this.fail(`${rs.status} ${rs.reason}`.trim(), done);
  }

  private grantedExpires(rq: SipRequest, rs: SipResponse, requested: number): number {
    const ours = Array.isArray(rq.headers.contact) ? rq.headers.contact[0]?.uri : undefined;
    const contacts = Array.isArray(rs.headers.contact) ? rs.headers.contact : [];
    const mine = contacts.find((c) => c.uri === ours) ?? (contacts.length === 1 ? contacts[0] : undefined);
    const fromContact = Number(mine?.params.expires);
    if (Number.isFinite(fromContact) && fromContact > 0) return fromContact;
    const fromHeader = Number(headerText(rs.headers, 'expires'));
    if (Number.isFinite(fromHeader) && fromHeader > 0) return fromHeader;
    return requested;
  }

  private fail(reason: string, done?: () => void): void {
    this.failures++;
    this.lastError = `REGISTER: ${reason}`;
    this.expiresAt = null;
    this.setState('failed');
    const delay = backoffDelay(this.failures, this.o.backoffBaseMs ?? 5000, this.o.maxBackoffMs ?? 300_000, this.o.random);
    this.o.logger.warn({ trunk: this.o.trunk.name, reason, retryInMs: delay, failures: this.failures }, 'trunk registration failed');
    this.schedule(delay);
    done?.();
  }

  private schedule(ms: number): void {
    this.clearTimer();
    if (this.stopped) return;
    this.timer = setTimeout(() => { this.timer = null; this.send(this.requestedExpires, 0); }, ms);
  }

  private clearTimer(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
  }

  private setState(s: RegistrationState): void {
    if (this.state === s) return;
    this.state = s;
    this.o.onChange();
  }
}

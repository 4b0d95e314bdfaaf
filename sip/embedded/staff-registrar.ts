// The registrar of staff endpoints (issue 16). Desk phones REGISTER over UDP/TCP from the LAN ranges
// the domain gives, answering a digest challenge with the user's credentials (the domain keeps HA1;
// the realm is the box's). Browser softphones REGISTER over their logged-in WebSocket, for the
// session's user only. Everything else is refused (403), logged once per source and interval.
import type { StaffDirectory } from '../../core/call-port.ts';
import type { Logger } from '../../core/log.ts';
import { AddressRanges } from '../shared/address-ranges.ts';
import { DigestServer, readDigestAnswer } from '../shared/digest-server.ts';
import type { RefusalLog } from '../shared/refusal-log.ts';
import type { StaffRegistry } from '../shared/staff-registry.ts';
import { headerText, parseUri, type NameAddr, type SipHeaders, type SipRequest } from './sip-types.ts';

export interface RegisterSource {
  kind: 'desk-phone' | 'browser';
  /** The sender's IP address. */
  address: string;
  /** `ip:port` for a desk phone, `wss` for a browser. */
  source: string;
  /** A browser's WebSocket connection. */
  socketId?: string;
  /** A browser's web-session user: it may register itself only. */
  sessionUser?: string;
  reply(status: number, reason: string, headers?: SipHeaders): void;
}

export interface StaffRegistrarOptions {
  registry: StaffRegistry;
  directory: StaffDirectory;
  realm: string;
  refusals: RefusalLog;
  logger: Logger;
  digest?: DigestServer;
}

export class StaffRegistrar {
  private readonly o: StaffRegistrarOptions;
  private readonly ranges = new AddressRanges();
  private readonly digest: DigestServer;

  constructor(o: StaffRegistrarOptions) {
    this.o = o;
    this.digest = o.digest ?? new DigestServer();
  }

  /** May this address register a desk phone (the guard lets such sources reach the user agent)? */
  inDeskRanges(address: string): boolean {
    return this.ranges.contains(address, this.o.directory.deskPhoneRanges());
  }

  handle(rq: SipRequest, from: RegisterSource): void {
    const user = parseUri(rq.headers.to?.uri ?? '')?.user;
    if (!user) return this.refuse(rq, from, 400, 'Bad Request (no user in To)', 'no-user');
    if (from.kind === 'browser') {
      if (user !== from.sessionUser) return this.refuse(rq, from, 403, 'Forbidden (another user)', 'another-user');
      return this.bind(rq, from, user);
    }
    if (this.authenticate(rq, from, user)) this.bind(rq, from, user);
  }

  /**
   * A desk phone's request (REGISTER, or an INVITE calling out) answered with `user`'s digest credentials,
   * from the LAN ranges: true; otherwise it has been challenged (401) or refused (403) and false.
   */
  authenticate(rq: SipRequest, from: RegisterSource, user: string): boolean {
    if (!this.inDeskRanges(from.address)) return this.deny(rq, from, 403, 'Forbidden', 'outside-desk-phone-ranges');
    const realm = this.o.realm;
    const answer = readDigestAnswer(rq.headers.authorization?.[0]);
    if (!answer) {
      from.reply(401, 'Unauthorized', { 'www-authenticate': [this.digest.challenge(realm)] });
      return false;
    }
    if (answer.username !== user) return this.deny(rq, from, 403, 'Forbidden', 'credentials-for-another-user');
    const ha1 = this.o.directory.deskPhoneHa1(user, realm);
    if (!ha1) return this.deny(rq, from, 403, 'Forbidden', 'not-a-staff-user');
    const verdict = this.digest.verify(answer, rq.method, realm, ha1);
    if (verdict === 'stale') {
      from.reply(401, 'Unauthorized', { 'www-authenticate': [this.digest.challenge(realm, true)] });
      return false;
    }
    if (verdict === 'bad') return this.deny(rq, from, 403, 'Forbidden', 'wrong-credentials');
    return true;
  }

  private bind(rq: SipRequest, from: RegisterSource, user: string): void {
    const reg = this.o.registry;
    const contacts = rq.headers.contact;
    const headerExpires = Number(headerText(rq.headers, 'expires') ?? NaN);
    if (contacts === '*') {
      if (headerExpires !== 0) return from.reply(400, 'Bad Request (* needs Expires: 0)');
      reg.unbind(user, '*');
      this.o.logger.info({ user, kind: from.kind, source: from.source }, 'staff endpoint unregistered (all)');
      return from.reply(200, 'OK');
    }
    const granted: NameAddr[] = [];
    for (const c of contacts ?? []) {
      const asked = Number(c.params.expires ?? (Number.isFinite(headerExpires) ? headerExpires : 3600));
      if (!Number.isFinite(asked) || asked < 0) return from.reply(400, 'Bad Request (Expires)');
      const verdict = reg.grant(Math.floor(asked));
      if (!verdict.ok) return from.reply(423, 'Interval Too Brief', { 'min-expires': String(verdict.minExpires) });
      const contact = c.uri;
      if (verdict.seconds === 0) {
        reg.unbind(user, contact);
        this.o.logger.info({ user, kind: from.kind, source: from.source }, 'staff endpoint unregistered');
        continue;
      }
      const known = reg.of(user).some((b) => b.contact === contact);
      reg.bind({ user, kind: from.kind, source: from.source, contact, ...(from.socketId ? { socketId: from.socketId } : {}) }, verdict.seconds);
      if (!known) this.o.logger.info({ user, kind: from.kind, source: from.source, expiresSec: verdict.seconds }, 'staff endpoint registered');
      granted.push({ uri: contact, params: { expires: String(verdict.seconds) } });
    }
    from.reply(200, 'OK', granted.length ? { contact: granted } : {});
  }

  private deny(rq: SipRequest, from: RegisterSource, status: number, text: string, reason: string): false {
    this.refuse(rq, from, status, text, reason);
    return false;
  }

  private refuse(rq: SipRequest, from: RegisterSource, status: number, text: string, reason: string): void {
    from.reply(status, text);
    this.o.refusals.note(from.kind === 'browser' ? `wss:${from.sessionUser ?? '?'}` : from.address, { method: rq.method, reason, status });
  }
}

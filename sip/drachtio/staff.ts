// The drachtio engine's staff side (issue 16): the registrar of staff endpoints behind drachtio-server,
// the browser softphones' WebSockets relayed to drachtio-server's WebSocket transport, and ringing a
// staff user (dialStaff).
//
// - Desk phones REGISTER to drachtio-server's SIP port; the REGISTER reaches us (srf 'register'), and we
//   answer: only from the LAN ranges the domain gives, with a digest challenge checked against the
//   user's HA1 (sip/shared/digest-server.ts). Everyone else: 403, logged once per source and interval.
// - Browser softphones connect to the box's HTTPS port (the web session checked there); the engine
//   opens a WebSocket of its own to drachtio-server's loopback `ws` contact for each and relays SIP
//   both ways. Every request from the browser gets a header naming its socket and user, signed with a
//   secret made at start (any such header the browser sent is removed first): a REGISTER over `ws`
//   without a valid signature, or for another user than the session's, is refused. drachtio-server
//   keeps the connection of each registered contact and sends our INVITEs down it.
// - dialStaff rings every free endpoint of the user; the first to answer takes the call.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import WebSocket from 'ws';
import type { Bridge, Call, SipWebSocket, StaffDialRequest, StaffDirectory, StaffEndpoint } from '../../core/call-port.ts';
import type { Logger } from '../../core/log.ts';
import type { FsEndpoint } from '../../media/freeswitch/fsmrf.ts';
import { AddressRanges } from '../shared/address-ranges.ts';
import { DigestServer, readDigestAnswer } from '../shared/digest-server.ts';
import type { RefusalLog } from '../shared/refusal-log.ts';
import { RingAllCall, RingTogether, type RingLeg } from '../shared/ring-all.ts';
import { StaffRegistry, type StaffBinding } from '../shared/staff-registry.ts';
import { bridgeEndpoints } from './bridge.ts';
import { DrachtioCall, type DrachtioCallDeps } from './drachtio-call.ts';
import type { SrfMessage, SrfResponseOut } from './srf.ts';

/** The header the relay adds to a browser's requests: `<socket id>.<signature>`. */
export const STAFF_HEADER = 'X-Box-Staff';

export interface DrachtioStaffOptions {
  directory: StaffDirectory;
  /** The digest realm desk phones answer (the box's name). */
  realm: string;
  /** drachtio-server's WebSocket contact (loopback), e.g. ws://127.0.0.1:9024. */
  wsUrl: string;
  minExpiresSec?: number;
  maxExpiresSec?: number;
}

// ---- reading SIP header values (drachtio-srf gives them as text) ----

/** The user part of the first SIP URI in a header value. */
export function uriUser(v: string | undefined): string | null {
  const m = /sips?:([^@;>\s]+)@/i.exec(v ?? '');
  return m ? decodeURIComponent(m[1]!) : null;
}

export type ContactList = '*' | { uri: string; expires?: number }[];

/** Contact header values (several may be joined by commas): the URIs and their expires parameters. */
export function parseContacts(v: string | undefined): ContactList {
  const text = (v ?? '').trim();
  if (text === '*') return '*';
  const out: { uri: string; expires?: number }[] = [];
  // Commas inside <...> or quotes are not separators.
  const parts: string[] = [];
  let cur = '';
  let angle = false;
  let quote = false;
  for (const ch of text) {
    if (ch === '"' && !angle) quote = !quote;
    else if (ch === '<' && !quote) angle = true;
    else if (ch === '>' && !quote) angle = false;
    if (ch === ',' && !angle && !quote) { parts.push(cur); cur = ''; continue; }
    cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  for (const p of parts) {
    const bracketed = /<([^>]*)>(.*)$/.exec(p);
    const uri = (bracketed ? bracketed[1]! : p.split(';')[0]!).trim();
    const params = bracketed ? bracketed[2]! : p.slice(p.indexOf(';') >= 0 ? p.indexOf(';') : p.length);
    const e = /;\s*expires\s*=\s*(\d+)/i.exec(params);
    if (uri) out.push({ uri, ...(e ? { expires: Number(e[1]) } : {}) });
  }
  return out;
}

/** An Authorization value as the record readDigestAnswer takes (quoted values keep their quotes). */
export function authParams(v: string | undefined): Record<string, string> | undefined {
  const m = /^\s*(\S+)\s+(.*)$/s.exec(v ?? '');
  if (!m) return undefined;
  const rec: Record<string, string> = { scheme: m[1]! };
  const re = /([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)/g;
  for (let p = re.exec(m[2]!); p; p = re.exec(m[2]!)) rec[p[1]!.toLowerCase()] = p[2]!;
  return rec;
}

function challengeText(c: Record<string, string>): string {
  const { scheme, ...rest } = c;
  return `${scheme} ${Object.entries(rest).map(([k, v]) => `${k}=${v}`).join(', ')}`;
}

// ---- the browser relay ----

/** Add the signed header to a request from the browser (after removing any it sent); responses pass as they are. */
export function stampRequest(msg: string, token: string): string {
  const end = msg.indexOf('\r\n\r\n');
  const head = end >= 0 ? msg.slice(0, end) : msg;
  const body = end >= 0 ? msg.slice(end) : '';
  const lines = head.split('\r\n');
  if (/^SIP\/2\.0 /.test(lines[0] ?? '')) return msg;
  const name = STAFF_HEADER.toLowerCase();
  const kept = lines.filter((l, i) => i === 0 || l.split(':', 1)[0]!.trim().toLowerCase() !== name);
  kept.splice(1, 0, `${STAFF_HEADER}: ${token}`);
  return kept.join('\r\n') + body;
}

const VIA_LINE = /^(?:Via|v)[ \t]*:/im;
const VIA_TRANSPORT = /^([^:]*:[ \t]*SIP[ \t]*\/[ \t]*2\.0[ \t]*\/[ \t]*)(WSS|WS)\b/i;

/** The message with its top Via's transport changed from `from` to `to` (unchanged when it says something else). */
function swapTopVia(msg: string, from: 'WS' | 'WSS', to: 'WS' | 'WSS'): string | null {
  const headEnd = msg.indexOf('\r\n\r\n');
  const line = VIA_LINE.exec(msg);
  if (!line || (headEnd >= 0 && line.index > headEnd)) return null;
  const m = VIA_TRANSPORT.exec(msg.slice(line.index));
  if (!m || m[2]!.toUpperCase() !== from) return null;
  const at = line.index + m[1]!.length;
  return `${msg.slice(0, at)}${to}${msg.slice(at + from.length)}`;
}

/**
 * A request from the browser as drachtio-server's ws contact takes it. sofia-sip (inside
 * drachtio-server) drops, unanswered, a request whose top Via names another transport than the one
 * it came in on ("Via check: invalid transport"): the browser says WSS (it reaches the box's HTTPS
 * port), the relay reaches drachtio-server over plain ws, so the top Via says WS (`wss` tells the relay
 * to say WSS again in the responses). Responses pass as they are.
 */
export function viaToServer(msg: string): { text: string; wss: boolean } {
  if (/^SIP\/2\.0 /.test(msg)) return { text: msg, wss: false };
  const text = swapTopVia(msg, 'WSS', 'WS');
  return text === null ? { text: msg, wss: false } : { text, wss: true };
}

/** A response from drachtio-server to the browser: its top Via (the browser's own) says WSS again, as the browser sent it. */
export function viaToBrowser(msg: string): string {
  if (!/^SIP\/2\.0 /.test(msg)) return msg;
  return swapTopVia(msg, 'WS', 'WSS') ?? msg;
}

/**
 * Whether a request reached drachtio-server over its WebSocket transport. drachtio-srf's `protocol`
 * says "tcp" for those (drachtio-server 1.0.0), so the top Via decides: sofia-sip only lets through
 * a request whose top Via names the transport it came in on.
 */
export function viaIsWebSocket(req: SrfMessage): boolean {
  const protocol = ((req as { protocol?: string }).protocol ?? '').toLowerCase();
  if (protocol === 'ws' || protocol === 'wss') return true;
  const v: unknown = req.get('Via');
  const top = Array.isArray(v) ? v[0] : v;
  return typeof top === 'string' && /^\s*SIP\s*\/\s*2\.0\s*\/\s*WSS?\b/i.test(top);
}

interface Relay { id: string; user: string; browser: SipWebSocket; server: WebSocket; open: boolean }

// ---- the staff side ----

export class DrachtioStaff {
  readonly registry: StaffRegistry;
  private readonly o: DrachtioStaffOptions;
  private readonly log: Logger;
  private readonly refusals: RefusalLog;
  private readonly ranges = new AddressRanges();
  private readonly digest = new DigestServer();
  private readonly secret = randomBytes(32);
  private readonly relays = new Map<string, Relay>();

  constructor(o: DrachtioStaffOptions, refusals: RefusalLog, log: Logger, onChange: (list: StaffEndpoint[]) => void) {
    this.o = o;
    this.log = log;
    this.refusals = refusals;
    this.registry = new StaffRegistry({ minExpiresSec: o.minExpiresSec, maxExpiresSec: o.maxExpiresSec });
    this.registry.on('change', onChange);
  }

  inDeskRanges(address: string): boolean {
    return this.ranges.contains(address, this.o.directory.deskPhoneRanges());
  }

  /** A REGISTER that reached drachtio-server: answered here when it is a staff endpoint's; false otherwise. */
  handleRegister(req: SrfMessage, res: SrfResponseOut): boolean {
    const address = req.source_address ?? '';
    const token = req.get(STAFF_HEADER);
    if (viaIsWebSocket(req) || token) {
      const owner = token ? this.tokenOwner(token) : null;
      if (!owner) {
        this.refuse(res, `ws:${address}`, 403, 'Forbidden', 'unsigned-websocket');
        return true;
      }
      const user = uriUser(req.get('To'));
      if (!user || user !== owner.user) {
        this.refuse(res, `wss:${owner.user}`, 403, 'Forbidden (another user)', 'another-user');
        return true;
      }
      this.bind(req, res, user, { kind: 'browser', source: 'wss', socketId: owner.socketId });
      return true;
    }
    if (!this.inDeskRanges(address)) return false;
    const user = uriUser(req.get('To'));
    if (!user) {
      this.refuse(res, address, 400, 'Bad Request (no user in To)', 'no-user');
      return true;
    }
    const realm = this.o.realm;
    const answer = readDigestAnswer(authParams(req.get('Authorization')));
    if (!answer) {
      res.send(401, 'Unauthorized', { headers: { 'WWW-Authenticate': challengeText(this.digest.challenge(realm)) } });
      return true;
    }
    if (answer.username !== user) return this.refuse(res, address, 403, 'Forbidden', 'credentials-for-another-user');
    const ha1 = this.o.directory.deskPhoneHa1(user, realm);
    if (!ha1) return this.refuse(res, address, 403, 'Forbidden', 'not-a-staff-user');
    const verdict = this.digest.verify(answer, 'REGISTER', realm, ha1);
    if (verdict === 'stale') {
      res.send(401, 'Unauthorized', { headers: { 'WWW-Authenticate': challengeText(this.digest.challenge(realm, true)) } });
      return true;
    }
    if (verdict === 'bad') return this.refuse(res, address, 403, 'Forbidden', 'wrong-credentials');
    this.bind(req, res, user, { kind: 'desk-phone', source: `${address}:${req.source_port ?? ''}` });
    return true;
  }

  /** A logged-in browser's WebSocket: relayed to drachtio-server's WebSocket transport. */
  acceptSocket(browser: SipWebSocket, user: string): void {
    const id = `ws-${randomUUID()}`;
    const server = new WebSocket(this.o.wsUrl, 'sip');
    const relay: Relay = { id, user, browser, server, open: false };
    this.relays.set(id, relay);
    const log = this.log.child({ ws: id, user });
    const token = this.tokenFor(id, user);
    const queued: string[] = [];
    let gone = false;
    const close = (why: string): void => {
      if (gone) return;
      gone = true;
      this.relays.delete(id);
      this.registry.dropSocket(id);
      log.info({ why }, 'softphone connection closed');
      try { browser.close(1000, why.slice(0, 100)); } catch { /* already closed */ }
      try { server.close(); } catch { /* already closed */ }
    };
    let wss = false;
    browser.on('message', (data) => {
      const fixed = viaToServer(stampRequest(typeof data === 'string' ? data : data.toString('utf8'), token));
      if (fixed.wss) wss = true;
      const text = fixed.text;
      if (relay.open) server.send(text);
      else if (queued.length < 20) queued.push(text);
    });
    browser.on('close', () => close('browser closed'));
    server.on('open', () => {
      relay.open = true;
      for (const m of queued.splice(0)) server.send(m);
      log.info('softphone connected (relayed to drachtio-server)');
    });
    server.on('message', (data: Buffer) => {
      if (gone) return;
      const text = data.toString('utf8');
      browser.send(wss ? viaToBrowser(text) : text);
    });
    server.on('close', () => close('drachtio-server closed'));
    server.on('error', (e) => {
      log.warn({ err: e.message }, 'drachtio-server WebSocket unreachable');
      close('drachtio-server unreachable');
    });
  }

  /** Ring the user's free endpoints (each leg a DrachtioCall with the staff target). */
  dialStaff(req: StaffDialRequest, deps: DrachtioCallDeps): DrachtioStaffCall {
    const log = this.log.child(req.tag ? { tag: req.tag } : {});
    const legs: StaffLeg[] = [];
    const together = new RingTogether();
    for (const b of this.registry.of(req.user)) {
      if (b.busy) continue;
      if (b.kind === 'browser' && !(b.socketId && this.relays.get(b.socketId)?.open)) continue;
      const start = together.member();
      const call = new DrachtioCall(deps, {
        to: b.contact, from: 'box', ringTimeoutMs: req.ringTimeoutMs ?? 30_000, headers: req.headers, tag: req.tag,
      }, { display: req.display, browser: b.kind === 'browser', ringStart: start });
      legs.push({ call, binding: b, start });
    }
    together.seal();
    return new DrachtioStaffCall(legs, this.registry, log);
  }

  close(): void {
    for (const r of [...this.relays.values()]) {
      try { r.browser.close(1001, 'server stopping'); } catch { /* gone */ }
      try { r.server.close(); } catch { /* gone */ }
    }
    this.relays.clear();
    this.registry.close();
  }

  private bind(req: SrfMessage, res: SrfResponseOut, user: string, from: { kind: StaffBinding['kind']; source: string; socketId?: string }): void {
    const reg = this.registry;
    const contacts = parseContacts(req.get('Contact'));
    const headerExpires = Number(req.get('Expires') ?? NaN);
    if (contacts === '*') {
      if (headerExpires !== 0) return res.send(400, 'Bad Request (* needs Expires: 0)');
      reg.unbind(user, '*');
      this.log.info({ user, kind: from.kind, source: from.source }, 'staff endpoint unregistered (all)');
      return res.send(200, 'OK');
    }
    const granted: string[] = [];
    for (const c of contacts) {
      const asked = c.expires ?? (Number.isFinite(headerExpires) ? headerExpires : 3600);
      const verdict = reg.grant(Math.floor(asked));
      if (!verdict.ok) return res.send(423, 'Interval Too Brief', { headers: { 'Min-Expires': String(verdict.minExpires) } });
      if (verdict.seconds === 0) {
        reg.unbind(user, c.uri);
        this.log.info({ user, kind: from.kind, source: from.source }, 'staff endpoint unregistered');
        continue;
      }
      const known = reg.of(user).some((b) => b.contact === c.uri);
      reg.bind({ user, kind: from.kind, source: from.source, contact: c.uri, ...(from.socketId ? { socketId: from.socketId } : {}) }, verdict.seconds);
      if (!known) this.log.info({ user, kind: from.kind, source: from.source, expiresSec: verdict.seconds }, 'staff endpoint registered');
      granted.push(`<${c.uri}>;expires=${verdict.seconds}`);
    }
    // The Contact with its expires is what makes drachtio-server keep a WebSocket contact's connection.
    res.send(200, 'OK', granted.length ? { headers: { Contact: granted.join(', ') } } : {});
  }

  private refuse(res: SrfResponseOut, source: string, status: number, text: string, reason: string): true {
    res.send(status, text);
    this.refusals.note(source, { method: 'REGISTER', reason, status });
    return true;
  }

  private sign(socketId: string, user: string): string {
    return createHmac('sha256', this.secret).update(`${socketId}\n${user}`).digest('base64url');
  }

  private tokenFor(socketId: string, user: string): string {
    return `${socketId}.${Buffer.from(user).toString('base64url')}.${this.sign(socketId, user)}`;
  }

  private tokenOwner(token: string): { socketId: string; user: string } | null {
    const [socketId, u, mac] = token.trim().split('.');
    if (!socketId || !u || !mac) return null;
    const user = Buffer.from(u, 'base64url').toString('utf8');
    const want = Buffer.from(this.sign(socketId, user));
    const got = Buffer.from(mac);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
    return this.relays.has(socketId) ? { socketId, user } : null;
  }
}

// ---- ringing a staff user ----

type StaffLeg = RingLeg<DrachtioCall>;

/** The ring-all call (sip/shared/ring-all.ts) whose answering leg bridges through FreeSWITCH. */
export class DrachtioStaffCall extends RingAllCall<DrachtioCall> {
  /** The answering leg's FreeSWITCH endpoint (what a bridge joins). */
  get endpoint(): FsEndpoint | null { return this.winner?.call.endpoint ?? null; }

  bridge(other: Call): Bridge {
    return bridgeEndpoints(this, other, this.log);
  }
}

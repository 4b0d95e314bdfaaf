// A typed view of the parts of drachtio-srf this engine uses. The package's own typings disagree with
// its code in places (request(), SipError), so the engine talks to it only through these interfaces.
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

export interface SrfMessage {
  readonly status?: number;
  readonly reason?: string;
  readonly body?: string;
  readonly source_address?: string;
  readonly source_port?: string | number;
  readonly method?: string;
  readonly uri?: string;
  get(name: string): string | undefined;
  has(name: string): boolean;
}

export interface SrfResponseOut {
  send(status: number, reason?: string | object, opts?: object): void;
}

/** The request sent by createUAC (for CANCEL) or by request() (for its responses). */
export interface SrfSentRequest extends SrfMessage {
  cancel(cb?: (err: unknown) => void): void;
  on(event: 'response', cb: (res: SrfMessage) => void): this;
}

export interface SrfDialog extends EventEmitter {
  readonly remote: { sdp: string };
  readonly local: { sdp: string };
  readonly sip: { callId: string };
  destroy(opts?: { headers?: Record<string, string> }): Promise<unknown>;
  modify(sdp: string): Promise<string>;
}

export interface CreateUacOptions {
  /** Absent with noAck: an INVITE without SDP, whose 200 carries the far end's offer. */
  localSdp?: string;
  /** The caller ACKs with its answer to the 200's offer (createUAC then resolves with a LateOffer). */
  noAck?: boolean;
  headers?: Record<string, string>;
  proxy?: string;
  auth?: { username: string; password: string };
}

/** What createUAC gives with `noAck`: the far end's offer from its 200, and the ACK carrying our answer. */
export interface LateOffer {
  readonly sdp: string;
  ack(localSdp: string): Promise<SrfDialog>;
  /** Abandon the answered, not yet acknowledged call (ACK then BYE). */
  destroy(): Promise<unknown>;
}

export interface Srf extends EventEmitter {
  connect(opts: { host: string; port: number; secret: string; reconnect?: { retryMaxDelay?: number } }): void;
  disconnect(): void;
  createUAC(uri: string, opts: CreateUacOptions, progress: {
    cbRequest?: (err: unknown, req: SrfSentRequest) => void;
    cbProvisional?: (res: SrfMessage) => void;
  }): Promise<SrfDialog>;
  request(uri: string, opts: { method: string; headers?: Record<string, string>; body?: string; auth?: { username: string; password: string }; proxy?: string }): Promise<SrfSentRequest>;
  use(method: string, handler: (req: SrfMessage, res: SrfResponseOut, next: () => void) => void): void;
}

type SrfCtor = new () => Srf;

const require = createRequire(import.meta.url);

export function createSrf(): Srf {
  const Ctor = require('drachtio-srf') as SrfCtor;
  return new Ctor();
}

/** What a failed createUAC rejects with: a SIP final response, or something local (no status). */
export interface UacFailure {
  status: number | null;
  reason: string;
  /** Q.850 cause from the response's Reason header. */
  q850: number | null;
}

export function uacFailure(e: unknown): UacFailure {
  if (e && typeof e === 'object' && 'status' in e && typeof (e as { status: unknown }).status === 'number') {
    const err = e as { status: number; reason?: unknown; res?: SrfMessage };
    const reasonHeader = err.res?.get('Reason');
    return { status: err.status, reason: typeof err.reason === 'string' ? err.reason : '', q850: q850FromReasonText(reasonHeader) };
  }
  return { status: null, reason: e instanceof Error ? e.message : String(e), q850: null };
}

/** Q.850 cause from a Reason header value ("Q.850;cause=17;text=..."); null when absent. */
export function q850FromReasonText(v: string | undefined): number | null {
  if (!v) return null;
  for (const part of v.split(',')) {
    if (!/^\s*Q\.850\b/i.test(part)) continue;
    const m = /;\s*cause\s*=\s*(\d{1,3})/i.exec(part);
    if (m) return Number(m[1]);
  }
  return null;
}

interface WireInternals {
  closing?: boolean;
  reconnectVars?: { retryTimer?: NodeJS.Timeout | null };
  socket?: { destroy(): void } | null;
}

/**
 * Disconnect for good. srf.disconnect() leaves drachtio-srf's reconnect loop running when the server
 * was never reached (the process then never exits), so its wire protocol is told to stop as well.
 */
export function stopSrf(srf: Srf): void {
  try { srf.disconnect(); } catch { /* never connected: no socket to end */ }
  const wp = (srf as unknown as { _app?: { client?: { wp?: WireInternals } } })._app?.client?.wp;
  if (!wp) return;
  wp.closing = true;
  if (wp.reconnectVars?.retryTimer) clearTimeout(wp.reconnectVars.retryTimer);
  if (wp.reconnectVars) wp.reconnectVars.retryTimer = null;
  wp.socket?.destroy();
}

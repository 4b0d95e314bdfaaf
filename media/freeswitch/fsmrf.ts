// A typed view of the parts of drachtio-fsmrf this engine uses (the package ships no typings).
// Only this file and sip/drachtio/links.ts know the package's shapes.
import type { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

export interface EslEvent {
  getHeader(name: string): string | undefined;
}

export interface FsEndpoint extends EventEmitter {
  readonly uuid: string;
  readonly local: { sdp: string };
  modify(sdp: string): Promise<unknown>;
  destroy(): Promise<void>;
  play(file: string): Promise<{ playbackSeconds?: string; playbackMilliseconds?: string }>;
  execute(app: string, arg?: string): Promise<EslEvent>;
  api(command: string, args?: string | string[]): Promise<unknown>;
  set(name: string | Record<string, string>, value?: string): Promise<unknown>;
  /** `uuid_bridge` with another endpoint of the same FreeSWITCH. */
  bridge(other: FsEndpoint): Promise<unknown>;
  /** `uuid_transfer -both park`: both channels leave the bridge and stay up. */
  unbridge(): Promise<unknown>;
}

export interface FsMediaServer extends EventEmitter {
  readonly address: string;
  /** Without remoteSdp: a 3pcc endpoint whose local.sdp is FreeSWITCH's offer. */
  createEndpoint(opts?: { codecs?: string[]; headers?: Record<string, string>; remoteSdp?: string }): Promise<FsEndpoint>;
  api(command: string): Promise<string>;
  connected(): boolean;
  disconnect(): void;
}

/** The signalling dialog fsmrf keeps with FreeSWITCH for an endpoint (drachtio-srf's Dialog). */
interface MrfDialog { readonly remote: { sdp: string }; destroy(): Promise<unknown> }

/** drachtio-fsmrf 4.1.2's MediaServer internals used by connectDtlsOffer (the package has no public call for it). */
interface MediaServerInternals {
  srf: { createUAC(uri: string, opts: { headers: Record<string, string>; localSdp: string }): Promise<MrfDialog> };
  sip: { ipv4: { udp: { address?: string } } };
  advertisedAddress: string;
  advertisedPort: number;
  pendingConnections: Map<string, { dialog?: MrfDialog; conn?: unknown; connTimeout?: NodeJS.Timeout; fn?: (conn: unknown) => void }>;
}

export interface FsConnectOptions {
  address: string;
  port: number;
  secret: string;
  /** Where fsmrf listens for FreeSWITCH's outbound event-socket connections (always loopback here). */
  listenAddress: string;
  listenPort?: number;
  profile?: string;
}

export interface Mrf {
  connect(opts: FsConnectOptions): Promise<FsMediaServer>;
}

/**
 * The signalling side drachtio-fsmrf is built on: drachtio-srf's Srf (an EventEmitter). Typed structurally
 * here so that the media side does not import the signalling side (sip/drachtio imports this file).
 */
export type MrfSignalling = EventEmitter;

type MrfCtor = new (srf: MrfSignalling) => Mrf;

const require = createRequire(import.meta.url);

/**
 * An endpoint for an offer that needs a DTLS handshake (a browser's WebRTC offer): FreeSWITCH answers it,
 * `sendAnswer` hands that answer to the offerer (so the handshake can run), and the endpoint exists once
 * FreeSWITCH's event socket for the channel has connected. fsmrf's createEndpoint refuses such offers
 * (it would wait for the channel before the answer could leave); its connectCaller does this for a call
 * coming in only, so this is the same sequence for a call we place. Follows drachtio-fsmrf 4.1.2's
 * MediaServer (pinned in package.json).
 */
export async function connectDtlsOffer(ms: FsMediaServer, offer: string, sendAnswer: (sdp: string) => Promise<unknown>, timeoutMs = 4000): Promise<FsEndpoint> {
  const m = ms as unknown as MediaServerInternals;
  const address = m.sip.ipv4.udp.address;
  if (!address) throw new Error('FreeSWITCH has not told its SIP address yet');
  const EndpointCtor = require('drachtio-fsmrf/lib/endpoint.js') as new (conn: unknown, dialog: MrfDialog, ms: FsMediaServer, opts: object) => FsEndpoint;
  const uuid = randomUUID();
  m.pendingConnections.set(uuid, {});
  let dialog: MrfDialog;
  try {
    dialog = await m.srf.createUAC(`sip:drachtio@${address}`, {
      headers: { 'User-Agent': `drachtio-fsmrf:${uuid}`, 'X-esl-outbound': `${m.advertisedAddress}:${m.advertisedPort}` },
      localSdp: offer,
    });
  } catch (e) {
    m.pendingConnections.delete(uuid);
    throw e;
  }
  const ready = new Promise<FsEndpoint>((resolve, reject) => {
    const produce = (conn: unknown): void => {
      const ep = new EndpointCtor(conn, dialog, ms, {});
      ep.once('ready', () => resolve(ep));
    };
    const pending = m.pendingConnections.get(uuid);
    if (pending?.conn) {
      m.pendingConnections.delete(uuid);
      produce(pending.conn);
      return;
    }
    const entry = pending ?? {};
    entry.dialog = dialog;
    entry.fn = produce;
    entry.connTimeout = setTimeout(() => {
      m.pendingConnections.delete(uuid);
      void dialog.destroy().catch(() => {});
      reject(new Error('FreeSWITCH did not connect the channel (DTLS handshake not completed?)'));
    }, timeoutMs);
    m.pendingConnections.set(uuid, entry);
  });
  try {
    await sendAnswer(dialog.remote.sdp);
  } catch (e) {
    const entry = m.pendingConnections.get(uuid);
    if (entry?.connTimeout) clearTimeout(entry.connTimeout);
    m.pendingConnections.delete(uuid);
    void dialog.destroy().catch(() => {});
    ready.catch(() => {});
    throw e;
  }
  return ready;
}

/** Whether an SDP asks for DTLS-SRTP (a browser's WebRTC offer). */
export function needsDtls(sdp: string): boolean {
  return /^m=audio [^\r\n]*UDP\/TLS\/RTP\/SAVPF?/m.test(sdp) || /^a=fingerprint:/m.test(sdp);
}

export function createMrf(srf: MrfSignalling): Mrf {
  const Ctor = require('drachtio-fsmrf') as MrfCtor;
  return new Ctor(srf);
}

/** FreeSWITCH's DTMF-Source header to the call port's source. */
export function dtmfSourceOf(v: string | undefined): 'rfc4733' | 'inband' | 'info' {
  const s = (v ?? '').toUpperCase();
  if (s === 'INBAND_AUDIO') return 'inband';
  if (s === 'ENDPOINT') return 'info';
  return 'rfc4733';
}

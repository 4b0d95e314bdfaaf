// A typed view of the parts of drachtio-fsmrf this engine uses (the package ships no typings).
// Only this file and sip/drachtio/links.ts know the package's shapes.
import type { EventEmitter } from 'node:events';
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
}

export interface FsMediaServer extends EventEmitter {
  readonly address: string;
  /** Without remoteSdp: a 3pcc endpoint whose local.sdp is FreeSWITCH's offer. */
  createEndpoint(opts?: { codecs?: string[]; headers?: Record<string, string>; remoteSdp?: string }): Promise<FsEndpoint>;
  api(command: string): Promise<string>;
  connected(): boolean;
  disconnect(): void;
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

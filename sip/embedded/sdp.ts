// SDP for one audio stream of G.711 with RFC 4733 events: our offer, parsing the far end's SDP,
// and our answer to a mid-call offer (re-INVITE/UPDATE: session refresh or hold).
import { isIP } from 'node:net';
import { AppError } from '../../core/errors.ts';

export type Codec = 'PCMU' | 'PCMA';
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export const STATIC_PT: Record<Codec, number> = { PCMU: 0, PCMA: 8 };
export const DEFAULT_TELEPHONE_EVENT_PT = 101;

/** What we need from the far end's SDP to send and receive audio. */
export interface RemoteMedia {
  address: string;
  port: number;
  codec: Codec;
  payloadType: number;
  /** Payload type of telephone-event/8000, or null when the far end does not offer RFC 4733. */
  telephoneEventPt: number | null;
  direction: Direction;
  /** The far end put us on hold (c=0.0.0.0, sendonly or inactive). */
  hold: boolean;
  ptime: number | null;
  /** Every payload type offered on the audio line, in order. */
  offeredPts: number[];
}

interface AudioLine {
  port: number;
  fmts: number[];
  address: string | null;
  rtpmap: Map<number, { name: string; rate: number }>;
  direction: Direction | null;
  ptime: number | null;
}

interface ParsedSdp {
  sessionAddress: string | null;
  sessionDirection: Direction | null;
  audio: AudioLine | null;
}

const DIRECTIONS: readonly Direction[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

function sdpError(message: string): AppError {
  return new AppError('E_SDP', message);
}

function parseConnection(value: string): string | null {
  const [net, type, addr] = value.trim().split(/\s+/);
  if (net !== 'IN' || (type !== 'IP4' && type !== 'IP6') || !addr) return null;
  const a = addr.split('/')[0] ?? '';
  return isIP(a) ? a : null;
}

function parseSdp(text: string): ParsedSdp {
  const out: ParsedSdp = { sessionAddress: null, sessionDirection: null, audio: null };
  let inMedia = false;
  let current: AudioLine | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const m = /^([a-z])=(.*)$/.exec(line);
    if (!m) continue;
    const [, type, value = ''] = m;
    if (type === 'm') {
      inMedia = true;
      current = null;
      const mm = /^(\w+)\s+(\d+)(?:\/\d+)?\s+(\S+)\s+(.*)$/.exec(value);
      if (mm && mm[1] === 'audio' && !out.audio && /^RTP\/(S)?AVP/.test(mm[3] ?? '')) {
        current = {
          port: Number(mm[2]),
          fmts: (mm[4] ?? '').trim().split(/\s+/).map(Number).filter((n) => Number.isInteger(n) && n >= 0 && n < 128),
          address: null,
          rtpmap: new Map(),
          direction: null,
          ptime: null,
        };
        out.audio = current;
      }
      continue;
    }
    if (type === 'c') {
      const addr = parseConnection(value);
      if (!inMedia) out.sessionAddress = addr;
      else if (current) current.address = addr;
      continue;
    }
    if (type !== 'a') continue;
    const dir = DIRECTIONS.find((d) => d === value);
    if (dir) {
      if (!inMedia) out.sessionDirection = dir;
      else if (current) current.direction = dir;
      continue;
    }
    if (!current) continue;
    const rtpmap = /^rtpmap:(\d+)\s+([\w.-]+)\/(\d+)/.exec(value);
    if (rtpmap) {
      current.rtpmap.set(Number(rtpmap[1]), { name: (rtpmap[2] ?? '').toLowerCase(), rate: Number(rtpmap[3]) });
      continue;
    }
    const ptime = /^ptime:(\d+)/.exec(value);
    if (ptime) current.ptime = Number(ptime[1]);
  }
  return out;
}

function codecOf(line: AudioLine, pt: number): Codec | null {
  const map = line.rtpmap.get(pt);
  if (map) {
    if (map.rate !== 8000) return null;
    if (map.name === 'pcmu') return 'PCMU';
    if (map.name === 'pcma') return 'PCMA';
    return null;
  }
  // Static payload types need no rtpmap.
  if (pt === 0) return 'PCMU';
  if (pt === 8) return 'PCMA';
  return null;
}

/**
 * Parse the far end's SDP (an answer to our offer, or an offer of theirs) into what our media needs.
 * The codec is the first on their m= line that we support; `prefer` keeps the current codec mid-call.
 * Throws AppError E_SDP when there is no audio stream we can use.
 */
export function parseRemoteSdp(text: string, ours: Codec[], prefer?: Codec): RemoteMedia {
  const sdp = parseSdp(text);
  const audio = sdp.audio;
  if (!audio) throw sdpError('The far end sent no audio stream');
  if (audio.port === 0) throw sdpError('The far end refused the audio stream (port 0)');
  const address = audio.address ?? sdp.sessionAddress;
  if (!address) throw sdpError('The far end sent no connection address');
  const usable = audio.fmts
    .map((pt) => ({ pt, codec: codecOf(audio, pt) }))
    .filter((x): x is { pt: number; codec: Codec } => x.codec !== null && ours.includes(x.codec));
  const chosen = usable.find((x) => x.codec === prefer) ?? usable[0];
  if (!chosen) throw sdpError(`No common codec (they offer ${audio.fmts.join(' ') || 'nothing'}, we support ${ours.join(', ')})`);
  let telephoneEventPt: number | null = null;
  for (const pt of audio.fmts) {
    const map = audio.rtpmap.get(pt);
    if (map && map.name === 'telephone-event' && map.rate === 8000) { telephoneEventPt = pt; break; }
  }
  const direction = audio.direction ?? sdp.sessionDirection ?? 'sendrecv';
  const nullAddress = address === '0.0.0.0' || address === '::';
  return {
    address,
    port: audio.port,
    codec: chosen.codec,
    payloadType: chosen.pt,
    telephoneEventPt,
    direction,
    hold: nullAddress || direction === 'sendonly' || direction === 'inactive',
    ptime: audio.ptime,
    offeredPts: audio.fmts,
  };
}

/** The direction we answer with: mirror theirs; a hold (including c=0.0.0.0) gets recvonly or inactive. */
export function answerDirection(remote: Pick<RemoteMedia, 'direction' | 'address'>): Direction {
  const nullAddress = remote.address === '0.0.0.0' || remote.address === '::';
  switch (remote.direction) {
    case 'sendonly': return 'recvonly';
    case 'recvonly': return nullAddress ? 'inactive' : 'sendonly';
    case 'inactive': return 'inactive';
    default: return nullAddress ? 'recvonly' : 'sendrecv';
  }
}

export interface LocalSdpOptions {
  address: string;
  port: number;
  /** Our codec order (the trunk's preference). */
  codecs: Codec[];
  telephoneEventPt?: number;
  ptimeMs?: number;
  /** o= session id; random when absent. */
  sessionId?: string;
}

/**
 * Our side of one call's SDP. It keeps o= stable and bumps its version only when the body changes,
 * as RFC 3264 asks of repeated offers and answers.
 */
export class LocalSdp {
  private readonly opts: Required<LocalSdpOptions>;
  private version = 1;
  private lastBody: string | null = null;

  constructor(opts: LocalSdpOptions) {
    if (opts.codecs.length === 0) throw sdpError('No codec configured');
    this.opts = {
      telephoneEventPt: DEFAULT_TELEPHONE_EVENT_PT,
      ptimeMs: 20,
      sessionId: String(Math.floor(Math.random() * 1e9) + 1),
      ...opts,
    };
  }

  get port(): number { return this.opts.port; }
  get address(): string { return this.opts.address; }
  get codecs(): Codec[] { return this.opts.codecs; }

  /** Our initial offer: every codec in preference order, telephone-event 0-15, ptime, sendrecv. */
  offer(direction: Direction = 'sendrecv'): string {
    const pts = this.opts.codecs.map((c) => ({ pt: STATIC_PT[c], codec: c }));
    return this.render(pts, this.opts.telephoneEventPt, direction);
  }

  /**
   * Our answer to an offer from the far end (re-INVITE/UPDATE): same port, the negotiated codec
   * (kept when still offered), their telephone-event payload type, and a hold-aware direction.
   */
  answer(offerText: string, current?: Codec): { sdp: string; remote: RemoteMedia } {
    const remote = parseRemoteSdp(offerText, this.opts.codecs, current);
    const sdp = this.render([{ pt: remote.payloadType, codec: remote.codec }], remote.telephoneEventPt, answerDirection(remote));
    return { sdp, remote };
  }

  /** Re-render the last body we sent (for an offerless re-INVITE, whose 200 must carry an offer). */
  current(): string {
    return this.withOrigin(this.lastBody ?? this.bodyOf(this.opts.codecs.map((c) => ({ pt: STATIC_PT[c], codec: c })), this.opts.telephoneEventPt, 'sendrecv'));
  }

  private render(pts: Array<{ pt: number; codec: Codec }>, tePt: number | null, direction: Direction): string {
    const body = this.bodyOf(pts, tePt, direction);
    if (this.lastBody !== null && body !== this.lastBody) this.version++;
    this.lastBody = body;
    return this.withOrigin(body);
  }

  private withOrigin(body: string): string {
    const ipv = isIP(this.opts.address) === 6 ? 'IP6' : 'IP4';
    return `v=0\r\no=- ${this.opts.sessionId} ${this.version} IN ${ipv} ${this.opts.address}\r\n${body}`;
  }

  private bodyOf(pts: Array<{ pt: number; codec: Codec }>, tePt: number | null, direction: Direction): string {
    const ipv = isIP(this.opts.address) === 6 ? 'IP6' : 'IP4';
    const fmts = pts.map((p) => p.pt);
    if (tePt !== null) fmts.push(tePt);
    const lines = [
      's=-',
      `c=IN ${ipv} ${this.opts.address}`,
      't=0 0',
      `m=audio ${this.opts.port} RTP/AVP ${fmts.join(' ')}`,
      ...pts.map((p) => `a=rtpmap:${p.pt} ${p.codec}/8000`),
      ...(tePt !== null ? [`a=rtpmap:${tePt} telephone-event/8000`, `a=fmtp:${tePt} 0-15`] : []),
      `a=ptime:${this.opts.ptimeMs}`,
      `a=${direction}`,
    ];
    return lines.join('\r\n') + '\r\n';
  }
}

/** Build an offer in one call (tests, simple callers). */
export function buildOffer(opts: LocalSdpOptions): string {
  return new LocalSdp(opts).offer();
}

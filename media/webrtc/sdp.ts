// The SDP side of a WebRTC leg: what the box offers (G.711 and telephone-event only, audio only), what it
// accepts from a browser (an encrypted audio section with a G.711 codec and a DTLS fingerprint), and
// the host candidates it gives out (only the address the browser reaches it on).
import { AppError } from '../../core/errors.ts';
import type { G711Law } from '../dsp/g711.ts';
import { RTCRtpCodecParameters } from 'werift';

const LAW_CODEC: Record<G711Law, { mimeType: string; payloadType: number }> = {
  pcmu: { mimeType: 'audio/PCMU', payloadType: 0 },
  pcma: { mimeType: 'audio/PCMA', payloadType: 8 },
};

export const TELEPHONE_EVENT_MIME = 'audio/telephone-event';

/** The codecs a leg negotiates, in order of preference: the laws given, then telephone-event (RFC 4733). */
export function legCodecs(laws: readonly G711Law[]): RTCRtpCodecParameters[] {
  const codecs = laws.map((law) => new RTCRtpCodecParameters({ ...LAW_CODEC[law], clockRate: 8000, channels: 1 }));
  codecs.push(new RTCRtpCodecParameters({ mimeType: TELEPHONE_EVENT_MIME, clockRate: 8000, channels: 1, payloadType: 101, parameters: '0-16' }));
  return codecs;
}

export function lawOfMime(mimeType: string): G711Law | null {
  const m = mimeType.toLowerCase();
  return m === 'audio/pcmu' ? 'pcmu' : m === 'audio/pcma' ? 'pcma' : null;
}

/**
 * Refuses, with the line at fault, a description the leg could not use: no audio section, audio not
 * carried over DTLS-SRTP, no DTLS fingerprint, or none of the G.711 laws the box accepts.
 */
export function checkRemoteSdp(sdp: string, laws: readonly G711Law[], kind: 'offer' | 'answer'): void {
  if (typeof sdp !== 'string' || !sdp.startsWith('v=0')) {
    throw new AppError('E_WEBRTC_SDP', `the browser's ${kind} is not an SDP document (it must start with v=0)`, { field: 'sdp' });
  }
  const lines = sdp.split(/\r?\n/);
  const audioAt = lines.findIndex((l) => l.startsWith('m=audio '));
  if (audioAt < 0) throw new AppError('E_WEBRTC_SDP', `the browser's ${kind} has no audio section (m=audio)`, { field: 'sdp' });
  const m = lines[audioAt].split(' ');
  const proto = m[2] ?? '';
  if (!/^(UDP\/)?TLS\/RTP\/SAVPF?$/.test(proto)) {
    throw new AppError('E_WEBRTC_SDP', `the browser's audio is not DTLS-SRTP (line ${audioAt + 1}: ${proto}); WebRTC audio must be encrypted`, { field: 'sdp', line: audioAt + 1 });
  }
  if (!lines.some((l) => l.startsWith('a=fingerprint:'))) {
    throw new AppError('E_WEBRTC_SDP', `the browser's ${kind} carries no DTLS fingerprint (a=fingerprint)`, { field: 'sdp' });
  }
  const end = lines.findIndex((l, i) => i > audioAt && l.startsWith('m='));
  const section = lines.slice(audioAt, end < 0 ? lines.length : end);
  const pts = m.slice(3);
  const offered = new Set<G711Law>();
  for (const pt of pts) {
    if (pt === '0') offered.add('pcmu');
    if (pt === '8') offered.add('pcma');
    const map = section.find((l) => l.startsWith(`a=rtpmap:${pt} `));
    const law = map ? lawOfMime(`audio/${map.split(' ')[1]?.split('/')[0] ?? ''}`) : null;
    if (law) offered.add(law);
  }
  if (!laws.some((law) => offered.has(law))) {
    throw new AppError('E_WEBRTC_SDP', `the browser's ${kind} offers none of ${laws.map((l) => l.toUpperCase()).join(', ')} (line ${audioAt + 1}); the box carries G.711 only`, { field: 'sdp', line: audioAt + 1 });
  }
}

/** Keeps only the host candidates on `address` (werift also lists the machine's other interfaces). */
export function keepCandidatesOn(sdp: string, address: string): string {
  return sdp
    .split('\r\n')
    .filter((l) => !l.startsWith('a=candidate:') || l.split(' ')[4] === address)
    .join('\r\n');
}

/**
 * Keeps, in the audio section, only what the box will use: the first of `laws` (in the box's order of
 * preference) the far end lists, and telephone-event/8000. So one law is answered, and a browser's
 * telephone-event/48000 (for Opus) is not paired with our 8 kHz one, as werift would by name alone.
 */
export function keepG711Formats(sdp: string, laws: readonly G711Law[]): string {
  const lines = sdp.split('\r\n');
  const at = lines.findIndex((l) => l.startsWith('m=audio '));
  if (at < 0) return sdp;
  let end = lines.findIndex((l, i) => i > at && l.startsWith('m='));
  if (end < 0) end = lines.length;
  const m = lines[at].split(' ');
  const keep = new Set<string>();
  const byLaw = new Map<string, string>();
  for (const pt of m.slice(3)) {
    const map = lines.slice(at, end).find((l) => l.startsWith(`a=rtpmap:${pt} `));
    const name = (map?.split(' ')[1]?.toLowerCase() ?? (pt === '0' ? 'pcmu/8000' : pt === '8' ? 'pcma/8000' : '')).replace(/\/1$/, '');
    if (name === 'telephone-event/8000') keep.add(pt);
    else if ((name === 'pcmu/8000' || name === 'pcma/8000') && !byLaw.has(name)) byLaw.set(name, pt);
  }
  const law = laws.find((l) => byLaw.has(`${l}/8000`));
  if (law === undefined) return sdp; // checkRemoteSdp says what is wrong
  keep.add(byLaw.get(`${law}/8000`) as string);
  const out = lines.map((l, i) => {
    if (i === at) return [...m.slice(0, 3), ...m.slice(3).filter((pt) => keep.has(pt))].join(' ');
    if (i < at || i >= end) return l;
    const fmt = /^a=(rtpmap|fmtp|rtcp-fb):(\d+)[ ]/.exec(l);
    return fmt && !keep.has(fmt[2]) ? null : l;
  });
  return out.filter((l): l is string => l !== null).join('\r\n');
}

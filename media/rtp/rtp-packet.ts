// RTP fixed header (RFC 3550 §5.1): parse into a caller-owned object and write in place, so the
// per-packet path allocates nothing.

export const RTP_HEADER_BYTES = 12;
export const RTP_VERSION = 2;

export interface RtpHeader {
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  /** Where the payload starts (after CSRCs and header extension). */
  payloadOffset: number;
  /** Payload bytes, padding excluded. */
  payloadLength: number;
}

export function emptyRtpHeader(): RtpHeader {
  return { marker: false, payloadType: 0, sequence: 0, timestamp: 0, ssrc: 0, payloadOffset: 0, payloadLength: 0 };
}

/** RTCP shares the port when peers multiplex (RFC 5761): packet types 200-204 sit where RTP has M+PT. */
export function looksLikeRtcp(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[1] >= 192 && buf[1] <= 223;
}

/** Fills `out` from `buf`; false when the datagram is not a well-formed RTP version 2 packet. */
export function parseRtpInto(buf: Uint8Array, out: RtpHeader): boolean {
  const len = buf.length;
  if (len < RTP_HEADER_BYTES) return false;
  const b0 = buf[0];
  if (b0 >> 6 !== RTP_VERSION) return false;
  let offset = RTP_HEADER_BYTES + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (offset + 4 > len) return false;
    offset += 4 + ((buf[offset + 2] << 8) | buf[offset + 3]) * 4;
  }
  let end = len;
  if (b0 & 0x20) {
    const pad = buf[len - 1];
    if (pad === 0) return false;
    end -= pad;
  }
  if (offset > end) return false;
  const b1 = buf[1];
  out.marker = (b1 & 0x80) !== 0;
  out.payloadType = b1 & 0x7f;
  out.sequence = (buf[2] << 8) | buf[3];
  out.timestamp = ((buf[4] << 24) | (buf[5] << 16) | (buf[6] << 8) | buf[7]) >>> 0;
  out.ssrc = ((buf[8] << 24) | (buf[9] << 16) | (buf[10] << 8) | buf[11]) >>> 0;
  out.payloadOffset = offset;
  out.payloadLength = end - offset;
  return true;
}

export function parseRtp(buf: Uint8Array): RtpHeader | null {
  const h = emptyRtpHeader();
  return parseRtpInto(buf, h) ? h : null;
}

/** Writes a 12-byte header without CSRCs or extension at `offset`. */
export function writeRtpHeader(
  buf: Uint8Array,
  h: { marker: boolean; payloadType: number; sequence: number; timestamp: number; ssrc: number },
  offset = 0,
): number {
  buf[offset] = RTP_VERSION << 6;
  buf[offset + 1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  writeSequence(buf, h.sequence, offset);
  writeTimestamp(buf, h.timestamp, offset);
  writeU32(buf, offset + 8, h.ssrc);
  return RTP_HEADER_BYTES;
}

export function writeSequence(buf: Uint8Array, sequence: number, offset = 0): void {
  buf[offset + 2] = (sequence >> 8) & 0xff;
  buf[offset + 3] = sequence & 0xff;
}

export function writeTimestamp(buf: Uint8Array, timestamp: number, offset = 0): void {
  writeU32(buf, offset + 4, timestamp);
}

export function writeMarkerAndType(buf: Uint8Array, marker: boolean, payloadType: number, offset = 0): void {
  buf[offset + 1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
}

function writeU32(buf: Uint8Array, at: number, v: number): void {
  buf[at] = (v >>> 24) & 0xff;
  buf[at + 1] = (v >>> 16) & 0xff;
  buf[at + 2] = (v >>> 8) & 0xff;
  buf[at + 3] = v & 0xff;
}

/** Convenience for tests and rare paths: a fresh Buffer holding header and payload. */
export function buildRtpPacket(
  h: { marker?: boolean; payloadType: number; sequence: number; timestamp: number; ssrc: number },
  payload: Uint8Array,
): Buffer {
  const buf = Buffer.allocUnsafe(RTP_HEADER_BYTES + payload.length);
  writeRtpHeader(buf, { marker: h.marker ?? false, payloadType: h.payloadType, sequence: h.sequence, timestamp: h.timestamp, ssrc: h.ssrc });
  buf.set(payload, RTP_HEADER_BYTES);
  return buf;
}

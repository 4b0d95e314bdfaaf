// G.711 mu-law (PCMU) and A-law (PCMA), table-driven: every Int16 value maps to its byte through a
// 64 KiB table built once at load, and every byte to its Int16 through a 256-entry table.

export type G711Law = 'pcmu' | 'pcma';

/** Static RTP payload types of RFC 3551. */
export const PT_PCMU = 0;
export const PT_PCMA = 8;

/** The byte each law uses for digital silence (what a PBX sends when nothing plays). */
export const SILENCE_BYTE: Readonly<Record<G711Law, number>> = { pcmu: 0xff, pcma: 0xd5 };

const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32635;

function ulawEncodeSlow(sample: number): number {
  let s = sample;
  const sign = s < 0 ? 0x80 : 0;
  if (sign) s = -s;
  if (s > ULAW_CLIP) s = ULAW_CLIP;
  s += ULAW_BIAS;
  // exponent = index of the highest set bit above bit 7 (s is in 132..32767)
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function ulawDecodeSlow(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = (((u & 0x0f) << 3) + ULAW_BIAS) << exponent;
  return u & 0x80 ? ULAW_BIAS - magnitude : magnitude - ULAW_BIAS;
}

function alawEncodeSlow(sample: number): number {
  const positive = sample >= 0;
  // A-law is defined on 13-bit magnitudes; -1 and 0 share the smallest step on either side.
  const m = (positive ? sample : -sample - 1) >> 3;
  let exponent: number;
  let mantissa: number;
  if (m < 32) {
    exponent = 0;
    mantissa = m >> 1;
  } else {
    exponent = 1;
    for (let v = m >> 6; v > 0; v >>= 1) exponent++;
    mantissa = (m >> exponent) & 0x0f;
  }
  return ((positive ? 0x80 : 0) | (exponent << 4) | mantissa) ^ 0x55;
}

function alawDecodeSlow(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

// Encode tables are indexed by the sample's 16-bit two's-complement pattern (sample & 0xffff).
const ULAW_ENCODE = new Uint8Array(65536);
const ALAW_ENCODE = new Uint8Array(65536);
const ULAW_DECODE = new Int16Array(256);
const ALAW_DECODE = new Int16Array(256);

for (let i = 0; i < 65536; i++) {
  const sample = i < 32768 ? i : i - 65536;
  ULAW_ENCODE[i] = ulawEncodeSlow(sample);
  ALAW_ENCODE[i] = alawEncodeSlow(sample);
}
for (let b = 0; b < 256; b++) {
  ULAW_DECODE[b] = ulawDecodeSlow(b);
  ALAW_DECODE[b] = alawDecodeSlow(b);
}

export function ulawEncodeSample(sample: number): number {
  return ULAW_ENCODE[sample & 0xffff];
}
export function ulawDecodeSample(byte: number): number {
  return ULAW_DECODE[byte & 0xff];
}
export function alawEncodeSample(sample: number): number {
  return ALAW_ENCODE[sample & 0xffff];
}
export function alawDecodeSample(byte: number): number {
  return ALAW_DECODE[byte & 0xff];
}

function encodeWith(table: Uint8Array, pcm: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = table[pcm[i] & 0xffff];
  return out;
}

function decodeWith(table: Int16Array, bytes: Uint8Array, out: Int16Array, offset: number): Int16Array {
  for (let i = 0; i < bytes.length; i++) out[offset + i] = table[bytes[i]];
  return out;
}

export function ulawEncode(pcm: Int16Array): Buffer {
  return encodeWith(ULAW_ENCODE, pcm);
}
export function ulawDecode(bytes: Uint8Array): Int16Array {
  return decodeWith(ULAW_DECODE, bytes, new Int16Array(bytes.length), 0);
}
export function alawEncode(pcm: Int16Array): Buffer {
  return encodeWith(ALAW_ENCODE, pcm);
}
export function alawDecode(bytes: Uint8Array): Int16Array {
  return decodeWith(ALAW_DECODE, bytes, new Int16Array(bytes.length), 0);
}

export function encodeG711(law: G711Law, pcm: Int16Array): Buffer {
  return law === 'pcmu' ? ulawEncode(pcm) : alawEncode(pcm);
}
export function decodeG711(law: G711Law, bytes: Uint8Array): Int16Array {
  return law === 'pcmu' ? ulawDecode(bytes) : alawDecode(bytes);
}

/** Decodes into a caller-owned array (no allocation); `out` must hold offset + bytes.length samples. */
export function decodeG711Into(law: G711Law, bytes: Uint8Array, out: Int16Array, offset = 0): Int16Array {
  return decodeWith(law === 'pcmu' ? ULAW_DECODE : ALAW_DECODE, bytes, out, offset);
}

export function lawForPayloadType(pt: number): G711Law | null {
  return pt === PT_PCMU ? 'pcmu' : pt === PT_PCMA ? 'pcma' : null;
}
export function payloadTypeForLaw(law: G711Law): number {
  return law === 'pcmu' ? PT_PCMU : PT_PCMA;
}

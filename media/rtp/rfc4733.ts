// RFC 4733 telephone-event payload for DTMF: the sender's packet plan for one digit, and a receiver
// that reports each key press once whatever happens to its packets (duplicates, lost start, repeated
// end packets, reordering).

const DIGITS = '0123456789*#ABCD';

/** Event code of a DTMF key (0-9, * = 10, # = 11, A-D = 12-15), or null. */
export function eventForDigit(digit: string): number | null {
  const i = digit.length === 1 ? DIGITS.indexOf(digit.toUpperCase()) : -1;
  return i >= 0 ? i : null;
}

export function digitForEvent(code: number): string | null {
  return code >= 0 && code < 16 ? DIGITS[code] : null;
}

export const TELEPHONE_EVENT_BYTES = 4;
/** Longest event one packet can describe (16-bit duration at 8 kHz). */
export const MAX_EVENT_MS = 8000;

export interface TelephoneEvent {
  event: number;
  end: boolean;
  /** Power level as -dBm0 (0..63). */
  volume: number;
  /** Duration so far, in timestamp units. */
  duration: number;
}

export function parseTelephoneEvent(buf: Uint8Array, offset: number, length: number): TelephoneEvent | null {
  if (length < TELEPHONE_EVENT_BYTES) return null;
  return {
    event: buf[offset],
    end: (buf[offset + 1] & 0x80) !== 0,
    volume: buf[offset + 1] & 0x3f,
    duration: (buf[offset + 2] << 8) | buf[offset + 3],
  };
}

export function writeTelephoneEvent(buf: Uint8Array, offset: number, ev: TelephoneEvent): number {
  buf[offset] = ev.event & 0xff;
  buf[offset + 1] = (ev.end ? 0x80 : 0) | (ev.volume & 0x3f);
  buf[offset + 2] = (ev.duration >> 8) & 0xff;
  buf[offset + 3] = ev.duration & 0xff;
  return TELEPHONE_EVENT_BYTES;
}

export interface EventPacket {
  /** Set on the first packet of the event only. */
  marker: boolean;
  end: boolean;
  /** Duration field in timestamp units. */
  duration: number;
}

/**
 * The packets for one key press, one per packet interval, all carrying the event's start timestamp:
 * growing durations, then the final duration with the end bit, sent `endRepeats` times (RFC 4733 §2.5.1.4).
 */
export function planDigitEvent(durationMs: number, opts: { packetMs?: number; sampleRate?: number; endRepeats?: number } = {}): EventPacket[] {
  const packetMs = opts.packetMs ?? 20;
  const rate = opts.sampleRate ?? 8000;
  const endRepeats = opts.endRepeats ?? 3;
  const ms = Math.min(Math.max(durationMs, packetMs), MAX_EVENT_MS);
  const step = (packetMs * rate) / 1000;
  const total = Math.min(Math.round((ms * rate) / 1000), 0xffff);
  const plan: EventPacket[] = [];
  for (let d = step; d < total; d += step) plan.push({ marker: plan.length === 0, end: false, duration: d });
  for (let i = 0; i < endRepeats; i++) plan.push({ marker: plan.length === 0, end: true, duration: total });
  return plan;
}

interface SeenEvent {
  timestamp: number;
  event: number;
  ended: boolean;
  duration: number;
}

/**
 * Reports a digit on the first packet of an event it has not seen yet (an event is its RTP timestamp
 * plus code), so a lost start packet only delays the report to the next packet. Remembers a few recent
 * events so late duplicates and reordered packets of an earlier event are ignored.
 */
export class Rfc4733Receiver {
  private readonly recent: SeenEvent[] = [];
  private readonly memory: number;

  constructor(memory = 8) {
    this.memory = memory;
  }

  /** Feed the payload of a telephone-event packet; returns the digit when a new key press starts. */
  push(timestamp: number, payload: Uint8Array, offset = 0, length = payload.length - offset): string | null {
    const ev = parseTelephoneEvent(payload, offset, length);
    if (!ev) return null;
    for (const seen of this.recent) {
      if (seen.timestamp === timestamp && seen.event === ev.event) {
        if (ev.end) seen.ended = true;
        if (ev.duration > seen.duration) seen.duration = ev.duration;
        return null;
      }
    }
    const last = this.recent[this.recent.length - 1];
    // A press longer than one packet can describe continues in a new segment whose timestamp follows on.
    const continuation =
      last !== undefined && last.event === ev.event && !last.ended && ((last.timestamp + last.duration) >>> 0) === timestamp;
    this.recent.push({ timestamp, event: ev.event, ended: ev.end, duration: ev.duration });
    if (this.recent.length > this.memory) this.recent.shift();
    if (continuation) return null;
    return digitForEvent(ev.event);
  }

  reset(): void {
    this.recent.length = 0;
  }
}

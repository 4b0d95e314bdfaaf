// What the sandbox saw of every INVITE, and the JSON-lines log that outlives the box under test: one
// "invite" line when an INVITE arrives and one "end" line when its call is over, appended as they happen.
import { closeSync, openSync, readFileSync, writeSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Behaviour } from './mix.ts';

export type EndedBy = 'caller' | 'callee' | 'network';

export interface HeardAudio {
  /** Milliseconds of speech-level audio received from the caller. */
  speechMs: number;
  /** First speech after the answer, in ms from the answer. */
  firstSpeechMs: number | null;
  /** Voicemail: end of the beep, in ms from the answer. */
  beepEndMs: number | null;
  /** Voicemail: start of the caller's message minus the end of the beep (negative: spoke over the greeting). */
  messageStartAfterBeepMs: number | null;
  /** Voicemail: true when the message started after the beep had ended (to within one 20 ms packet). */
  startedAfterBeep: boolean | null;
  /** Voicemail: ms of speech received before the beep ended. */
  speechBeforeBeepMs: number | null;
}

export interface SandboxCallRecord {
  /** 1, 2, 3... in order of arrival in this run. */
  seq: number;
  callId: string;
  /** E.164 with '+'; null when the Request-URI user was not a phone number (answered 484). */
  number: string | null;
  requestUri: string;
  source: { address: string; port: number; transport: string };
  /** Null when no number could be read. */
  behaviour: Behaviour | null;
  baseBehaviour: Behaviour | null;
  /** INVITEs to this number so far in this run, this one included. */
  attempt: number;
  /** Wall clock (ISO and epoch ms) and monotonic ms since the sandbox started. */
  inviteAt: string;
  inviteWallMs: number;
  inviteMonoMs: number;
  /** The final response we sent to the INVITE (200 when answered); null until then. */
  finalCode: number | null;
  finalMonoMs: number | null;
  answeredMonoMs: number | null;
  endedAt: string | null;
  endedMonoMs: number | null;
  /** caller = the box (BYE, CANCEL); callee = the simulated person or machine; network = the sandbox itself. */
  endedBy: EndedBy | null;
  /**
   * caller: 'bye', 'cancel'. callee: 'busy', 'declined', 'message-ended', 'done-after-key', 'no-speech',
   * 'message-recorded', 'no-message', 'max-length', 'max-duration', 'hung-up-midway' (a person following a flow). network: 'invalid-number',
   * 'not-a-number', 'sdp: ...', 'no-answer-timeout', 'no-ack', 'rtp-timeout', 'no-rtp-port', 'sandbox-stopped'.
   */
  endReason: string | null;
  codec: 'PCMU' | 'PCMA' | null;
  /** Keys the simulated person pressed, and how they were sent. */
  dtmfSent: string;
  dtmfMode: 'rfc4733' | 'inband' | null;
  /** RFC 4733 keys received from the caller. */
  dtmfReceived: string;
  /** Turns the person took (keys pressed, silences, spoken answers: plan.turns), and ms of speech they sent as answers. */
  turnsTaken: number;
  spokeMs: number;
  heard: HeardAudio;
  rtp: { sent: number; received: number };
}

export type LogLine = ({ type: 'invite' } | { type: 'end' }) & SandboxCallRecord;

export function emptyHeard(): HeardAudio {
  return { speechMs: 0, firstSpeechMs: null, beepEndMs: null, messageStartAfterBeepMs: null, startedAfterBeep: null, speechBeforeBeepMs: null };
}

/** Appends one JSON line per event; each write is a single append, so a line is never torn by a crash of the box. */
export class RecordLog {
  private fd: number | null = null;
  constructor(private readonly file: string) {}

  open(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    this.fd = openSync(this.file, 'a');
  }

  write(type: 'invite' | 'end', record: SandboxCallRecord): void {
    if (this.fd === null) return;
    writeSync(this.fd, JSON.stringify({ type, ...record }) + '\n');
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Parse a sandbox log; a last line cut short (the sandbox itself killed mid-write) is skipped. */
export function readSandboxLog(file: string): LogLine[] {
  if (!existsSync(file)) return [];
  const out: LogLine[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as LogLine;
      if (v.type === 'invite' || v.type === 'end') out.push(v);
    } catch {
      // torn last line
    }
  }
  return out;
}

/** INVITEs received per number, from a log (what a crash-safety test counts). */
export function invitesPerNumber(file: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of readSandboxLog(file)) if (l.type === 'invite' && l.number) m.set(l.number, (m.get(l.number) ?? 0) + 1);
  return m;
}

/**
 * The most INVITEs that arrived within any window of `windowMs` (sliding, by monotonic arrival time):
 * what a calls-per-second cap is checked against, measured at the network rather than at the box.
 */
export function maxInvitesInWindow(records: ReadonlyArray<Pick<SandboxCallRecord, 'inviteMonoMs'>>, windowMs = 1000): number {
  const t = records.map((r) => r.inviteMonoMs).sort((a, b) => a - b);
  let best = 0;
  for (let lo = 0, hi = 0; hi < t.length; hi++) {
    while (t[hi]! - t[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

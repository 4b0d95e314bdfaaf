// The callee's audio out of FreeSWITCH, for the box's own answering-machine and beep detectors.
// FreeSWITCH records the endpoint's read stream (what the far end sends it) to a WAV file with
// RECORD_READ_ONLY; this reader follows the growing file and hands over 16-bit PCM as it lands.
// Timing comes from the sample count, not the clock, so read delays do not move the reported ms.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FsEndpoint } from './fsmrf.ts';
import { freeswitchDirs } from './work-dirs.ts';

export interface AudioTapOptions {
  /** Folder both FreeSWITCH and this process can write and read. */
  dir?: string;
  /** How often the file is read (ms). */
  pollMs?: number;
}

/**
 * Where FreeSWITCH writes the taps. Under systemd both services have a private /tmp, and FreeSWITCH
 * may only write its own state folder (which the box can read): use that when it exists; otherwise
 * the engine's folder in the box's state folder (never a fixed name under the system's temp folder).
 * APPLIANCE_FS_TAP_DIR overrides.
 */
export function defaultTapDir(stateDir?: string): string {
  const env = process.env.APPLIANCE_FS_TAP_DIR;
  if (env) return env;
  const fsState = '/var/lib/freeswitch/storage';
  if (fs.existsSync(fsState)) return path.join(fsState, 'vba-tap');
  return freeswitchDirs(stateDir).tap;
}

/** Where the PCM data starts in a WAV file written so far; null while the header is incomplete. */
export function wavDataOffset(head: Buffer): number | null {
  if (head.length < 12) return null;
  if (head.toString('latin1', 0, 4) !== 'RIFF') return 0; // headerless raw PCM
  let at = 12;
  while (at + 8 <= head.length) {
    const id = head.toString('latin1', at, at + 4);
    const size = head.readUInt32LE(at + 4);
    if (id === 'data') return at + 8;
    at += 8 + size + (size & 1);
  }
  return null;
}

export class AudioTap {
  readonly file: string;
  private readonly ep: FsEndpoint;
  private readonly pollMs: number;
  private fd: number | null = null;
  private pos = 0;
  private dataAt: number | null = null;
  private carry: Buffer = Buffer.alloc(0);
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private reading = false;
  private prepared: Promise<void> | null = null;
  /** A recording was asked for (nothing to stop otherwise). */
  private requested = false;

  constructor(ep: FsEndpoint, private readonly onAudio: (pcm: Int16Array) => void, o: AudioTapOptions = {}) {
    this.ep = ep;
    const dir = o.dir ?? defaultTapDir();
    // FreeSWITCH makes the folder itself when the box may not (a folder only FreeSWITCH can write);
    // otherwise writable by the box's group (FreeSWITCH's user is in it), nobody else.
    try { fs.mkdirSync(dir, { recursive: true, mode: 0o1770 }); } catch { /* left to FreeSWITCH */ }
    this.file = path.join(dir, `${randomUUID()}.wav`);
    this.pollMs = o.pollMs ?? 20;
  }

  /**
   * Set the recording's channel variables. Callable before the call is answered, so that `start()`
   * at the answer is a single API round trip.
   */
  prepare(): Promise<void> {
    // API commands, not dialplan applications: those would queue behind a prompt being played.
    // FreeSWITCH buffers a recording by default (64 kB of file writes, 25 frames in the media bug):
    // seconds of delay before a beep could be heard; both are turned down to one frame here.
    const vars = ['RECORD_READ_ONLY=true', 'RECORD_STEREO=false', 'record_sample_rate=8000', 'enable_file_write_buffering=false', 'RECORD_PRE_BUFFER_FRAMES=1'];
    this.prepared ??= this.ep.api('uuid_setvar_multi', `${this.ep.uuid} ${vars.join(';')}`).then(() => undefined);
    return this.prepared;
  }

  /** Ask FreeSWITCH to record what the far end sends, then follow the file. Rejects on "-ERR …". */
  async start(): Promise<void> {
    await this.prepare();
    if (this.stopped || this.timer) return;
    this.requested = true;
    const r = await this.ep.api('uuid_record', `${this.ep.uuid} start ${this.file}`);
    const body = typeof r === 'object' && r !== null && 'body' in r ? String((r as { body: unknown }).body) : String(r ?? '');
    if (body.startsWith('-ERR')) throw new Error(`uuid_record: ${body.trim()}`);
    if (this.stopped || this.timer) return;
    this.timer = setInterval(() => this.poll(), this.pollMs);
  }

  /** Stop recording and reading, remove the file. Safe to call twice or after the call ended. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.requested) await this.ep.api('uuid_record', `${this.ep.uuid} stop ${this.file}`).catch(() => {});
    if (this.fd !== null) fs.close(this.fd, () => {});
    this.fd = null;
    fs.rm(this.file, { force: true }, () => {});
  }

  private poll(): void {
    if (this.reading || this.stopped) return;
    this.reading = true;
    try {
      if (this.fd === null) {
        try { this.fd = fs.openSync(this.file, 'r'); } catch { return; } // not created yet
      }
      const chunk = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = fs.readSync(this.fd, chunk, 0, chunk.length, this.pos);
        if (n <= 0) break;
        this.pos += n;
        this.consume(Buffer.from(chunk.subarray(0, n)));
        if (n < chunk.length) break;
      }
    } finally {
      this.reading = false;
    }
  }

  private consume(b: Buffer): void {
    let data = this.carry.length ? Buffer.concat([this.carry, b]) : b;
    if (this.dataAt === null) {
      const at = wavDataOffset(data);
      if (at === null) { this.carry = data; return; }
      this.dataAt = at;
      data = data.subarray(at);
    }
    const usable = data.length - (data.length % 2);
    this.carry = Buffer.from(data.subarray(usable));
    if (usable === 0) return;
    const pcm = new Int16Array(usable / 2);
    for (let i = 0; i < pcm.length; i++) pcm[i] = data.readInt16LE(i * 2);
    this.onAudio(pcm);
  }
}

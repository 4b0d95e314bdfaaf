// Feeds a call's received audio to answering-machine detection and, for a machine, to the voicemail
// drop timing (beep or end of greeting). The detectors want 20 ms frames; peers with another ptime
// are re-framed here.
import type { EventEmitter } from 'node:events';
import type { AmdOptions, CallEvents } from '../../core/call-port.ts';
import type { Logger } from '../../core/log.ts';
import { AnsweringMachineDetector, resolveAmdOptions, type AmdVerdict } from '../../media/dsp/amd.ts';
import { VoicemailDrop } from '../../media/dsp/beep-drop.ts';

const FRAME = 160;

export interface AmdFeedEvents {
  verdict(v: AmdVerdict): void;
  /** The machine is recording: leave the message now. */
  beep(ms: number): void;
}

export class AmdFeed {
  private readonly amd: AnsweringMachineDetector;
  private readonly drop: VoicemailDrop;
  private readonly on: AmdFeedEvents;
  private readonly buf = new Int16Array(FRAME);
  private fill = 0;
  private machine = false;
  private finished = false;

  constructor(opts: AmdOptions | boolean, on: AmdFeedEvents) {
    const o = resolveAmdOptions(opts);
    this.amd = new AnsweringMachineDetector(o);
    this.drop = new VoicemailDrop({ beepTimeoutMs: o.beepTimeoutMs });
    this.on = on;
  }

  /** False once nothing more will come of it (a person, or the machine's beep was found). */
  get active(): boolean {
    return !this.finished;
  }

  push(pcm: Int16Array): void {
    let i = 0;
    while (i < pcm.length && !this.finished) {
      const n = Math.min(FRAME - this.fill, pcm.length - i);
      this.buf.set(pcm.subarray(i, i + n), this.fill);
      this.fill += n;
      i += n;
      if (this.fill === FRAME) {
        this.fill = 0;
        this.frame(this.buf);
      }
    }
  }

  private frame(f: Int16Array): void {
    const d = this.drop.push(f);
    if (d?.action === 'start' && this.machine) return this.beep(d.atMs);
    if (this.machine) return;
    const v = this.amd.push(f);
    if (!v) return;
    this.on.verdict(v);
    if (v.verdict !== 'machine') {
      this.finished = true;
      return;
    }
    this.machine = true;
    const now = this.drop.arm();
    if (now?.action === 'start') this.beep(now.atMs);
  }

  private beep(ms: number): void {
    this.finished = true;
    this.on.beep(ms);
  }
}

/** A call's feed, as both engines wire it: the verdict logged and emitted as 'amd', the beep as 'beep'. */
export function callAmdFeed(opts: AmdOptions | boolean, log: Logger, call: Pick<EventEmitter<CallEvents>, 'emit'>): AmdFeed {
  return new AmdFeed(opts, {
    verdict: (v) => {
      log.info({ verdict: v.verdict, reason: v.reason, ms: v.ms }, 'answering-machine detection');
      call.emit('amd', { verdict: v.verdict, confidence: v.confidence, ms: v.ms });
    },
    beep: (ms) => call.emit('beep', { ms }),
  });
}

// Logging of refused SIP requests, bounded whatever arrives: the first refusal from a source in an
// interval is logged, the rest are counted and summed in one line when the interval ends. UDP
// sources can be spoofed, so the number of sources logged one by one per interval is capped too;
// beyond it, requests are summed in a single line. A flood of 200,000 requests makes a handful of
// lines, not 200,000. Both engines' guard paths (non-trunk sources) and their refusals of trunk
// requests (we are outbound-only) go through one instance per engine.
import type { Logger } from '../../core/log.ts';

export interface RefusalLogOptions {
  logger: Logger;
  /** Length of an interval; default 60 s. */
  intervalMs?: number;
  /** Sources logged one by one per interval; requests from more sources are summed. Default 100. */
  maxSources?: number;
}

export interface Refusal {
  method: string;
  /** Why, in a word: 'not-a-trunk', 'outbound-only', 'registration-refused', 'method-not-allowed'. */
  reason: string;
  /** The status answered; null when nothing was answered (silence, or the reply rate was exceeded). */
  status: number | null;
}

interface SourceTally {
  count: number;
  methods: Record<string, number>;
}

export const DEFAULT_REFUSAL_INTERVAL_MS = 60_000;

export class RefusalLog {
  private readonly log: Logger;
  private readonly intervalMs: number;
  private readonly maxSources: number;
  private sources = new Map<string, SourceTally>();
  private overflow = 0;
  private timer: NodeJS.Timeout | null = null;
  private total = 0;

  constructor(o: RefusalLogOptions) {
    this.log = o.logger;
    this.intervalMs = o.intervalMs ?? DEFAULT_REFUSAL_INTERVAL_MS;
    this.maxSources = o.maxSources ?? 100;
  }

  /** Requests refused since the engine started. */
  get refused(): number {
    return this.total;
  }

  note(source: string, r: Refusal): void {
    this.total++;
    if (this.timer === null) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      this.timer.unref();
    }
    const tally = this.sources.get(source);
    if (tally) {
      tally.count++;
      tally.methods[r.method] = (tally.methods[r.method] ?? 0) + 1;
      return;
    }
    if (this.sources.size < this.maxSources) {
      this.sources.set(source, { count: 1, methods: { [r.method]: 1 } });
      this.log.warn({ source, method: r.method, reason: r.reason, status: r.status, intervalSec: this.intervalMs / 1000 },
        'refused a SIP request (more from this source are counted and summed when the interval ends)');
      return;
    }
    if (this.overflow++ === 0) {
      this.log.warn({ maxSources: this.maxSources, intervalSec: this.intervalMs / 1000 },
        'refused SIP requests from more sources than are logged one by one: the rest are summed when the interval ends');
    }
  }

  /** Ends the interval now: one summary line per source refused more than once, one for the rest. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const intervalSec = this.intervalMs / 1000;
    for (const [source, t] of this.sources) {
      if (t.count > 1) this.log.warn({ source, refused: t.count, methods: t.methods, intervalSec }, 'refused SIP requests from a source (summary of the interval)');
    }
    if (this.overflow > 0) this.log.warn({ refused: this.overflow, intervalSec }, 'refused SIP requests from sources beyond those logged one by one (summary of the interval)');
    this.sources = new Map();
    this.overflow = 0;
  }

  /** Engine stop: the last interval's summaries, and no timer left behind. */
  close(): void {
    this.flush();
  }
}

// The long parts of a campaign's life cycle, done in the background in short chunks so that the box's
// one event loop (HTTP, the dialer, and the embedded engine's media clock) never stalls on a big list:
// marking the contacts of a stopped campaign as stopped, making those of a campaign whose windows changed
// due again (and, for tests and tools, copying the rest of
// a started campaign's list at once; the box lets the dialer copy it as it goes, CampaignsRepo.due).
// Each chunk is one transaction that moves its own cursor, so a kill -9 leaves the work where the last
// commit put it and `resume()` carries on at boot.
import type { Db } from '../store/db.ts';
import type { Logger } from '../../core/log.ts';
import type { CampaignsRepo } from '../store/campaigns-repo.ts';

export interface ListCopyDeps {
  db: Db;
  repo: CampaignsRepo;
  logger?: Logger;
  now: () => number;
  /** A campaign's counters changed (live feed) or its first contacts became due (dialer). */
  onProgress?: (campaignId: number) => void;
  /** Longest a chunk should hold the event loop, in ms (default 4). */
  budgetMs?: number;
}

const MIN_ROWS = 64;
const MAX_ROWS = 20_000;

export class ListCopier {
  private readonly running = new Map<string, Promise<void>>();
  private closed = false;
  private rows = 500;
  /**
   * Chunks done, and the longest one: the ms of the event loop it held, and the CPU ms it used (the
   * same on a quiet machine; on a loaded one the first also counts time the process was not scheduled). For the bench.
   */
  readonly stats = { chunks: 0, maxChunkMs: 0, maxChunkCpuMs: 0 };

  constructor(private readonly deps: ListCopyDeps) {}

  /**
   * After a restart: carry on with stops still sweeping. (A start's list needs nothing: its contacts
   * join the ledger as the dialer reaches them, from the cursor the last commit left.)
   */
  resume(): void {
    for (const id of this.deps.repo.stopsInProgress()) void this.sweep(id);
    for (const id of this.deps.repo.reschedulesInProgress()) void this.reschedule(id);
  }

  /** Make a paused campaign's contacts put off under its old windows due again (CampaignsRepo.rescheduleChunk). */
  reschedule(campaignId: number): Promise<void> {
    return this.loop(`reschedule:${campaignId}`, campaignId, (rows) => this.deps.repo.rescheduleChunk(campaignId, rows));
  }

  /**
   * Copy the whole rest of a started campaign's list into its ledger now, in chunks that yield; resolves
   * when it is all there. The box does not need it (the dialer copies as it goes): tests and tools do.
   */
  copy(campaignId: number): Promise<void> {
    return this.loop(`copy:${campaignId}`, campaignId, (rows) => this.deps.repo.copyChunk(campaignId, rows));
  }

  /** Mark the rest of a stopped campaign's contacts still to call as stopped. */
  sweep(campaignId: number): Promise<void> {
    return this.loop(`stop:${campaignId}`, campaignId, (rows) => {
      const n = this.deps.repo.stopSweep(campaignId, this.deps.now(), rows);
      return { copied: n, done: n < rows };
    });
  }

  /** Let the chunk in progress finish and start no other (the box is stopping; resume() goes on at boot). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.running.values()]);
  }

  /** Work in progress, by key (`copy:<id>`, `stop:<id>`, `reschedule:<id>`): for tests and the bench. */
  get busy(): string[] {
    return [...this.running.keys()];
  }

  private loop(key: string, campaignId: number, chunk: (rows: number) => { copied: number; done: boolean }): Promise<void> {
    const existing = this.running.get(key);
    if (existing) return existing;
    const work = (async () => {
      const budget = this.deps.budgetMs ?? 4;
      let total = 0;
      const began = performance.now();
      while (!this.closed) {
        // Let timers, I/O and requests run between two chunks.
        await new Promise<void>((r) => setImmediate(r));
        if (this.closed || !this.deps.db.open) return;
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        const r = this.relaxed(() => chunk(this.rows));
        const ms = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        this.stats.maxChunkCpuMs = Math.max(this.stats.maxChunkCpuMs, (cpu.user + cpu.system) / 1000);
        total += r.copied;
        this.stats.chunks++;
        this.stats.maxChunkMs = Math.max(this.stats.maxChunkMs, ms);
        // Size the next chunk so that it takes about the budget on this machine, under its current load.
        if (r.copied > 0) this.rows = Math.max(MIN_ROWS, Math.min(MAX_ROWS, Math.round((r.copied / Math.max(ms, 0.05)) * budget)));
        else if (ms > budget) this.rows = Math.max(MIN_ROWS, Math.round(this.rows / 2));
        if (r.done) break;
      }
      this.deps.logger?.info({ campaignId, work: key.split(':')[0], rows: total, ms: Math.round(performance.now() - began) }, 'campaign list work done');
      this.deps.onProgress?.(campaignId);
    })().catch((e: unknown) => {
      this.deps.logger?.error({ campaignId, work: key, err: (e as Error).message }, 'campaign list work failed; it resumes at the next start of the box');
    }).finally(() => {
      this.running.delete(key);
    });
    this.running.set(key, work);
    return work;
  }

  /**
   * A chunk's commit without its own fsync: nothing in it is acknowledged to anyone, and the next
   * synchronous=FULL commit (an attempt's intent, any ledger write) syncs the WAL up to it, so a
   * contact is never dialled from a chunk a power cut could lose. A power cut loses at most the last
   * chunks, cursor included, and resume() does them again.
   */
  private relaxed<T>(f: () => T): T {
    const db = this.deps.db;
    db.pragma('synchronous = NORMAL');
    try {
      return f();
    } finally {
      db.pragma('synchronous = FULL');
    }
  }
}

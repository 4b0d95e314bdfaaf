// Ingest: every inbound message is parsed at the edge, queued, and written in batches (one
// transaction per batch, the next batch filling while one commits); the broker gets its PUBACKs only
// after the commit. Output: what the batch asks to publish (relayed opt-outs, commands for a box that
// came back).
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { DeferredAcks, type Held } from './broker.ts';
import { BadMessage, parseInbound, type Inbound } from './inbound.ts';
import type { FleetStore } from './store/fleet-store.ts';
import type { BatchResult } from './store/ingest-tx.ts';

interface Queued { inbound: Inbound | null; held: Held | null; receivedAt: number }

export interface IngestStats { received: number; stored: number; duplicates: number; dropped: number; batches: number }

export class Ingest {
  private queue: Queued[] = [];
  private flushing = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  readonly stats: IngestStats = { received: 0, stored: 0, duplicates: 0, dropped: 0, batches: 0 };

  constructor(private readonly deps: {
    client: MqttClient;
    store: FleetStore;
    logger: Logger;
    onBatch: (r: BatchResult) => void;
    maxBatch?: number;
    /** Called after a batch commits, with its messages (the bench measures publish-to-row lag). */
    onCommitted?: (items: Inbound[], committedAt: number) => void;
  }) {}

  start(): void {
    const acks = new DeferredAcks(this.deps.client);
    this.deps.client.handleMessage = (packet, done) => {
      const held = acks.hold(packet);
      let inbound: Inbound | null = null;
      try {
        inbound = parseInbound(packet.topic, packet.payload as Buffer, packet.properties?.correlationData);
      } catch (e) {
        if (!(e instanceof BadMessage)) throw e;
        this.stats.dropped += 1;
        this.deps.logger.warn({ reason: e.message }, 'fleet message dropped');
      }
      this.stats.received += 1;
      this.queue.push({ inbound, held, receivedAt: Date.now() });
      this.kick();
      done();
    };
  }

  /** Stops taking batches; what is queued and not committed is simply not acknowledged (redelivered). */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  /** Resolves when everything received so far is committed (tests, clean stop). */
  async drained(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((this.queue.length > 0 || this.flushing) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  }

  private kick(): void {
    if (!this.flushing && !this.stopped && !this.retryTimer) setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.stopped) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const batch = this.queue.slice(0, this.deps.maxBatch ?? 1000);
        let result: BatchResult;
        try {
          result = await this.deps.store.ingest(batch.flatMap((q) => (q.inbound ? [q.inbound] : [])));
        } catch (e) {
          // Nothing acknowledged: keep the batch and try again shortly (the database may be restarting).
          this.deps.logger.error({ err: (e as Error).message, messages: batch.length }, 'fleet ingest batch failed; retrying');
          this.retryTimer = setTimeout(() => { this.retryTimer = null; void this.flush(); }, 1000);
          return;
        }
        this.queue.splice(0, batch.length);
        const committedAt = Date.now();
        for (const q of batch) q.held?.ack();
        this.stats.batches += 1;
        this.stats.stored += result.eventsStored;
        this.stats.duplicates += result.duplicates;
        this.deps.logger.debug({ events: result.eventsStored, duplicates: result.duplicates, storedSoFar: this.stats.stored }, 'fleet batch committed');
        this.deps.onCommitted?.(batch.flatMap((q) => (q.inbound ? [q.inbound] : [])), committedAt);
        try {
          this.deps.onBatch(result);
        } catch (e) {
          this.deps.logger.error({ err: (e as Error).message }, 'fleet batch follow-up failed');
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}

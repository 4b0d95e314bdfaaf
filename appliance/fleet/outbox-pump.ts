// Publishes the SQLite outbox in seq order, QoS 1, and deletes a row only once the broker
// acknowledged it (PUBACK). A row stays until then, so nothing is lost across a crash; a crash
// between PUBACK and the delete republishes that row with the same seq, for the fleet to drop.
import type { MqttClient } from 'mqtt';
import type { Logger } from '../../core/log.ts';
import { OutboxRepo } from '../store/outbox-repo.ts';
import type { Db } from '../store/db.ts';

export interface FleetEvent {
  boxId: string;
  seq: number;
  type: string;
  payload: Record<string, unknown>;
  createdAt: string;
}

export class OutboxPump {
  private readonly repo: OutboxRepo;
  /** Highest seq handed to the client; mqtt.js keeps unacknowledged ones and resends them on reconnect. */
  private handedSeq = 0;
  private inFlight = 0;
  private running = false;
  private acked: number[] = [];
  private flushScheduled = false;
  private window: number;

  constructor(private readonly deps: {
    db: Db; client: () => MqttClient | null; boxId: string; topic: string; logger: Logger; window?: number;
    /** Called for each event the broker acknowledged (before its row is deleted). */
    onAcknowledged?: (ev: FleetEvent) => void;
  }) {
    this.repo = new OutboxRepo(deps.db);
    this.window = deps.window ?? 100;
  }

  /**
   * mqtt.js does not hold back for the broker's Receive Maximum (mosquitto's default is 20), and a
   * client that exceeds it is in breach; so events stay within it, leaving room for status and answers.
   */
  limitTo(receiveMaximum: number | undefined): void {
    const cap = this.deps.window ?? 100;
    this.window = receiveMaximum === undefined ? cap : Math.max(1, Math.min(cap, receiveMaximum - 4));
  }

  /** Hand the next rows to the client, keeping at most `window` unacknowledged. */
  pump(): void {
    const client = this.deps.client();
    if (!client || !client.connected || this.running) return;
    this.running = true;
    try {
      const room = this.window - this.inFlight;
      if (room <= 0) return;
      for (const ev of this.repo.pending(room, this.handedSeq)) {
        const msg: FleetEvent = { boxId: this.deps.boxId, seq: ev.seq, type: ev.type, payload: ev.payload, createdAt: ev.createdAt };
        this.handedSeq = ev.seq;
        this.inFlight += 1;
        client.publish(this.deps.topic, JSON.stringify(msg), { qos: 1 }, (err) => this.settled(msg, err));
      }
    } finally {
      this.running = false;
    }
  }

  private settled(msg: FleetEvent, err: Error | undefined): void {
    const seq = msg.seq;
    this.inFlight -= 1;
    if (err) {
      // The client gave up on it (ended): read it again from the outbox next time.
      this.handedSeq = Math.min(this.handedSeq, seq - 1);
      this.deps.logger.debug({ seq, err: err.message }, 'event not acknowledged; kept in the outbox');
      return;
    }
    if (this.deps.onAcknowledged) {
      try {
        this.deps.onAcknowledged(msg);
      } catch (e) {
        this.deps.logger.error({ seq, err: (e as Error).message }, 'acknowledged-event listener failed');
      }
    }
    this.acked.push(seq);
    // PUBACKs read in one go are deleted in one transaction: one fsync for many, not one each.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const seqs = this.acked.splice(0);
    try {
      this.deps.db.transaction(() => { for (const s of seqs) this.repo.acknowledge(s); })();
    } catch (e) {
      this.deps.logger.error({ seqs: seqs.length, err: (e as Error).message }, 'could not delete acknowledged events; they will be sent again');
    }
    this.pump();
  }

  /** Forget what was handed to a client that is gone (a new client starts from the oldest row). */
  reset(): void {
    if (this.acked.length > 0) this.flush();
    this.handedSeq = 0;
    this.inFlight = 0;
  }

  pending(): number {
    return this.repo.count();
  }
}

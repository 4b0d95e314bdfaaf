// The fleet event outbox: events are appended in the same transaction as the change they report;
// the MQTT agent publishes them in seq order and deletes each only once the broker acknowledged it.
import type { Db } from './db.ts';

export type EventType = 'attempt.outcome' | 'campaign.state' | 'optout' | 'alarm' | 'dnc.change' | 'audit.head';

export interface OutboxEvent {
  seq: number;
  type: EventType;
  payload: Record<string, unknown>;
  createdAt: string;
}

/** Append inside the caller's transaction. Payloads carry no phone number in clear. */
export function appendEvent(db: Db, type: EventType, payload: Record<string, unknown>, now = Date.now()): number {
  const info = db.prepare('INSERT INTO outbox (type, payload, created_at) VALUES (?, ?, ?)').run(type, JSON.stringify(payload), new Date(now).toISOString());
  return Number(info.lastInsertRowid);
}

export class OutboxRepo {
  constructor(private readonly db: Db) {}

  pending(limit: number, afterSeq = 0): OutboxEvent[] {
    return (this.db.prepare('SELECT seq, type, payload, created_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as Array<{ seq: number; type: EventType; payload: string; created_at: string }>)
      .map((r) => ({ seq: r.seq, type: r.type, payload: JSON.parse(r.payload) as Record<string, unknown>, createdAt: r.created_at }));
  }

  acknowledge(seq: number): void {
    this.db.prepare('DELETE FROM outbox WHERE seq = ?').run(seq);
  }

  count(): number {
    return this.db.prepare('SELECT COUNT(*) FROM outbox').pluck().get() as number;
  }
}

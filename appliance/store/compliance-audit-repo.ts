// The audit log: append-only (triggers refuse UPDATE and DELETE) and hash-chained: each entry's hash
// covers the previous entry's hash and its own content, and the head (last seq and hash) is kept in
// `meta`, so an edited, deleted, inserted or reordered entry breaks verification.
import { createHash } from 'node:crypto';
import type { Db } from './db.ts';

export const GENESIS = '0'.repeat(64);
const HEAD_KEY = 'audit.head';

export interface AuditEntry {
  seq: number;
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
  hash: string;
}

export interface AuditInput {
  actor: string;
  action: string;
  subject?: string | null;
  details?: Record<string, unknown>;
  now?: number;
}

interface RawEntry { seq: number; at: number; actor: string; action: string; subject: string | null; details: string; prev_hash: string; hash: string }

function entryHash(prev: string, e: { seq: number; at: number; actor: string; action: string; subject: string | null; details: string }): string {
  const content = JSON.stringify([e.seq, e.at, e.actor, e.action, e.subject, e.details]);
  return createHash('sha256').update(`${prev}\n${content}`).digest('hex');
}

/** Append one entry; joins the caller's transaction when there is one. Returns its seq. */
export function appendAudit(db: Db, input: AuditInput): number {
  const run = db.transaction(() => {
    const head = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    const e = {
      seq: (head?.seq ?? 0) + 1,
      at: input.now ?? Date.now(),
      actor: input.actor,
      action: input.action,
      subject: input.subject ?? null,
      details: JSON.stringify(input.details ?? {}),
    };
    const prev = head?.hash ?? GENESIS;
    const hash = entryHash(prev, e);
    db.prepare('INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.seq, e.at, e.actor, e.action, e.subject, e.details, prev, hash);
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(HEAD_KEY, `${e.seq}:${hash}`);
    return e.seq;
  });
  return run();
}

export interface AuditProblem {
  seq: number;
  problem: 'content-changed' | 'chain-broken' | 'sequence-gap' | 'head-mismatch';
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  head: string | null;
  problems: AuditProblem[];
}

/** Walk the whole chain (streamed, constant memory). */
export function verifyAudit(db: Db): AuditVerification {
  const problems: AuditProblem[] = [];
  let prev = GENESIS;
  let expectedSeq = 1;
  let entries = 0;
  let last: { seq: number; hash: string } | null = null;
  for (const r of db.prepare('SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit_log ORDER BY seq').iterate() as IterableIterator<RawEntry>) {
    entries++;
    if (r.seq !== expectedSeq) problems.push({ seq: r.seq, problem: 'sequence-gap' });
    if (r.prev_hash !== prev) problems.push({ seq: r.seq, problem: 'chain-broken' });
    if (entryHash(r.prev_hash, r) !== r.hash) problems.push({ seq: r.seq, problem: 'content-changed' });
    prev = r.hash;
    expectedSeq = r.seq + 1;
    last = { seq: r.seq, hash: r.hash };
  }
  const head = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(HEAD_KEY) as string | undefined;
  const seen = last ? `${last.seq}:${last.hash}` : null;
  if ((head ?? null) !== seen) problems.push({ seq: last?.seq ?? 0, problem: 'head-mismatch' });
  return { ok: problems.length === 0, entries, head: seen, problems };
}

export function listAudit(db: Db, opts: { afterSeq?: number; limit?: number } = {}): AuditEntry[] {
  return (db.prepare('SELECT seq, at, actor, action, subject, details, hash FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?')
    .all(opts.afterSeq ?? 0, Math.min(opts.limit ?? 100, 1000)) as Array<Omit<RawEntry, 'prev_hash'>>)
    .map((r) => ({ seq: r.seq, at: r.at, actor: r.actor, action: r.action, subject: r.subject, details: JSON.parse(r.details) as Record<string, unknown>, hash: r.hash }));
}

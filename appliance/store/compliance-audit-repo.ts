// The audit log: append-only (triggers refuse UPDATE and DELETE) and chained: each entry's MAC covers
// the previous entry's and its own content, keyed with HMAC-SHA256 by a key outside the database
// (<data>/identity/audit.key, see audit-key.ts), so that whoever rewrites the database cannot
// recompute the chain. The head (last seq and MAC) is kept in `meta`, published to the fleet
// (`audit.head` events), and the newest head the fleet's broker acknowledged is kept beside the key:
// verification checks the chain against both, and against the call attempts and opt-outs it must
// account for, so an edit, a cut tail or a dropped table is reported.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.ts';
import { ensureAuditKey, readAcknowledgedHead, readAuditKey, type AuditHead, type AuditKey } from './audit-key.ts';

export type { AuditHead } from './audit-key.ts';
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

interface RawEntry { seq: number; at: number; actor: string; action: string; subject: string | null; details: string; prev_hash: string; hash: string; keyed: number }
type Content = { seq: number; at: number; actor: string; action: string; subject: string | null; details: string };

/** An entry's MAC (keyed) or, for entries written before the log was keyed, its plain SHA-256. */
function entryHash(prev: string, e: Content, key: Buffer | null): string {
  const content = `${prev}\n${JSON.stringify([e.seq, e.at, e.actor, e.action, e.subject, e.details])}`;
  return (key ? createHmac('sha256', key) : createHash('sha256')).update(content).digest('hex');
}

const same = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** appendAudit's statements and transaction, made once per database (every action and call end writes here). */
interface Appender {
  head: Statement;
  insert: Statement;
  setHead: Statement;
  append: (input: AuditInput) => number;
}
const appenders = new WeakMap<Db, Appender>();

function appenderOf(db: Db): Appender {
  let a = appenders.get(db);
  if (!a) {
    const made: Appender = {
      head: db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1'),
      insert: db.prepare('INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash, keyed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)'),
      setHead: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      append: db.transaction((input: AuditInput) => appendIn(db, made, input)),
    };
    a = made;
    appenders.set(db, a);
  }
  return a;
}

/** Append one entry; joins the caller's transaction when there is one. Returns its seq. */
export function appendAudit(db: Db, input: AuditInput): number {
  return appenderOf(db).append(input);
}

function appendIn(db: Db, st: Appender, input: AuditInput): number {
  const head = st.head.get() as { seq: number; hash: string } | undefined;
  const at = input.now ?? Date.now();
  const { key } = ensureAuditKey(db, (head?.seq ?? 0) + 1, at);
  let prev = head?.hash ?? GENESIS;
  let seq = (head?.seq ?? 0) + 1;
  const write = (e: Omit<Content, 'seq'>): void => {
    const c = { seq, ...e };
    const hash = entryHash(prev, c, key.key);
    st.insert.run(c.seq, c.at, c.actor, c.action, c.subject, c.details, prev, hash);
    prev = hash;
    seq += 1;
  };
  // The first keyed entry after a chain begun without a key says so, and its MAC seals that chain's head.
  if (head && head.seq + 1 === key.keyedFrom) {
    write({ at, actor: 'system', action: 'audit.keyed', subject: null, details: JSON.stringify({ unkeyedEntries: head.seq, unkeyedHead: head.hash }) });
  }
  write({ at, actor: input.actor, action: input.action, subject: input.subject ?? null, details: JSON.stringify(input.details ?? {}) });
  st.setHead.run(HEAD_KEY, `${seq - 1}:${prev}`);
  return seq - 1;
}

/** The chain's head (its last seq, which is also its length, and that entry's MAC); null when empty. */
export function auditHead(db: Db): AuditHead | null {
  const r = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as AuditHead | undefined;
  return r ?? null;
}

export type AuditProblemKind =
  | 'content-changed' | 'chain-broken' | 'sequence-gap' | 'head-mismatch'
  | 'table-missing' | 'key-missing' | 'unkeyed-entry' | 'truncated' | 'head-rewritten' | 'empty-chain' | 'missing-entries';

export interface AuditProblem {
  seq: number;
  problem: AuditProblemKind;
  /** What was found, in words (the CLI prints it). */
  detail?: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  head: string | null;
  problems: AuditProblem[];
  /** First keyed seq (null: no key yet); entries before it are unkeyed (written before keying). */
  keyedFrom: number | null;
  unkeyed: number;
  /** The heads the chain was checked against: acknowledged by the fleet's broker, and given by the caller. */
  anchors: { acknowledged: AuditHead | null; fleet: AuditHead | null };
}

export interface VerifyOptions {
  /** The head the fleet holds (from its `audit.head` events), checked on top of the acknowledged one. */
  fleetHead?: AuditHead;
}

function count(db: Db, sql: string): number {
  try {
    return db.prepare(sql).pluck().get() as number;
  } catch {
    return 0; // a table an older schema does not have
  }
}

/** Walk the whole chain (streamed, constant memory) and check it against what it must account for. */
export function verifyAudit(db: Db, opts: VerifyOptions = {}): AuditVerification {
  const problems: AuditProblem[] = [];
  let key: AuditKey | null = null;
  try {
    key = readAuditKey(db);
  } catch (e) {
    problems.push({ seq: 0, problem: 'key-missing', detail: (e as Error).message });
  }
  const acknowledged = readAcknowledgedHead(db);
  const fleet = opts.fleetHead ?? null;
  const anchors = [...(acknowledged ? [{ ...acknowledged, by: `the head the fleet's broker acknowledged (${acknowledged.acknowledgedAt})` }] : []), ...(fleet ? [{ ...fleet, by: "the fleet's copy of the head" }] : [])];
  const hashAt = new Map<number, string>();
  let entries = 0;
  let unkeyed = 0;
  let gateAllows = 0;
  let optOutEntries = 0;
  let last: { seq: number; hash: string } | null = null;
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get() !== undefined;
  if (!hasTable) {
    problems.push({ seq: 0, problem: 'table-missing', detail: 'the audit_log table is gone' });
  } else {
    let prev = GENESIS;
    let expectedSeq = 1;
    let keyMissingSaid = false;
    for (const r of db.prepare('SELECT seq, at, actor, action, subject, details, prev_hash, hash, keyed FROM audit_log ORDER BY seq').iterate() as IterableIterator<RawEntry>) {
      entries++;
      if (r.action === 'gate.allow') gateAllows++;
      else if (r.action === 'dnc.optout') optOutEntries++;
      if (r.seq !== expectedSeq) problems.push({ seq: r.seq, problem: 'sequence-gap', detail: `expected entry ${expectedSeq}` });
      if (r.prev_hash !== prev) problems.push({ seq: r.seq, problem: 'chain-broken', detail: 'does not follow the entry before it' });
      if (key && r.seq >= key.keyedFrom && r.keyed !== 1) {
        problems.push({ seq: r.seq, problem: 'unkeyed-entry', detail: `written without the key, but every entry from ${key.keyedFrom} on is keyed` });
      } else if (r.keyed === 1 && !key) {
        if (!keyMissingSaid) problems.push({ seq: r.seq, problem: 'key-missing', detail: 'keyed entries exist but the audit key (identity/audit.key) is gone' });
        keyMissingSaid = true;
      } else if (!same(entryHash(r.prev_hash, r, r.keyed === 1 ? key!.key : null), r.hash)) {
        problems.push({ seq: r.seq, problem: 'content-changed', detail: r.keyed === 1 ? 'its MAC does not match its content' : 'its hash does not match its content' });
      }
      if (r.keyed !== 1) unkeyed++;
      if (anchors.some((a) => a.seq === r.seq)) hashAt.set(r.seq, r.hash);
      prev = r.hash;
      expectedSeq = r.seq + 1;
      last = { seq: r.seq, hash: r.hash };
    }
    const head = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(HEAD_KEY) as string | undefined;
    const seen = last ? `${last.seq}:${last.hash}` : null;
    if ((head ?? null) !== seen) problems.push({ seq: last?.seq ?? 0, problem: 'head-mismatch', detail: `the recorded head is ${head ?? '(none)'}` });
  }
  const lastSeq = last?.seq ?? 0;
  if (key && key.keyedFrom - 1 > lastSeq) {
    problems.push({ seq: lastSeq, problem: 'truncated', detail: `the chain ends at entry ${lastSeq}, but it had ${key.keyedFrom - 1} entries when it was keyed` });
  }
  for (const a of anchors) {
    if (a.seq > lastSeq) problems.push({ seq: lastSeq, problem: 'truncated', detail: `the chain ends at entry ${lastSeq}, but ${a.by} is entry ${a.seq}` });
    else if (a.seq > 0 && hashAt.get(a.seq) !== a.hash) problems.push({ seq: a.seq, problem: 'head-rewritten', detail: `entry ${a.seq} is not the one in ${a.by}: the chain was rewritten` });
  }
  // Every campaign call attempt follows a dial decision in the log, every opt-out has its entry.
  const attempts = count(db, 'SELECT COUNT(*) FROM attempts WHERE campaign_id IS NOT NULL');
  const optOuts = count(db, "SELECT COUNT(*) FROM suppression_history WHERE action = 'add' AND source IN ('keypress', 'staff', 'fleet')");
  if (entries === 0 && (attempts > 0 || optOuts > 0)) {
    problems.push({ seq: 0, problem: 'empty-chain', detail: `the log is empty, but ${attempts} call attempt(s) and ${optOuts} opt-out(s) are recorded` });
  } else {
    if (optOutEntries < optOuts) problems.push({ seq: lastSeq, problem: 'missing-entries', detail: `${optOuts} opt-out(s) are recorded but the log has ${optOutEntries}` });
    if (gateAllows < attempts) problems.push({ seq: lastSeq, problem: 'missing-entries', detail: `${attempts} campaign call attempt(s) are recorded but the log allowed ${gateAllows} dial(s)` });
  }
  return {
    ok: problems.length === 0, entries, head: last ? `${last.seq}:${last.hash}` : null, problems,
    keyedFrom: key?.keyedFrom ?? null, unkeyed, anchors: { acknowledged: acknowledged ? { seq: acknowledged.seq, hash: acknowledged.hash } : null, fleet },
  };
}

export function listAudit(db: Db, opts: { afterSeq?: number; limit?: number } = {}): AuditEntry[] {
  return (db.prepare('SELECT seq, at, actor, action, subject, details, hash FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?')
    .all(opts.afterSeq ?? 0, Math.min(opts.limit ?? 100, 1000)) as Array<Omit<RawEntry, 'prev_hash'>>)
    .map((r) => ({ seq: r.seq, at: r.at, actor: r.actor, action: r.action, subject: r.subject, details: JSON.parse(r.details) as Record<string, unknown>, hash: r.hash }));
}

// The audit log's key and what the box knows of the chain outside its database, both in the box's
// identity folder (<data>/identity, mode 0700), beside the box's own key:
//   audit.key        {version, key, keyedFrom, createdAt}, 0600, made at the first append that needs it.
//                    Entries from seq `keyedFrom` on are HMAC-SHA256'd with `key`; earlier ones (a chain
//                    begun before keying) keep their plain SHA-256 and are reported as unkeyed.
//   audit-head.json  {seq, hash, acknowledgedAt}: the newest head the fleet's broker acknowledged.
// Whoever can rewrite the database but not this folder can neither recompute the chain nor hide a
// cut: verification checks the chain against both.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Db } from './db.ts';

export interface AuditKey {
  key: Buffer;
  /** The first seq written with this key. */
  keyedFrom: number;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

const keys = new WeakMap<Db, AuditKey>();

/** <data>/identity for a store opened on <data>/appliance.db; null for an in-memory store. */
export function identityDirOf(db: Db): string | null {
  return db.memory || db.name === '' || db.name === ':memory:' ? null : join(dirname(db.name), 'identity');
}

export const auditKeyFile = (identityDir: string): string => join(identityDir, 'audit.key');
export const auditHeadFile = (identityDir: string): string => join(identityDir, 'audit-head.json');

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

function writeDurably(file: string, text: string): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function parseKeyFile(text: string, file: string): AuditKey {
  const v = JSON.parse(text) as { key?: unknown; keyedFrom?: unknown };
  const key = typeof v.key === 'string' ? Buffer.from(v.key, 'base64') : Buffer.alloc(0);
  if (key.length < 32 || !Number.isSafeInteger(v.keyedFrom) || (v.keyedFrom as number) < 1) throw new Error(`${file} is damaged (no usable key or keyedFrom)`);
  return { key, keyedFrom: v.keyedFrom as number };
}

/** The key, if one was made (cached per store); throws when the file exists but is damaged. */
export function readAuditKey(db: Db): AuditKey | null {
  const cached = keys.get(db);
  if (cached) return cached;
  const dir = identityDirOf(db);
  if (!dir) return null;
  let text: string;
  try {
    text = readFileSync(auditKeyFile(dir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const k = parseKeyFile(text, auditKeyFile(dir));
  keys.set(db, k);
  return k;
}

/**
 * The key, made now if there is none: `nextSeq` is the seq about to be written, the first keyed one.
 * Created whole or not at all (written aside, then linked into place), and a concurrent creator's key
 * wins. An in-memory store gets a key of its own that lives as long as it does.
 */
export function ensureAuditKey(db: Db, nextSeq: number, now = Date.now()): { key: AuditKey; created: boolean } {
  const existing = readAuditKey(db);
  if (existing) return { key: existing, created: false };
  const fresh: AuditKey = { key: randomBytes(32), keyedFrom: nextSeq };
  const dir = identityDirOf(db);
  if (!dir) {
    keys.set(db, fresh);
    return { key: fresh, created: true };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = auditKeyFile(dir);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeDurably(tmp, JSON.stringify({ version: 1, key: fresh.key.toString('base64'), keyedFrom: fresh.keyedFrom, createdAt: new Date(now).toISOString() }) + '\n');
  try {
    linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    rmSync(tmp, { force: true });
    return { key: readAuditKey(db)!, created: false };
  }
  rmSync(tmp, { force: true });
  fsyncDir(dir);
  keys.set(db, fresh);
  return { key: fresh, created: true };
}

/** The newest head the fleet's broker acknowledged, if any. */
export function readAcknowledgedHead(db: Db): (AuditHead & { acknowledgedAt: string }) | null {
  const dir = identityDirOf(db);
  if (!dir) return null;
  try {
    const v = JSON.parse(readFileSync(auditHeadFile(dir), 'utf8')) as { seq?: unknown; hash?: unknown; acknowledgedAt?: unknown };
    if (!Number.isSafeInteger(v.seq) || typeof v.hash !== 'string') return null;
    return { seq: v.seq as number, hash: v.hash, acknowledgedAt: String(v.acknowledgedAt ?? '') };
  } catch {
    return null;
  }
}

/** Remember a head the broker acknowledged; an older one than what is kept is ignored. */
export function recordAcknowledgedHead(db: Db, head: AuditHead, now = Date.now()): void {
  const dir = identityDirOf(db);
  if (!dir) return;
  const kept = readAcknowledgedHead(db);
  if (kept && kept.seq >= head.seq) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = auditHeadFile(dir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeDurably(tmp, JSON.stringify({ seq: head.seq, hash: head.hash, acknowledgedAt: new Date(now).toISOString() }) + '\n');
  renameSync(tmp, file);
  fsyncDir(dir);
}

// Sessions in SQLite so a restart does not log everyone out. The cookie carries a random id; the table
// keeps only its SHA-256. A session ends at logout, after an idle period, or at an absolute expiry.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../store/db.ts';
import { isRole, type Role } from './roles.ts';

export interface SessionInfo {
  /** SHA-256 of the cookie value: a stable handle that is safe to keep in memory and logs. */
  idHash: string;
  username: string;
  role: Role;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface SessionTimes {
  /** A session unused for this long ends. */
  idleMs: number;
  /** A session ends this long after login, used or not. */
  maxMs: number;
}

export const DEFAULT_SESSION_TIMES: SessionTimes = { idleMs: 2 * 3600_000, maxMs: 12 * 3600_000 };

// last_seen_at is written at most this often per session, so reads do not turn into a write each.
const TOUCH_EVERY_MS = 60_000;

interface Row {
  id_hash: string;
  username: string;
  role: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export function hashSessionId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

export class SessionStore {
  constructor(
    private readonly db: Db,
    private readonly times: SessionTimes = DEFAULT_SESSION_TIMES,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates a session and returns the cookie value (shown once, never stored). */
  create(username: string, role: Role, source: string | null): { id: string; session: SessionInfo } {
    const id = randomBytes(32).toString('base64url');
    const t = this.now();
    const session: SessionInfo = {
      idHash: hashSessionId(id),
      username,
      role,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: t,
      lastSeenAt: t,
      expiresAt: t + this.times.maxMs,
    };
    this.db
      .prepare('INSERT INTO http_sessions (id_hash, username, role, csrf_token, created_at, last_seen_at, expires_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(session.idHash, username, role, session.csrfToken, t, t, session.expiresAt, source);
    return { id, session };
  }

  /** The live session for a cookie value, refreshed as used; null when unknown, idle too long or expired. */
  lookup(id: string): SessionInfo | null {
    if (id.length < 16 || id.length > 128) return null;
    const idHash = hashSessionId(id);
    const row = this.db.prepare('SELECT * FROM http_sessions WHERE id_hash = ?').get(idHash) as Row | undefined;
    if (!row || !isRole(row.role)) return null;
    const t = this.now();
    if (t >= row.expires_at || t - row.last_seen_at >= this.times.idleMs) {
      this.db.prepare('DELETE FROM http_sessions WHERE id_hash = ?').run(idHash);
      return null;
    }
    if (t - row.last_seen_at >= TOUCH_EVERY_MS) {
      this.db.prepare('UPDATE http_sessions SET last_seen_at = ? WHERE id_hash = ?').run(t, idHash);
      row.last_seen_at = t;
    }
    return {
      idHash,
      username: row.username,
      role: row.role,
      csrfToken: row.csrf_token,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
      expiresAt: row.expires_at,
    };
  }

  /** Whether a session (by hash) is still live, without refreshing it (for long-lived sockets). */
  isLive(idHash: string): boolean {
    const row = this.db.prepare('SELECT last_seen_at, expires_at FROM http_sessions WHERE id_hash = ?').get(idHash) as
      | Pick<Row, 'last_seen_at' | 'expires_at'>
      | undefined;
    if (!row) return false;
    const t = this.now();
    return t < row.expires_at && t - row.last_seen_at < this.times.idleMs;
  }

  /** Keeps a session with an open live feed from going idle. */
  touch(idHash: string): void {
    this.db.prepare('UPDATE http_sessions SET last_seen_at = ? WHERE id_hash = ?').run(this.now(), idHash);
  }

  delete(idHash: string): void {
    this.db.prepare('DELETE FROM http_sessions WHERE id_hash = ?').run(idHash);
  }

  /** Ends every session of a user (deleted, or password changed), except optionally the current one. */
  deleteForUser(username: string, exceptIdHash?: string): number {
    return this.db.prepare('DELETE FROM http_sessions WHERE username = ? AND id_hash != ?').run(username, exceptIdHash ?? '').changes;
  }

  /** Follows a role change so the stored row says what the settings say. */
  setRole(username: string, role: Role): void {
    this.db.prepare('UPDATE http_sessions SET role = ? WHERE username = ?').run(role, username);
  }

  purgeExpired(): number {
    const t = this.now();
    return this.db.prepare('DELETE FROM http_sessions WHERE expires_at <= ? OR last_seen_at <= ?').run(t, t - this.times.idleMs).changes;
  }
}

// The console's own tables: users (argon2id hashes), sessions (only the id's hash is stored), the
// audit of fleet actions, and groups of boxes.
import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from './sql.ts';

export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: Role[] = ['viewer', 'operator', 'admin'];
export const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

export interface ConsoleUser { username: string; role: Role; passwordHash: string }
export interface Session { idHash: string; username: string; role: Role; csrfToken: string; expiresAt: string }
export interface AuditEntry { id: number; at: string; actor: string; action: string; target: string | null; outcome: 'ok' | 'refused'; detail: Record<string, unknown> }

const hashId = (id: string): string => createHash('sha256').update(id).digest('hex');

export class ConsoleStore {
  constructor(private readonly sql: Sql) {}

  async user(username: string): Promise<ConsoleUser | null> {
    const r = (await this.sql.query<{ username: string; role: Role; password_hash: string }>('SELECT username, role, password_hash FROM console_users WHERE username = $1', [username])).rows[0];
    return r ? { username: r.username, role: r.role, passwordHash: r.password_hash } : null;
  }

  async users(): Promise<Array<{ username: string; role: Role; createdAt: string }>> {
    return (await this.sql.query<{ username: string; role: Role; created_at: string }>('SELECT username, role, created_at FROM console_users ORDER BY username')).rows
      .map((r) => ({ username: r.username, role: r.role, createdAt: new Date(r.created_at).toISOString() }));
  }

  /** Adds a user, or replaces the password and role of an existing one (its sessions end). */
  async putUser(username: string, role: Role, passwordHash: string): Promise<'added' | 'updated'> {
    return this.sql.tx(async (q) => {
      const had = (await q.query('SELECT 1 FROM console_users WHERE username = $1 FOR UPDATE', [username])).rowCount > 0;
      await q.query(`INSERT INTO console_users (username, role, password_hash) VALUES ($1, $2, $3)
        ON CONFLICT (username) DO UPDATE SET role = EXCLUDED.role, password_hash = EXCLUDED.password_hash`, [username, role, passwordHash]);
      if (had) await q.query('DELETE FROM console_sessions WHERE username = $1', [username]);
      return had ? 'updated' : 'added';
    });
  }

  async removeUser(username: string): Promise<boolean> {
    return (await this.sql.query('DELETE FROM console_users WHERE username = $1', [username])).rowCount > 0;
  }

  /** A new session; returns the id for the cookie (never stored as such) and the CSRF token. */
  async openSession(username: string, ttlMs: number): Promise<{ id: string; csrfToken: string }> {
    const id = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    await this.sql.query('DELETE FROM console_sessions WHERE expires_at < now()');
    await this.sql.query('INSERT INTO console_sessions (id_hash, username, csrf_token, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))',
      [hashId(id), username, csrfToken, ttlMs / 1000]);
    return { id, csrfToken };
  }

  /** The live session for a cookie value, with the user's role as it is now. */
  async session(id: string): Promise<Session | null> {
    const r = (await this.sql.query<{ id_hash: string; username: string; role: Role; csrf_token: string; expires_at: string }>(
      `SELECT s.id_hash, s.username, u.role, s.csrf_token, s.expires_at FROM console_sessions s JOIN console_users u ON u.username = s.username
       WHERE s.id_hash = $1 AND s.expires_at > now()`, [hashId(id)])).rows[0];
    return r ? { idHash: r.id_hash, username: r.username, role: r.role, csrfToken: r.csrf_token, expiresAt: new Date(r.expires_at).toISOString() } : null;
  }

  async closeSession(idHash: string): Promise<void> {
    await this.sql.query('DELETE FROM console_sessions WHERE id_hash = $1', [idHash]);
  }

  async audit(actor: string, action: string, target: string | null, outcome: 'ok' | 'refused', detail: Record<string, unknown> = {}): Promise<void> {
    await this.sql.query('INSERT INTO console_audit (actor, action, target, outcome, detail) VALUES ($1, $2, $3, $4, $5::jsonb)', [actor, action, target, outcome, JSON.stringify(detail)]);
  }

  async auditLog(limit = 200): Promise<AuditEntry[]> {
    return (await this.sql.query<{ id: string; at: string; actor: string; action: string; target: string | null; outcome: 'ok' | 'refused'; detail: Record<string, unknown> }>(
      'SELECT id, at, actor, action, target, outcome, detail FROM console_audit ORDER BY id DESC LIMIT $1', [limit])).rows
      .map((r) => ({ id: Number(r.id), at: new Date(r.at).toISOString(), actor: r.actor, action: r.action, target: r.target, outcome: r.outcome, detail: r.detail }));
  }

  async groups(): Promise<Array<{ name: string; boxes: string[] }>> {
    const rows = (await this.sql.query<{ name: string; boxes: string[] | null }>(
      `SELECT g.name, array_remove(array_agg(m.box_id ORDER BY m.box_id), NULL) AS boxes FROM box_groups g LEFT JOIN box_group_members m ON m.group_name = g.name
       GROUP BY g.name ORDER BY g.name`)).rows;
    return rows.map((r) => ({ name: r.name, boxes: r.boxes ?? [] }));
  }

  async groupBoxes(name: string): Promise<string[] | null> {
    const g = await this.sql.query('SELECT 1 FROM box_groups WHERE name = $1', [name]);
    if (g.rowCount === 0) return null;
    return (await this.sql.query<{ box_id: string }>('SELECT box_id FROM box_group_members WHERE group_name = $1 ORDER BY box_id', [name])).rows.map((r) => r.box_id);
  }

  /** Creates the group or replaces its members. */
  async putGroup(name: string, boxIds: string[]): Promise<void> {
    await this.sql.tx(async (q) => {
      await q.query('INSERT INTO box_groups (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [name]);
      await q.query('DELETE FROM box_group_members WHERE group_name = $1', [name]);
      await q.query('INSERT INTO box_group_members (group_name, box_id) SELECT $1, b FROM unnest($2::text[]) AS u(b) ON CONFLICT DO NOTHING', [name, boxIds]);
    });
  }
}

import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { openStore } from '../../appliance/store/db.ts';
import { appendAudit, verifyAudit } from '../../appliance/store/compliance-audit-repo.ts';
import { runAudit } from '../../appliance/commands/audit.ts';
import type { CommandContext } from '../../appliance/cli.ts';

function logWith(entries: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'audit-'));
  const db = openStore({ dir });
  for (let i = 1; i <= entries; i++) appendAudit(db, { actor: `staff:u${i}`, action: 'campaign.start', subject: `campaign:${i}`, details: { n: i }, now: 1_780_000_000_000 + i });
  db.close();
  return dir;
}

/** What an attacker with the database file can do: drop the guards and rewrite rows. */
function tamper(dir: string, sql: string): void {
  const db = new Database(join(dir, 'appliance.db'));
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  db.exec(sql);
  db.close();
}

async function verify(dir: string): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const ctx: CommandContext = { dataDir: dir, json: false, positionals: ['verify'], values: {}, out: (l) => out.push(l), err: (l) => out.push(l) };
  const code = await runAudit(ctx);
  return { code, out };
}

const cases: Array<{ name: string; sql: string | null; code: number; problem?: string }> = [
  { name: 'intact log passes', sql: null, code: 0 },
  { name: 'an edited entry fails', sql: `UPDATE audit_log SET details = '{"n":99}' WHERE seq = 3`, code: 1, problem: 'content-changed' },
  { name: 'an entry with another actor fails', sql: `UPDATE audit_log SET actor = 'staff:mallory' WHERE seq = 2`, code: 1, problem: 'content-changed' },
  { name: 'a deleted entry fails', sql: 'DELETE FROM audit_log WHERE seq = 3', code: 1, problem: 'chain-broken' },
  { name: 'a deleted last entry fails', sql: 'DELETE FROM audit_log WHERE seq = 5', code: 1, problem: 'head-mismatch' },
  {
    name: 'two swapped entries fail',
    sql: `CREATE TEMP TABLE s AS SELECT * FROM audit_log WHERE seq IN (2, 3);
      UPDATE audit_log SET at = (SELECT at FROM s WHERE seq = 5 - audit_log.seq), actor = (SELECT actor FROM s WHERE seq = 5 - audit_log.seq),
        action = (SELECT action FROM s WHERE seq = 5 - audit_log.seq), subject = (SELECT subject FROM s WHERE seq = 5 - audit_log.seq),
        details = (SELECT details FROM s WHERE seq = 5 - audit_log.seq), prev_hash = (SELECT prev_hash FROM s WHERE seq = 5 - audit_log.seq),
        hash = (SELECT hash FROM s WHERE seq = 5 - audit_log.seq) WHERE seq IN (2, 3);`,
    code: 1, problem: 'chain-broken',
  },
];

for (const c of cases) {
  test(`audit verify: ${c.name}`, async (t) => {
    const dir = logWith(5);
    try {
      if (c.sql) tamper(dir, c.sql);
      const r = await verify(dir);
      t.is(r.code, c.code, r.out.join('\n'));
      if (c.problem) t.true(r.out.some((l) => l.includes(c.problem!)), r.out.join('\n'));
      else t.regex(r.out[0]!, /intact: 5 entries/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the log refuses updates and deletes through SQL', (t) => {
  const db = openStore({ dir: ':memory:' });
  appendAudit(db, { actor: 'a', action: 'x' });
  t.throws(() => db.prepare("UPDATE audit_log SET actor = 'b'").run(), { any: true, message: /append-only/ });
  t.throws(() => db.prepare('DELETE FROM audit_log').run(), { any: true, message: /append-only/ });
  t.true(verifyAudit(db).ok);
});

test('an empty log verifies', (t) => {
  const db = openStore({ dir: ':memory:' });
  t.like(verifyAudit(db), { ok: true, entries: 0, head: null, problems: [], keyedFrom: null, unkeyed: 0 });
});

test('a chain begun before keying: its entries stay unkeyed, an audit.keyed note seals them, and rewriting them afterwards is reported', async (t) => {
  const dir = logWith(3);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // What a box upgraded from before keying holds: plain SHA-256 entries marked unkeyed, and no key.
  const legacy = new Database(join(dir, 'appliance.db'));
  legacy.exec('DROP TRIGGER audit_log_no_update');
  let prev = '0'.repeat(64);
  for (const r of legacy.prepare('SELECT seq, at, actor, action, subject, details FROM audit_log ORDER BY seq').all() as Array<{ seq: number; at: number; actor: string; action: string; subject: string | null; details: string }>) {
    const hash = createHash('sha256').update(`${prev}\n${JSON.stringify([r.seq, r.at, r.actor, r.action, r.subject, r.details])}`).digest('hex');
    legacy.prepare('UPDATE audit_log SET prev_hash = ?, hash = ?, keyed = 0 WHERE seq = ?').run(prev, hash, r.seq);
    prev = hash;
  }
  legacy.prepare("UPDATE meta SET value = ? WHERE key = 'audit.head'").run(`3:${prev}`);
  legacy.exec("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;");
  legacy.close();
  rmSync(join(dir, 'identity', 'audit.key'));
  t.true((await verify(dir)).out[0]!.includes('intact: 3 entries'));

  const db = openStore({ dir });
  t.is(appendAudit(db, { actor: 'staff:ann', action: 'campaign.stop' }), 5, 'the note comes first');
  const note = db.prepare('SELECT action, details, keyed FROM audit_log WHERE seq = 4').get() as { action: string; details: string; keyed: number };
  t.deepEqual({ ...note, details: JSON.parse(note.details) }, { action: 'audit.keyed', details: { unkeyedEntries: 3, unkeyedHead: prev }, keyed: 1 });
  t.like(verifyAudit(db), { ok: true, entries: 5, keyedFrom: 4, unkeyed: 3 });
  db.close();
  t.regex((await verify(dir)).out[0]!, /intact: 5 entries, head 5:[0-9a-f]{64} \(3 written before keying\)/);

  // Rewriting the unkeyed segment consistently still breaks the keyed note that sealed its head.
  tamper(dir, `UPDATE audit_log SET details = '{"n":99}' WHERE seq = 2`);
  const again = new Database(join(dir, 'appliance.db'));
  let p2 = '0'.repeat(64);
  for (const r of again.prepare('SELECT seq, at, actor, action, subject, details FROM audit_log WHERE seq <= 3 ORDER BY seq').all() as Array<{ seq: number; at: number; actor: string; action: string; subject: string | null; details: string }>) {
    const hash = createHash('sha256').update(`${p2}\n${JSON.stringify([r.seq, r.at, r.actor, r.action, r.subject, r.details])}`).digest('hex');
    again.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?').run(p2, hash, r.seq);
    p2 = hash;
  }
  again.close();
  const r = await verify(dir);
  t.is(r.code, 1);
  t.true(r.out.some((l) => /entry 4: chain-broken/.test(l)), r.out.join('\n'));
});

import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore, migrate, listMigrations } from '../../appliance/store/db.ts';

test('the store opens in WAL mode with every migration applied once', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vba-store-'));
  const db = openStore({ dir });
  t.is(db.pragma('journal_mode', { simple: true }), 'wal');
  const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
  t.deepEqual(versions, listMigrations().map((m) => m.version));
  t.deepEqual(migrate(db), []);
  db.close();
});

test('a failing migration is rolled back whole and names itself', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vba-mig-'));
  writeFileSync(join(dir, '0001-good.sql'), 'CREATE TABLE a (x INTEGER);');
  writeFileSync(join(dir, '0002-bad.sql'), 'CREATE TABLE b (y INTEGER); INSERT INTO nowhere VALUES (1);');
  const db = new Database(':memory:');
  const err = t.throws(() => migrate(db, listMigrations(dir)));
  t.regex(err!.message, /migration 2 \(bad\)/);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type='table'").pluck().all();
  t.true(tables.includes('a'));
  t.false(tables.includes('b'));
});

import test from 'ava';
import { mkdtempSync, writeFileSync, statSync, chmodSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore, migrate, listMigrations } from '../../appliance/store/db.ts';
import { StateLock } from '../../appliance/state-lock.ts';
import { runAppliance } from '../support/processes.ts';

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

const modeOf = (f: string): number => statSync(f).mode & 0o777;

test('the database and its WAL and SHM files are owner-only whatever the umask; an older 0644 database is tightened', (t) => {
  const old = process.umask(0o022);
  t.teardown(() => process.umask(old));
  const dir = join(mkdtempSync(join(tmpdir(), 'vba-modes-')), 'state');
  const db = openStore({ dir });
  db.prepare('CREATE TABLE IF NOT EXISTS m (x)').run(); // a write, so the WAL and SHM exist
  for (const f of ['appliance.db', 'appliance.db-wal', 'appliance.db-shm']) t.is(modeOf(join(dir, f)), 0o600, f);
  t.is(modeOf(dir), 0o700);
  db.close();

  const older = mkdtempSync(join(tmpdir(), 'vba-modes-old-'));
  writeFileSync(join(older, 'appliance.db'), '');
  chmodSync(join(older, 'appliance.db'), 0o644);
  openStore({ dir: older }).close();
  t.is(modeOf(join(older, 'appliance.db')), 0o600);
});

test('taking the state folder makes it 0700 and every file created afterwards owner-only', (t) => {
  const old = process.umask(0o022);
  t.teardown(() => process.umask(old));
  const dir = mkdtempSync(join(tmpdir(), 'vba-lock-'));
  chmodSync(dir, 0o755);
  const lock = new StateLock(dir);
  lock.acquire();
  t.teardown(() => lock.release());
  t.is(modeOf(dir), 0o700);
  t.is(modeOf(lock.file), 0o600);
  writeFileSync(join(dir, 'identity.pem'), 'a file any writer creates later (identity, recording)');
  t.is(modeOf(join(dir, 'identity.pem')), 0o600);
});

test('a box started outside systemd leaves nothing in its state folder readable by others', async (t) => {
  t.timeout(60_000);
  const dir = join(mkdtempSync(join(tmpdir(), 'vba-box-modes-')), 'data');
  // The shell's usual umask (the child inherits it), as when someone runs `npx appliance start` by hand.
  const old = process.umask(0o022);
  const box = runAppliance(['start', '--data', dir, '--http-port', '0', '--sip-port', '0']);
  process.umask(old);
  t.teardown(() => box.kill('SIGKILL'));
  await box.waitFor(/login admin \/ \S+/, 45_000);
  await box.kill('SIGTERM');
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [join(d, e.name), ...walk(join(d, e.name))] : [join(d, e.name)]));
  const files = [dir, ...walk(dir)];
  t.true(files.some((f) => f.endsWith('appliance.db')));
  t.true(files.some((f) => f.endsWith('settings.json')));
  const open = files.filter((f) => (modeOf(f) & 0o077) !== 0).map((f) => `${f} ${modeOf(f).toString(8)}`);
  t.deepEqual(open, []);
});

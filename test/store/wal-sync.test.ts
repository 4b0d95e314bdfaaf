// The dialer's group commit (appliance/store/wal-sync.ts): writes committed relaxed, then one fsync of
// the WAL in the thread pool shared by every caller that came while it ran.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../appliance/store/db.ts';
import { WalSync } from '../../appliance/store/wal-sync.ts';

function store(t: { teardown: (f: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'vba-walsync-'));
  const db = openStore({ dir });
  t.teardown(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });
  db.exec('CREATE TABLE IF NOT EXISTS t (x INTEGER)');
  return db;
}

test('relaxed writes run with synchronous=NORMAL and leave the connection FULL, even when they throw', (t) => {
  const db = store(t);
  const wal = new WalSync(db);
  const seen = wal.relaxed(() => { db.prepare('INSERT INTO t VALUES (1)').run(); return db.pragma('synchronous', { simple: true }); });
  t.is(seen, 1, 'NORMAL inside');
  t.is(db.pragma('synchronous', { simple: true }), 2, 'FULL after');
  t.throws(() => wal.relaxed(() => { throw new Error('boom'); }), { message: 'boom' });
  t.is(db.pragma('synchronous', { simple: true }), 2, 'FULL after a throw');
});

test('callers that come while an fsync runs share the next one: a burst of commits costs two fsyncs, not one each', async (t) => {
  const db = store(t);
  const wal = new WalSync(db);
  const waits: Array<Promise<void>> = [];
  for (let i = 0; i < 30; i++) {
    wal.relaxed(() => db.prepare('INSERT INTO t VALUES (?)').run(i));
    waits.push(wal.sync());
  }
  await Promise.all(waits);
  t.is(wal.syncs, 2);
  // A caller after they all returned gets an fsync of its own (its commit may be later than theirs).
  await wal.sync();
  t.is(wal.syncs, 3);
  t.is(db.prepare('SELECT COUNT(*) FROM t').pluck().get(), 30);
});

test('an in-memory database has nothing to sync: its commits stay FULL', async (t) => {
  const db = openStore({ dir: ':memory:' });
  t.teardown(() => db.close());
  const wal = new WalSync(db);
  t.false(wal.usable);
  t.is(wal.relaxed(() => db.pragma('synchronous', { simple: true })), 2);
  await wal.sync();
  t.is(wal.syncs, 0);
});

// Writer thread of an import (started by import-worker.ts): stores batches of contacts under the
// staged list on its own SQLite connection, one short transaction each, while the parser thread reads
// on. Batches arrive as UTF-8 JSON bytes in a buffer that travels back and forth (transferred, not
// copied) and that SQLite unpacks itself (contacts-repo PACKED_INSERT_SQL, passed in), so this
// thread's memory stays small and flat.
// Plain JavaScript on purpose: it needs no TypeScript loader, which would cost the process ~10 MB more
// for this thread alone (bench/import.ts has a memory budget). Its messages are typed in
// import-protocol.ts (WriterInput, WriterRequest, WriterReply).
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const Database = require('better-sqlite3');

/**
 * Contacts written between two WAL checkpoints (~12 MB of WAL). Our commits skip SQLite's automatic
 * checkpoint (it would fsync every 4 MB); a PASSIVE one here copies the WAL into the database without
 * blocking other connections, and keeps the backlog small for the next commit of another connection,
 * which would otherwise checkpoint it on its own thread.
 */
const CHECKPOINT_ROWS = 50000;

const input = workerData;
const db = new Database(input.dbFile, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
// Bulk settings for this connection only: staged rows need no fsync (the publishing commit on the
// main connection makes the list durable), no per-row foreign-key lookup (the list id is the staged
// list's), and no automatic checkpoint (see CHECKPOINT_ROWS).
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = OFF');
db.pragma('wal_autocheckpoint = 0');
const insert = db.prepare(input.sql);
const insertBatch = db.transaction((packed) => insert.run({ list: input.listId, at: input.createdAt, packed }));
const stats = { writeMs: 0, checkpointMs: 0 };
let sinceCheckpoint = 0;

/** CPU time of this thread in ms (Linux /proc; null elsewhere), as import-protocol.ts threadCpuMs. */
function threadCpuMs() {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return null;
  }
}

parentPort.on('message', (m) => {
  if (m.type === 'end') {
    db.close();
    parentPort.postMessage({ type: 'closed', writeMs: stats.writeMs, checkpointMs: stats.checkpointMs, cpuMs: threadCpuMs() });
    parentPort.close();
    return;
  }
  try {
    let t = performance.now();
    insertBatch(Buffer.from(m.buffer, 0, m.length));
    stats.writeMs += performance.now() - t;
    sinceCheckpoint += m.count;
    if (sinceCheckpoint >= CHECKPOINT_ROWS) {
      sinceCheckpoint = 0;
      t = performance.now();
      db.pragma('wal_checkpoint(PASSIVE)');
      stats.checkpointMs += performance.now() - t;
    }
    parentPort.postMessage({ type: 'ack', buffer: m.buffer }, [m.buffer]);
  } catch (e) {
    db.close();
    parentPort.postMessage({ type: 'failed', message: (e && e.message) || String(e) });
    parentPort.close();
  }
});

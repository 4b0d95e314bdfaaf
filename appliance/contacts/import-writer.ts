// Writer thread of an import (started by import-worker.ts): stores batches of contacts under the
// staged list on its own SQLite connection, one short transaction each, while the parser thread reads
// on. Batches arrive as UTF-8 JSON bytes (transferred, not copied) that SQLite unpacks itself, so this
// thread's heap stays tiny. In WAL mode readers never wait; another connection's write waits at most
// one batch (a few ms).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { ContactsRepo } from '../store/contacts-repo.ts';
import type { WriterInput, WriterReply, WriterRequest } from './import-protocol.ts';

const port = parentPort;
if (!port) throw new Error('import-writer.ts runs as a worker thread');
const input = workerData as WriterInput;

/**
 * Contacts written between two WAL checkpoints (~5 MB of WAL). Our commits skip SQLite's automatic
 * checkpoint; a PASSIVE one here copies the WAL into the database without blocking other connections.
 */
const CHECKPOINT_ROWS = 20_000;

const db = new Database(input.dbFile, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const repo = new ContactsRepo(db);
let sinceCheckpoint = 0;
const stats = { writeMs: 0, checkpointMs: 0 };

function reply(m: WriterReply): void {
  port!.postMessage(m);
}

port.on('message', (m: WriterRequest) => {
  if (m.type === 'end') {
    db.close();
    reply({ type: 'closed', ...stats });
    port.close();
    return;
  }
  try {
    let t = performance.now();
    repo.insertPacked(input.listId, input.createdAt, Buffer.from(m.packed.buffer, m.packed.byteOffset, m.packed.byteLength));
    stats.writeMs += performance.now() - t;
    sinceCheckpoint += m.count;
    if (sinceCheckpoint >= CHECKPOINT_ROWS) {
      sinceCheckpoint = 0;
      t = performance.now();
      db.pragma('wal_checkpoint(PASSIVE)');
      stats.checkpointMs += performance.now() - t;
    }
    reply({ type: 'ack' });
  } catch (e) {
    db.close();
    reply({ type: 'failed', message: (e as Error)?.message ?? String(e) });
    port.close();
  }
});

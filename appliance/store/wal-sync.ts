// Group commit for the dialer: commits made with synchronous=NORMAL (written to the WAL, no fsync: safe
// against a kill -9, since the kernel has the pages) are made safe against a power cut by one fsync of the
// WAL file run in libuv's thread pool instead of on the event loop. fsync(2) flushes the file's pages
// whichever descriptor wrote them, so syncing our own descriptor covers SQLite's writes before the call.
// On a shared or slow disk (an SD card) a synchronous=FULL commit holds the event loop, and with it every
// live call's media, for as long as the fsync takes: 3 ms typically here, 20 ms at p99, 250 ms at worst
// under other I/O (measured with strace on the scale bench, Dec 2026).
import { open, type FileHandle } from 'node:fs/promises';
import type { Db } from './db.ts';

export class WalSync {
  private inFlight: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  /** fsyncs run, for the tests and the bench. */
  syncs = 0;

  /** `enabled` false: every commit stays FULL and sync() has nothing to do. */
  constructor(private readonly db: Db, private readonly enabled = true) {}

  /** Whether relaxed commits can be synced here (an in-memory database has no file: its commits stay FULL). */
  get usable(): boolean {
    return this.enabled && !this.db.memory;
  }

  /**
   * Runs `f` (synchronous writes) with synchronous=NORMAL, and FULL again before anything else can commit:
   * other code's commits, acknowledged to someone, keep their own fsync.
   */
  relaxed<T>(f: () => T): T {
    if (!this.usable || this.db.inTransaction) return f();
    this.db.pragma('synchronous = NORMAL');
    try {
      return f();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  /**
   * Resolves once everything this connection committed before the call is on disk. Callers that come
   * while an fsync runs share the next one (it may have started before their commit); rejects if the
   * disk refuses (then nothing that waited on it may act as if it were durable).
   */
  sync(): Promise<void> {
    if (!this.usable) return Promise.resolve();
    if (!this.inFlight) {
      const run = this.fsyncWal().finally(() => {
        if (this.inFlight === run) this.inFlight = null;
      });
      this.inFlight = run;
      return run;
    }
    this.next ??= this.inFlight.then(() => undefined, () => undefined).then(() => {
      this.next = null;
      return this.sync();
    });
    return this.next;
  }

  private async fsyncWal(): Promise<void> {
    let file: FileHandle;
    try {
      file = await open(`${this.db.name}-wal`, 'r');
    } catch (e) {
      // No WAL file: the last connection closed it after a full checkpoint (synced); nothing is pending.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    try {
      await file.sync();
      this.syncs++;
    } finally {
      await file.close();
    }
  }
}

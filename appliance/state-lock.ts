// One running box per state folder: a lock file holding the owner's pid. A stale lock (its process
// is gone, e.g. after kill -9 or a power cut) is taken over; a live one is refused with a clear error.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, mkdirSync, chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { AppError } from '../core/errors.ts';
import { processAlive as alive } from '../core/process-alive.ts';

/**
 * The state folder holds the database, settings (password hashes), the box's identity keys and
 * recordings: owner-only, whoever started the box. The folder is made (or tightened to) 0700, and the
 * process's umask becomes 077 so every file created later (SQLite's WAL and SHM, identity, recordings,
 * uploads) is 0600 without each writer having to remember. systemd's StateDirectory does the same.
 */
export function ownerOnlyStateFolder(dir: string): void {
  // A worker thread may not change the umask; the box's main thread has already.
  if (isMainThread) process.umask(0o077);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  // Only our own folder: a folder handed to us by someone else (e.g. a shared mount) is left as it is.
  if (typeof process.getuid === 'function' && st.uid === process.getuid() && (st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

export class StateLock {
  private held = false;
  readonly file: string;

  constructor(dataDir: string, name = 'appliance.lock') {
    ownerOnlyStateFolder(dataDir);
    this.file = join(dataDir, name);
  }

  acquire(): void {
    for (let tries = 0; tries < 2; tries++) {
      try {
        const fd = openSync(this.file, 'wx', 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        this.held = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const pid = Number(readFileSync(this.file, 'utf8').trim());
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
          throw new AppError('E_STORE_LOCKED', `another appliance (pid ${pid}) is using the state folder ${this.file.replace(/\/[^/]+$/, '')}; give this one its own --data folder`, { pid });
        }
        try { unlinkSync(this.file); } catch { /* raced with another taker */ }
      }
    }
    throw new AppError('E_STORE_LOCKED', `could not lock ${this.file}`);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    try { unlinkSync(this.file); } catch { /* already gone */ }
  }
}

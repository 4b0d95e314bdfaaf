// One running box per state folder: a lock file holding the owner's pid. A stale lock (its process
// is gone, e.g. after kill -9 or a power cut) is taken over; a live one is refused with a clear error.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../core/errors.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class StateLock {
  private held = false;
  readonly file: string;

  constructor(dataDir: string, name = 'appliance.lock') {
    mkdirSync(dataDir, { recursive: true });
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

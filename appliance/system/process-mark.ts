// A mark that names one running process on this machine for as long as it lives: boot id, pid and
// the pid's start time (so neither a reboot nor a reused pid makes a dead process look alive).
// Work a process leaves half-done in the store (an import) carries its mark; whoever cleans up
// later removes only what a process that is gone left behind.
import { readFileSync } from 'node:fs';

/** The kernel's id of the current boot, or null where /proc does not say. */
export function kernelBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

function bootId(): string {
  return kernelBootId() ?? 'unknown-boot';
}

/** Clock ticks since boot at which `pid` started (field 22 of /proc/<pid>/stat), or null. */
function startTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null;
  } catch {
    return null;
  }
}

/** This process's mark, e.g. "8c1f…:4242:123456". */
export function processMark(pid = process.pid): string {
  return `${bootId()}:${pid}:${startTicks(pid) ?? '?'}`;
}

/** True while the process that made `mark` runs on this machine. */
export function isRunning(mark: string | null): boolean {
  if (mark === null) return false;
  const [boot, pidText, ticks] = mark.split(':');
  const pid = Number(pidText);
  if (boot !== bootId() || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false; // EPERM: alive, not ours to signal
  }
  return ticks === '?' || startTicks(pid) === ticks;
}

// Child processes of the real executable (`bin/appliance.js`) for tests that kill and restart the box.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'appliance.js');

export interface Child {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export function runAppliance(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    out: () => out,
    err: () => err,
    async waitFor(re, timeoutMs) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const m = re.exec(out) ?? re.exec(err);
        if (m) return m;
        if (proc.exitCode !== null) throw new Error(`appliance ${args[0]} exited with ${proc.exitCode}:\n${err.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`appliance ${args[0]}: no ${re} within ${timeoutMs} ms:\n${err.slice(-2000)}`);
    },
    async kill(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

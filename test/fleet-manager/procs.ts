// Child processes for the fleet manager's acceptance tests: real boxes (box-app.ts), fleet-manager
// instances (fleet-manager/cli.ts serve) and the simulated-box publisher, each ended by the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..', '..');

export class Proc {
  readonly lines: string[] = [];
  private stderr = '';
  constructor(readonly child: ChildProcess, readonly name: string) {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      this.lines.push(...parts);
    });
    child.stderr!.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-4000); });
  }

  /** The first stdout line that parses as JSON and passes `test`. */
  async json<T>(test: (v: T) => boolean = () => true, timeoutMs = 60_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      for (const l of this.lines) {
        try {
          const v = JSON.parse(l) as T;
          if (test(v)) return v;
        } catch { /* not JSON */ }
      }
      if (this.child.exitCode !== null) throw new Error(`${this.name} exited with ${this.child.exitCode}: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${this.name}: no ready line within ${timeoutMs} ms: ${this.stderr}`);
  }

  get log(): string {
    return this.stderr;
  }

  async end(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(signal);
    const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
  }
}

export function tsProc(name: string, script: string, args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  return new Proc(spawn(process.execPath, ['--import=tsx', script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } }), name);
}

export const boxApp = (dataDir: string, broker: string, boxId: string): Proc => tsProc(boxId, join(HERE, 'box-app.ts'), [dataDir, broker, boxId]);

export const managerProc = (name: string, db: string, broker: string, clientId: string, extra: string[] = []): Proc =>
  tsProc(name, join(ROOT, 'fleet-manager', 'cli.ts'), ['serve', '--db', db, '--broker', broker, '--client-id', clientId, ...extra], { LOG_LEVEL: 'warn' });

// Small commands the box runs again and again (the clock's `timedatectl`), run by one /bin/sh started
// at the first command and kept, instead of a process spawned from the box each time. Node spawns by
// forking the whole box, on its event loop: measured on the 2-core test machine, 35 ms of the loop for a
// 10 MB process and ~100 ms for a 200 MB one (a box with a million-contact campaign), every poll, heard
// as a gap by every live call. The shell is forked once, small, and forks the commands itself.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface ShellResult {
  /** The command's exit code: 127 when it was not found, 126 when it cannot run; null when it timed out. */
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Pending {
  sh: ChildProcessWithoutNullStreams;
  done: boolean;
  out: string;
  err: string;
  outDone: boolean;
  errDone: boolean;
  code: number | null;
  finish: () => void;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export class CommandShell {
  private shell: ChildProcessWithoutNullStreams | null = null;
  private current: Pending | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly mark = `__vba_done_${randomBytes(8).toString('hex')}`;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** Runs `file args` (one command at a time, stdin empty); past `timeoutMs` the shell and the command are killed. */
  run(file: string, args: string[], timeoutMs: number): Promise<ShellResult> {
    const next = this.chain.then(() => this.runNow(file, args, timeoutMs));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Ends the shell (it also ends by itself with the box: its input closes). */
  close(): void {
    const sh = this.shell;
    this.shell = null;
    if (sh?.pid) this.kill(sh);
  }

  private runNow(file: string, args: string[], timeoutMs: number): Promise<ShellResult> {
    const sh = this.ensure();
    return new Promise<ShellResult>((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const p: Pending = {
        sh, done: false, out: '', err: '', outDone: false, errDone: false, code: null,
        finish: () => {
          if (p.done) return;
          p.done = true;
          if (timer) clearTimeout(timer);
          if (this.current === p) this.current = null;
          resolve({ code: p.code, stdout: p.out, stderr: p.err });
        },
      };
      this.current = p;
      timer = setTimeout(() => {
        // A command that hangs takes the shell with it (its process group); the next command starts another.
        if (this.shell === sh) this.shell = null;
        this.kill(sh);
        p.code = null;
        p.finish();
      }, timeoutMs);
      sh.stdin.write(`${[file, ...args].map(quote).join(' ')} </dev/null; printf '\\n%s %s\\n' ${this.mark} $?; printf '\\n%s\\n' ${this.mark} >&2\n`);
    });
  }

  private ensure(): ChildProcessWithoutNullStreams {
    if (this.shell) return this.shell;
    // Its own process group, so that a timeout ends the command it runs too.
    const sh = spawn('/bin/sh', ['-s'], { env: this.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.shell = sh;
    sh.unref();
    for (const s of [sh.stdin, sh.stdout, sh.stderr]) (s as unknown as { unref?: () => void }).unref?.();
    sh.stdout.setEncoding('utf8').on('data', (d: string) => this.take(sh, 'out', d));
    sh.stderr.setEncoding('utf8').on('data', (d: string) => this.take(sh, 'err', d));
    sh.stdin.on('error', () => undefined); // a killed shell: the next run starts another
    sh.on('error', () => { if (this.shell === sh) this.shell = null; });
    sh.on('exit', () => {
      if (this.shell === sh) this.shell = null;
      const p = this.current;
      if (p?.sh === sh) p.finish();
    });
    return sh;
  }

  private take(sh: ChildProcessWithoutNullStreams, stream: 'out' | 'err', data: string): void {
    const p = this.current;
    if (p?.sh !== sh) return;
    p[stream] += data;
    if (stream === 'out') {
      const end = new RegExp(`\\n${this.mark} (\\d+)\\n$`).exec(p.out);
      if (!end) return;
      p.code = Number(end[1]);
      p.out = p.out.slice(0, end.index);
      p.outDone = true;
    } else {
      if (!p.err.endsWith(`\n${this.mark}\n`)) return;
      p.err = p.err.slice(0, -(this.mark.length + 2));
      p.errDone = true;
    }
    if (p.outDone && p.errDone) p.finish();
  }

  private kill(sh: ChildProcessWithoutNullStreams): void {
    try {
      if (sh.pid) process.kill(-sh.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

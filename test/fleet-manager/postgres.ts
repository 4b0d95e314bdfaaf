// A throwaway PostgreSQL cluster for tests: initdb in a temp folder, pg_ctl on a free loopback port,
// stopped and removed after. As root, the server runs as the `postgres` user (initdb refuses root).
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../peers/ports.ts';

const BIN = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'].find((d) => existsSync(join(d, 'initdb')));

export class PgCluster {
  private constructor(readonly dir: string, readonly port: number, private readonly asUser: string | null) {}

  static available(): boolean {
    return BIN !== undefined;
  }

  static async start(): Promise<PgCluster> {
    if (!BIN) throw new Error('PostgreSQL server binaries not found: apt-get install -y postgresql');
    const dir = mkdtempSync(join(tmpdir(), 'fm-pg-'));
    const asUser = userInfo().uid === 0 ? 'postgres' : null;
    if (asUser) {
      const uid = Number(execFileSync('id', ['-u', asUser]).toString());
      const gid = Number(execFileSync('id', ['-g', asUser]).toString());
      chownSync(dir, uid, gid);
    }
    const c = new PgCluster(dir, await freePort(), asUser);
    c.run('initdb', ['-D', join(dir, 'data'), '-U', 'fleet', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    c.run('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-t', '30', '-o', `-p ${c.port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=50`, 'start']);
    return c;
  }

  url(db = 'postgres'): string {
    return `postgres://fleet@127.0.0.1:${this.port}/${db}`;
  }

  /** A fresh database per test, so tests on one cluster do not see each other's rows. */
  createDb(name: string): string {
    this.run('createdb', ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'fleet', name]);
    return this.url(name);
  }

  private run(bin: string, args: string[]): void {
    const cmd = join(BIN!, bin);
    if (this.asUser) execFileSync('runuser', ['-u', this.asUser, '--', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    else execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  }

  async stop(): Promise<void> {
    try {
      this.run('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } catch { /* already stopped */ }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// A real HttpService on 127.0.0.1 with an ephemeral port, over a temporary state folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { SettingsStore } from '../../appliance/config/settings.ts';
import { openStore, type Db } from '../../appliance/store/db.ts';
import { silentLogger } from '../../core/log.ts';
import type { TrunkStatus } from '../../core/call-port.ts';
import { HttpService, type HttpDeps } from '../../appliance/http/http-service.ts';
import { hashPassword } from '../../appliance/http/passwords.ts';
import type { Role } from '../../appliance/http/roles.ts';

export class FakeEngine extends EventEmitter {
  readonly name = 'embedded' as const;
  trunkList: TrunkStatus[] = [];
  calls = 0;
  trunks(): TrunkStatus[] {
    return this.trunkList;
  }
  activeCalls(): number {
    return this.calls;
  }
}

export interface Box {
  svc: HttpService;
  app: FastifyInstance;
  dataDir: string;
  settingsStore: SettingsStore;
  db: Db;
  engine: FakeEngine;
  out: string[];
  close(): Promise<void>;
}

/** `extra` overrides deps; as a function it gets the state folder first (to lay files there). */
export async function startBox(extra: Partial<HttpDeps> | ((dataDir: string) => Partial<HttpDeps>) = {}): Promise<Box> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vba-http-'));
  const more = typeof extra === 'function' ? extra(dataDir) : extra;
  const settingsStore = new SettingsStore(SettingsStore.pathIn(dataDir));
  await settingsStore.load({ overrides: [(s) => { s.http.port = 0; s.http.bindAddress = '127.0.0.1'; }] });
  const db = openStore({ dir: dataDir });
  const engine = new FakeEngine();
  const out: string[] = [];
  const svc = new HttpService({ settingsStore, db, logger: silentLogger(), dataDir, engine, out: (l) => out.push(l), webRoot: join(dataDir, 'no-ui'), ...more });
  await svc.start();
  return {
    svc,
    app: svc.app,
    dataDir,
    settingsStore,
    db,
    engine,
    out,
    async close() {
      await svc.stop();
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The random first-admin password the service printed. */
export function printedPassword(box: Box): string {
  const line = box.out.find((l) => l.startsWith('first start:'));
  const m = line ? / admin \/ (\S+) /.exec(line) : null;
  if (!m) throw new Error(`no first-start line in ${JSON.stringify(box.out)}`);
  return m[1]!;
}

export async function addUser(box: Box, username: string, password: string, role: Role): Promise<void> {
  const passwordHash = await hashPassword(password);
  await box.settingsStore.update((d) => { d.users.push({ username, passwordHash, role }); });
}

export interface Login {
  cookie: string;
  csrf: string;
  headers: Record<string, string>;
}

export function cookieOf(res: LightMyRequestResponse): string {
  const set = res.headers['set-cookie'];
  const first = Array.isArray(set) ? set[0] : set;
  if (!first) throw new Error('no set-cookie');
  return first.split(';')[0]!;
}

export async function login(box: Box, username: string, password: string, remoteAddress = '127.0.0.1'): Promise<Login> {
  const res = await box.app.inject({ method: 'POST', url: '/api/login', payload: { username, password }, remoteAddress });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  const cookie = cookieOf(res);
  const csrf = (res.json() as { csrfToken: string }).csrfToken;
  return { cookie, csrf, headers: { cookie, 'x-csrf-token': csrf } };
}

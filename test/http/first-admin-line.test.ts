// The first-start login line is what a person (or a script) waits for before opening the web UI: it is
// printed when the web UI already answers, so the login it names works at once; and a web UI that
// cannot listen still prints it, since the admin it names is kept.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsStore } from '../../appliance/config/settings.ts';
import { HttpService } from '../../appliance/http/http-service.ts';
import { openStore } from '../../appliance/store/db.ts';
import { silentLogger } from '../../core/log.ts';
import { FakeEngine } from './helpers.ts';
import { freePort } from '../peers/ports.ts';

async function service(t: import('ava').ExecutionContext, port: number, out: (line: string) => void): Promise<{ svc: HttpService; settingsStore: SettingsStore }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vba-first-line-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const settingsStore = new SettingsStore(SettingsStore.pathIn(dataDir));
  await settingsStore.load({ overrides: [(s) => { s.http.port = port; s.http.bindAddress = '127.0.0.1'; }] });
  const db = openStore({ dir: dataDir });
  t.teardown(() => db.close());
  const svc = new HttpService({ settingsStore, db, logger: silentLogger(), dataDir, engine: new FakeEngine(), out, webRoot: join(dataDir, 'no-ui') });
  return { svc, settingsStore };
}

test('the first-start login line is printed when the web UI answers, and that login works from it', async (t) => {
  const port = await freePort();
  // Called synchronously by the service: whether the port answers is checked by a connection started there.
  const answered: Array<Promise<boolean>> = [];
  const { svc } = await service(t, port, (line) => {
    const password = / admin \/ (\S+) /.exec(line)?.[1] ?? '';
    answered.push(fetch(`http://127.0.0.1:${port}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) }).then((r) => r.status === 200, () => false));
  });
  t.teardown(() => svc.stop());
  await svc.start();
  t.is(answered.length, 1, 'one login line');
  t.true(await answered[0], 'the login printed works on the port at the moment it is printed');
});

test('a web UI that cannot listen still prints the login of the admin it kept', async (t) => {
  const port = await freePort();
  const squatter: Server = createServer();
  await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => squatter.close(() => r())));
  const lines: string[] = [];
  const { svc, settingsStore } = await service(t, port, (line) => lines.push(line));
  await t.throwsAsync(svc.start(), { message: /EADDRINUSE|address already in use/ });
  t.is(settingsStore.stored().users.length, 1, 'the admin is kept');
  t.is(lines.length, 1);
  t.regex(lines[0]!, /^first start: web UI login admin \/ \S{20} — change it in Settings$/);
});

// The production engine's secrets from /etc/appliance/engine.env (APPLIANCE_DRACHTIO_SECRET,
// APPLIANCE_FREESWITCH_PASSWORD): in force in memory, never written to settings.json, never shown by
// GET /api/settings, and a box on a well-known secret is named at start.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsStore, weakEngineSecrets } from '../../appliance/config/settings.ts';
import { redactSettings } from '../../appliance/http/settings-doc.ts';
import { login, printedPassword, startBox } from '../http/helpers.ts';

const DRACHTIO = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const FREESWITCH = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const ENV = { APPLIANCE_DRACHTIO_SECRET: DRACHTIO, APPLIANCE_FREESWITCH_PASSWORD: FREESWITCH };

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'vba-engine-secrets-'));
}

test('the box takes the engine secrets out of its environment, so the programs it starts do not inherit them', async (t) => {
  const dir = tmp();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const saved = { ...process.env };
  t.teardown(() => { for (const k of Object.keys(ENV)) { if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k]; } });
  Object.assign(process.env, ENV);
  const store = new SettingsStore(SettingsStore.pathIn(dir));
  const s = await store.load({ env: process.env });
  t.is(s.drachtio.secret, DRACHTIO);
  t.is(s.drachtio.freeswitch.secret, FREESWITCH);
  t.false('APPLIANCE_DRACHTIO_SECRET' in process.env);
  t.false('APPLIANCE_FREESWITCH_PASSWORD' in process.env);
  const child = execFileSync('env', { encoding: 'utf8' });
  t.false(child.includes(DRACHTIO) || child.includes(FREESWITCH), 'a child process sees neither secret');
  // Still in force after a change through the store.
  t.is((await store.update((d) => { d.box.name = 'renamed'; })).drachtio.secret, DRACHTIO);
});

test('the engine secrets from the environment are in force but never written to settings.json', async (t) => {
  const dir = tmp();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = new SettingsStore(SettingsStore.pathIn(dir));
  const s = await store.load({ env: ENV });
  t.is(s.drachtio.secret, DRACHTIO);
  t.is(s.drachtio.freeswitch.secret, FREESWITCH);
  // What the UI edits stays the stored document; the file holds no trace of them.
  t.is(store.stored().drachtio.secret, 'cymru');
  const file = readFileSync(store.file, 'utf8');
  t.false(file.includes(DRACHTIO));
  t.false(file.includes(FREESWITCH));
  // A later change through the store keeps the overrides in force and still writes none of them.
  const after = await store.update((d) => { d.box.name = 'renamed'; });
  t.is(after.drachtio.secret, DRACHTIO);
  t.false(readFileSync(store.file, 'utf8').includes(DRACHTIO));
  // An empty variable (EnvironmentFile with VAR=) leaves the setting alone.
  const none = await new SettingsStore(SettingsStore.pathIn(dir)).load({ env: { APPLIANCE_DRACHTIO_SECRET: '' } });
  t.is(none.drachtio.secret, 'cymru');
});

test('redaction covers both engine secrets, in the stored document and in the one in force', async (t) => {
  const dir = tmp();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = new SettingsStore(SettingsStore.pathIn(dir));
  const s = await store.load({ env: ENV });
  for (const doc of [redactSettings(s), redactSettings(store.stored())]) {
    const d = doc as { drachtio: { secret: string; freeswitch: { secret: string } } };
    t.is(d.drachtio.secret, '[redacted]');
    t.is(d.drachtio.freeswitch.secret, '[redacted]');
    const text = JSON.stringify(doc);
    for (const secret of [DRACHTIO, FREESWITCH, 'cymru', 'ClueCon']) t.false(text.includes(secret), secret);
  }
});

test('GET /api/settings on a box with the engine secrets in its environment shows them redacted', async (t) => {
  const dir = tmp();
  const settingsStore = new SettingsStore(SettingsStore.pathIn(dir));
  await settingsStore.load({ env: ENV, overrides: [(s) => { s.http.port = 0; s.http.bindAddress = '127.0.0.1'; }] });
  const box = await startBox({ settingsStore });
  t.teardown(async () => { await box.close(); rmSync(dir, { recursive: true, force: true }); });
  const l = await login(box, 'admin', printedPassword(box));
  const res = await box.app.inject({ url: '/api/settings', headers: l.headers });
  t.is(res.statusCode, 200);
  for (const secret of [DRACHTIO, FREESWITCH, 'cymru', 'ClueCon']) t.false(res.body.includes(secret), secret);
  const doc = res.json() as { drachtio: { secret: string; freeswitch: { secret: string } } };
  t.is(doc.drachtio.secret, '[redacted]');
  t.is(doc.drachtio.freeswitch.secret, '[redacted]');
});

test('a drachtio box still on a well-known secret is told which setting, never the value', async (t) => {
  const dir = tmp();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const load = (env: NodeJS.ProcessEnv) => new SettingsStore(SettingsStore.pathIn(dir)).load({ env });
  t.deepEqual(weakEngineSecrets(await load({ APPLIANCE_ENGINE: 'drachtio' })), ['drachtio.secret', 'drachtio.freeswitch.secret']);
  t.deepEqual(weakEngineSecrets(await load({ APPLIANCE_ENGINE: 'drachtio', APPLIANCE_DRACHTIO_SECRET: 'CHANGE-ME-SECRET', APPLIANCE_FREESWITCH_PASSWORD: FREESWITCH })), ['drachtio.secret']);
  t.deepEqual(weakEngineSecrets(await load({ APPLIANCE_ENGINE: 'drachtio', ...ENV })), []);
  // The embedded engine uses neither, so nothing to say.
  t.deepEqual(weakEngineSecrets(await load({})), []);
});

import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsStore } from '../../appliance/config/settings.ts';
import { trunkDefaults } from '../../core/trunk-defaults.ts';
import { isAppError } from '../../core/errors.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'vba-settings-'));

test('first start writes the defaults to settings.json', async (t) => {
  const dir = tmp();
  const store = new SettingsStore(SettingsStore.pathIn(dir));
  const s = await store.load();
  t.is(s.engine, 'embedded');
  t.is(s.http.port, 8080);
  const onDisk = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'));
  t.is(onDisk.version, 1);
});

test('an invalid change names the key and leaves the file untouched', async (t) => {
  const dir = tmp();
  const store = new SettingsStore(SettingsStore.pathIn(dir));
  await store.load();
  const before = readFileSync(join(dir, 'settings.json'), 'utf8');
  const err = await t.throwsAsync(store.update((d) => {
    d.trunks.push(trunkDefaults({ name: 'ovh', host: 'sip.example.net', auth: 'register' }));
    d.http.port = 70000;
  }));
  t.true(isAppError(err));
  t.regex(err!.message, /http\.port|trunks\.0\.username/);
  t.is(readFileSync(join(dir, 'settings.json'), 'utf8'), before);
  t.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

test('a valid change is written and survives a reload', async (t) => {
  const dir = tmp();
  const store = new SettingsStore(SettingsStore.pathIn(dir));
  await store.load();
  await store.update((d) => {
    d.trunks.push(trunkDefaults({ name: 'office', host: '127.0.0.1', port: 5070 }));
    d.defaultTrunk = 'office';
  });
  const again = await new SettingsStore(SettingsStore.pathIn(dir)).load();
  t.is(again.defaultTrunk, 'office');
  t.is(again.trunks[0]!.port, 5070);
});

test('environment overrides apply in memory only, and a bad one names its variable', async (t) => {
  const dir = tmp();
  const store = new SettingsStore(SettingsStore.pathIn(dir));
  const s = await store.load({ env: { APPLIANCE_HTTP_PORT: '9090' } });
  t.is(s.http.port, 9090);
  t.is(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).http.port, 8080);
  const err = await t.throwsAsync(new SettingsStore(SettingsStore.pathIn(dir)).load({ env: { APPLIANCE_SIP_PORT: 'five' } }));
  t.regex(err!.message, /APPLIANCE_SIP_PORT/);
});

test('an unknown key in a hand-edited file is reported by name', async (t) => {
  const dir = tmp();
  const file = SettingsStore.pathIn(dir);
  await new SettingsStore(file).load();
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  doc.sip.bogus = 1;
  writeFileSync(file, JSON.stringify(doc));
  const err = await t.throwsAsync(new SettingsStore(file).load());
  t.regex(err!.message, /sip\.bogus: unknown setting/);
});

test('media.workers (issue 19): absent by default (one per core), 0 keeps the media on the main thread, set from APPLIANCE_MEDIA_WORKERS; a negative count names the key', async (t) => {
  const dir = tmp();
  const store = new SettingsStore(SettingsStore.pathIn(dir));
  t.is((await store.load()).media.workers, undefined);
  t.is((await new SettingsStore(SettingsStore.pathIn(dir)).load({ env: { APPLIANCE_MEDIA_WORKERS: '0' } })).media.workers, 0);
  const err = await t.throwsAsync(store.update((d) => {
    d.media.workers = -1;
  }));
  t.regex(err!.message, /media\.workers/);
  await store.update((d) => {
    d.media.workers = 1;
  });
  t.is((await new SettingsStore(SettingsStore.pathIn(dir)).load()).media.workers, 1);
});

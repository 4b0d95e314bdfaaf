// Issue 19: a campaign start records its list's cursor and copies a first chunk; the rest of the list
// joins the campaign's ledger as the dialer reaches it, a chunk at a time. The box is SIGKILLed twice
// while a 60,000-contact campaign runs; after each restart the campaign counts its whole list, and the
// ledger goes on from the cursor its last commit left. At the end (the rest copied from that cursor) the
// campaign holds every contact of the list exactly once, its counters (kept by triggers and by the copy)
// agree with its rows, and SQLite's integrity check passes.
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { runAppliance, sandboxBoxSettings, type Child } from '../support/processes.ts';
import { freePort } from '../peers/ports.ts';
import { CampaignsRepo } from '../../appliance/store/campaigns-repo.ts';

const CONTACTS = 60_000;

async function waitHttp(base: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${base}/api/openapi.json`)).ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`box not answering on ${base}`);
}

test('SIGKILL while a 60,000-contact campaign runs: its list joins the ledger from the last cursor, every contact once, counters true', async (t) => {
  t.timeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), 'vba-start-crash-'));
  const data = join(dir, 'box');
  const httpPort = await freePort();
  const base = `http://127.0.0.1:${httpPort}`;
  // Nothing answers on the trunk's port: calls fail fast, the copy is what this test is about.
  const settings = sandboxBoxSettings({ httpPort, sipPort: await freePort(), sandboxPort: await freePort(), rtpPorts: 40, channels: 2, cps: 1 });
  settings.compliance.pack = 'none';
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, 'settings.json'), JSON.stringify(settings, null, 2));

  const lines = ['name;phone'];
  for (let i = 0; i < CONTACTS; i++) lines.push(`Contact ${i};+336${String(20_000_000 + i)}`);
  writeFileSync(join(dir, 'list.csv'), lines.join('\n'));
  const imp = runAppliance(['import', join(dir, 'list.csv'), '--list', 'big', '--json', '--data', data]);
  await imp.waitFor(new RegExp(`"accepted":${CONTACTS}`), 240_000);
  await imp.kill();

  let box: Child = runAppliance(['start', '--data', data]);
  t.teardown(() => box.kill('SIGKILL'));
  const password = (await box.waitFor(/login admin \/ (\S+)/, 60_000))[1]!;
  await waitHttp(base, 60_000);
  const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrf = ((await (await fetch(`${base}/api/session`, { headers: { cookie } })).json()) as { csrfToken: string }).csrfToken;
  const call = async <T>(method: string, path: string, body?: unknown, type = 'application/json'): Promise<T> => {
    const r = await fetch(base + path, { method, headers: { cookie, 'x-csrf-token': csrf, ...(body === undefined ? {} : { 'content-type': type }) }, body: body === undefined ? undefined : (Buffer.isBuffer(body) ? body : JSON.stringify(body)) });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const wav = join(dir, 'message.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', '0.5', 'sine', '400', 'vol', '0.5']);
  const rec = await call<{ id: string }>('POST', '/api/recordings?name=msg', readFileSync(wav), 'application/octet-stream');
  const lists = await call<Array<{ id: number; name: string }>>('GET', '/api/lists');
  const campaign = await call<{ id: number }>('POST', '/api/campaigns', {
    name: 'big', listId: lists.find((l) => l.name === 'big')!.id,
    config: {
      message: rec.id, callerId: '+33123456789', trunks: ['sandbox'], menu: {}, amd: false,
      schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] },
      maxConcurrent: 1, cps: 1, ringTimeoutMs: 5000, maxAttempts: 1,
    },
  });

  const db = new Database(join(data, 'appliance.db'), { readonly: true });
  t.teardown(() => db.close());
  const progress = () => db.prepare('SELECT copied FROM campaign_starts WHERE campaign_id = ?').pluck().get(campaign.id) as number | undefined;

  const started = await call<{ status: string; counters: { contacts: number; pending: number } }>('POST', `/api/campaigns/${campaign.id}/start`);
  t.is(started.status, 'running', 'the start answers at once, running');
  t.is(started.counters.contacts, CONTACTS, 'the contacts not copied yet count already');
  let kills = 0;
  for (let k = 0; k < 2; k++) {
    const copied = progress();
    if (copied === undefined) break; // copied whole before the kill: nothing left to interrupt
    box.proc.kill('SIGKILL');
    await new Promise<void>((r) => box.proc.once('exit', () => r()));
    kills++;
    t.log(`killed while ${copied} of ${CONTACTS} were copied`);
    box = runAppliance(['start', '--data', data]);
    await waitHttp(base, 120_000);
    // Let the dialer go on for a while before the next kill.
    await new Promise((r) => setTimeout(r, 1500));
  }
  t.true(kills >= 1, 'the box was killed at least once while the campaign ran');
  const view = await call<{ status: string; counters: Record<string, number> }>('GET', `/api/campaigns/${campaign.id}`);
  t.true((progress() ?? 0) < CONTACTS, 'the list was not copied whole: it joins the ledger as the dialer goes');
  await box.kill('SIGTERM');
  // The rest of the list joins the ledger from the cursor the box left (as its dialer would go on doing).
  const rw = new Database(join(data, 'appliance.db'));
  const repo = new CampaignsRepo(rw);
  while (!repo.copyChunk(campaign.id, 5000).done) { /* next chunk */ }
  rw.close();
  t.is(progress(), undefined, 'the cursor is gone with the last chunk');

  t.is(db.pragma('integrity_check', { simple: true }), 'ok');
  t.is(db.prepare('SELECT COUNT(*) FROM campaign_contacts WHERE campaign_id = ?').pluck().get(campaign.id), CONTACTS, 'every contact of the list is in the campaign');
  t.is(db.prepare('SELECT COUNT(DISTINCT e164) FROM campaign_contacts WHERE campaign_id = ?').pluck().get(campaign.id), CONTACTS, 'each once');
  const rows = db.prepare('SELECT state, COUNT(*) n FROM campaign_contacts WHERE campaign_id = ? GROUP BY state').all(campaign.id) as Array<{ state: string; n: number }>;
  const counted = db.prepare("SELECT key state, n FROM campaign_counts WHERE campaign_id = ? AND kind = 'state' AND n != 0").all(campaign.id) as Array<{ state: string; n: number }>;
  const byState = (xs: Array<{ state: string; n: number }>) => Object.fromEntries(xs.map((x) => [x.state, x.n]));
  t.deepEqual(byState(counted), byState(rows), 'the counters agree with the rows');
  t.is(view.counters.contacts, CONTACTS);
});

// Issue 3, must-show 2: the box is SIGKILLed at 20 random moments of a 2,000-contact sandbox campaign
// and restarted each time. At the end every contact has a final state, no number was dialled more
// often than the retry policy allows (counted at the sandbox, a separate process, from its own log),
// and SQLite's integrity check passes.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runAppliance, sandboxBoxSettings, type Child } from '../support/processes.ts';
import { freePort, } from '../peers/ports.ts';
import { invitesPerNumber } from '../../sip/sandbox/records.ts';
import { rng } from '../support/random.ts';

const CONTACTS = 2000;
const KILLS = 20;
const MAX_ATTEMPTS = 3;


/**
 * Until the box answers HTTP. A guard against a box that never comes up, not a speed target: wide, since
 * the suite runs two files at a time on two cores. A box that exits, or stays silent, is reported with
 * its exit status and the tail of what it printed, so a failure says why.
 */
async function waitHttp(base: string, box: Child, timeoutMs: number): Promise<void> {
  const started = Date.now();
  const until = started + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < until) {
    if (box.proc.exitCode !== null || box.proc.signalCode !== null) break;
    try {
      const r = await fetch(`${base}/api/openapi.json`, { signal: AbortSignal.timeout(Math.max(1, until - Date.now())) });
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (e) { last = (e as Error).message; }
    await new Promise((r) => setTimeout(r, 100));
  }
  const state = box.proc.exitCode !== null || box.proc.signalCode !== null ? `exited (${box.proc.exitCode ?? box.proc.signalCode})` : 'still running';
  throw new Error(`box not answering on ${base} after ${Date.now() - started} ms (${last}); the box ${state}\nstdout: ${box.out().slice(-1500)}\nstderr: ${box.err().slice(-1500)}`);
}

test('SIGKILL at 20 random moments: every contact final, nobody over-dialled, database intact', async (t) => {
  t.timeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), 'vba-crash-'));
  const data = join(dir, 'box');
  const sandboxLog = join(dir, 'sandbox.jsonl');
  const sipPort = await freePort();
  const sandboxPort = await freePort();
  const httpPort = await freePort();
  const base = `http://127.0.0.1:${httpPort}`;

  // The sandbox runs in its own process: it outlives every kill of the box and counts what it receives.
  // It starts while the contacts are imported (the box needs it only once the campaign dials).
  const sandbox = runAppliance(['sandbox', '--port', String(sandboxPort), '--time-scale', '0.1', '--seed', '11', '--log', sandboxLog, '--data', join(dir, 'sandbox')]);
  t.teardown(() => sandbox.kill());
  const sandboxUp = sandbox.waitFor(/listening on/, 120_000);
  sandboxUp.catch(() => { /* awaited below, after the import */ });

  const settings = sandboxBoxSettings({ httpPort, sipPort, sandboxPort, rtpPorts: 400, channels: 120, cps: 80 });
  // The sandbox is a simulated network: the permissive pack, chosen explicitly.
  settings.compliance.pack = 'none';
  execFileSync('mkdir', ['-p', data]);
  writeFileSync(join(data, 'settings.json'), JSON.stringify(settings, null, 2));

  const numbers: string[] = [];
  const lines = ['name;phone'];
  for (let i = 0; i < CONTACTS; i++) {
    const n = `+3361${String(2000000 + i * 37).padStart(7, '0')}`;
    numbers.push(n);
    lines.push(`Contact ${i};${n}`);
  }
  const csv = join(dir, 'contacts.csv');
  writeFileSync(csv, lines.join('\n'));
  const imp = runAppliance(['import', csv, '--list', 'crash', '--json', '--data', data]);
  await imp.waitFor(/"accepted":2000/, 120_000);
  await imp.kill();
  await sandboxUp;

  let box: Child = runAppliance(['start', '--data', data]);
  t.teardown(() => box.kill('SIGKILL'));
  // Guards against a process that never comes up, not speed targets: wide for a loaded CI machine.
  const password = (await box.waitFor(/login admin \/ (\S+)/, 120_000))[1]!;
  await waitHttp(base, box, 120_000);
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
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', '0.8', 'sine', '400-800', 'vol', '0.5']);
  const rec = await call<{ id: string }>('POST', '/api/recordings?name=msg', readFileSync(wav), 'application/octet-stream');
  const lists = await call<Array<{ id: number; name: string }>>('GET', '/api/lists');
  const short = { delayMs: 800, maxRetries: 2 };
  const campaign = await call<{ id: number }>('POST', '/api/campaigns', {
    name: 'crash',
    listId: lists.find((l) => l.name === 'crash')!.id,
    config: {
      message: rec.id,
      callerId: '+33123456789',
      trunks: ['sandbox'],
      menu: {},
      amd: false,
      schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] },
      // fast enough to finish soon after the last kill (the suite's time), slow enough to be live at each
      maxConcurrent: 120,
      cps: 80,
      ringTimeoutMs: 5000,
      maxAttempts: MAX_ATTEMPTS,
      retry: { busy: short, 'no-answer': short, declined: short, interrupted: { delayMs: 1500, maxRetries: 2 }, 'machine-no-message': short },
    },
  });
  await call('POST', `/api/campaigns/${campaign.id}/start`);

  const random = rng(20261128);
  const restartMs: number[] = [];
  const killsFrom = Date.now();
  let liveAtKill = 0; // kills that found the campaign still dialling
  for (let k = 0; k < KILLS; k++) {
    await new Promise((r) => setTimeout(r, 700 + random() * 2300));
    if ((await call<{ status: string }>('GET', `/api/campaigns/${campaign.id}`)).status === 'running') liveAtKill++;
    box.proc.kill('SIGKILL');
    await new Promise<void>((r) => box.proc.once('exit', () => r()));
    const restarted = Date.now();
    box = runAppliance(['start', '--data', data]);
    await waitHttp(base, box, 120_000);
    restartMs.push(Date.now() - restarted);
  }
  t.log(`restart to HTTP answering: slowest ${Math.max(...restartMs)} ms, median ${restartMs.sort((a, b) => a - b)[Math.floor(KILLS / 2)]} ms`);

  const drainFrom = Date.now();
  let view: { status: string; counters: Record<string, number> } = { status: '', counters: {} };
  const until = Date.now() + 300_000;
  while (Date.now() < until) {
    view = await call('GET', `/api/campaigns/${campaign.id}`);
    if (view.status === 'completed') break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  await box.kill('SIGTERM');
  t.is(view.status, 'completed', JSON.stringify(view.counters));
  t.log(`kills over ${((drainFrom - killsFrom) / 1000).toFixed(1)} s (${liveAtKill} of ${KILLS} with the campaign dialling), then ${((Date.now() - drainFrom) / 1000).toFixed(1)} s to completion`);
  t.true(liveAtKill >= KILLS / 2, `only ${liveAtKill} of ${KILLS} kills came while the campaign was dialling`);

  const db = new Database(join(data, 'appliance.db'), { readonly: true });
  t.teardown(() => db.close());
  t.is(db.pragma('integrity_check', { simple: true }), 'ok');
  const states = db.prepare('SELECT state, COUNT(*) n FROM campaign_contacts WHERE campaign_id = ? GROUP BY state').all(campaign.id) as Array<{ state: string; n: number }>;
  t.deepEqual(states.filter((s) => !['done', 'blocked'].includes(s.state)), [], 'no contact left pending, waiting or calling');
  t.is(states.reduce((a, s) => a + s.n, 0), CONTACTS);
  t.is(db.prepare("SELECT COUNT(*) FROM attempts WHERE state = 'intent'").pluck().get(), 0);
  const interrupted = db.prepare("SELECT COUNT(*) FROM attempts WHERE outcome = 'interrupted'").pluck().get() as number;
  t.true(interrupted > 0, 'the kills interrupted calls in progress');

  // Counted at the sandbox: dial attempts per number never exceed the policy's maximum.
  const seen = invitesPerNumber(sandboxLog);
  const over = [...seen.entries()].filter(([, n]) => n > MAX_ATTEMPTS);
  t.deepEqual(over, [], 'numbers dialled more often than maxAttempts');
  t.is(numbers.filter((n) => !seen.has(n)).length, 0, 'every contact was dialled at least once');
  t.log(`kills: ${KILLS}, interrupted attempts: ${interrupted}, INVITEs at the sandbox: ${[...seen.values()].reduce((a, b) => a + b, 0)}`);
});

// Issue 8, must-show 3: a 200-contact campaign on the sandbox trunk, once with each engine and the same
// sandbox seed, ends with the same outcome counts. The drachtio half needs drachtio-server and
// FreeSWITCH (see servers.ts); without them the test is skipped with one clear line.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestBox } from '../support/appliance.ts';
import { findServers, SKIP_LINE, startServers, type RunningServers } from './servers.ts';

const CONTACTS = 200;
const SEED = 8;

interface Finals { status: string; byFinalOutcome: Record<string, number> }

async function runCampaign(engine: 'embedded' | 'drachtio', servers: RunningServers | null): Promise<Finals> {
  const box = await startTestBox({
    sandbox: { seed: SEED, timeScale: 0.1 },
    settings: (s) => {
      s.engine = engine;
      if (servers) s.drachtio = servers.settings;
    },
  });
  try {
    const rows = ['phone', ...Array.from({ length: CONTACTS }, (_, i) => `+3361${String(2000000 + i * 37).padStart(7, '0')}`)].join('\n');
    const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=contacts.csv', Buffer.from(rows));
    if (up.status !== 200) throw new Error(up.text);
    const imp = await box.api.send<{ accepted: number; list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: `c-${engine}`, country: 'FR' });
    if (imp.status !== 201 || imp.body.accepted !== CONTACTS) throw new Error(imp.text);
    const dir = mkdtempSync(join(tmpdir(), 'vba-eng-msg-'));
    const wav = join(dir, 'message.wav');
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', '0.8', 'sine', '300-900', 'vol', '0.5']);
    const rec = await box.api.send<{ id: string }>('POST', '/api/recordings?name=Msg&filename=message.wav', readFileSync(wav));
    rmSync(dir, { recursive: true, force: true });
    if (rec.status !== 201) throw new Error(rec.text);
    const created = await box.api.send<{ id: number }>('POST', '/api/campaigns', {
      name: `same seed ${engine}`,
      listId: imp.body.list.id,
      config: {
        message: rec.body.id, voicemail: rec.body.id, callerId: '+33123456789', trunks: ['sandbox'],
        schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] },
        maxConcurrent: 40, cps: 40, ringTimeoutMs: 5000, maxAttempts: 1,
      },
    });
    if (created.status !== 201) throw new Error(created.text);
    const started = await box.api.send('POST', `/api/campaigns/${created.body.id}/start`);
    if (started.status !== 200) throw new Error(started.text);
    let status = 'running';
    const until = Date.now() + 240_000; // a cap for a stuck campaign, not a speed target
    while (Date.now() < until && status !== 'completed') {
      await new Promise((r) => setTimeout(r, 1000));
      status = (await box.api.get<{ status: string }>(`/api/campaigns/${created.body.id}`)).body.status;
    }
    const report = (await box.api.get<{ byFinalOutcome: Record<string, number> }>(`/api/campaigns/${created.body.id}/report`)).body;
    return { status, byFinalOutcome: report.byFinalOutcome };
  } finally {
    await box.stop();
  }
}

const found = findServers();
if (!found.bins) console.log(`${SKIP_LINE} (${found.why})`);
const run = found.bins ? test : test.skip;

run(`${CONTACTS} contacts on the sandbox: the drachtio engine ends with the embedded engine's outcome counts`, async (t) => {
  t.timeout(360_000);
  const servers = await startServers(found.bins!, { rtpPorts: 200 });
  t.teardown(() => servers.stop());
  t.log(`drachtio-server ${servers.versions.drachtio}, FreeSWITCH ${servers.versions.freeswitch}`);
  const embedded = await runCampaign('embedded', null);
  const drachtio = await runCampaign('drachtio', servers);
  t.log(`embedded ${JSON.stringify(embedded.byFinalOutcome)}`);
  t.log(`drachtio ${JSON.stringify(drachtio.byFinalOutcome)}`);
  t.is(embedded.status, 'completed');
  t.is(drachtio.status, 'completed');
  t.is(Object.values(drachtio.byFinalOutcome).reduce((a, b) => a + b, 0), CONTACTS);
  t.deepEqual(drachtio.byFinalOutcome, embedded.byFinalOutcome);
});

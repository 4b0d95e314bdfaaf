// Issue 3, must-show 1: a 500-row French spreadsheet export imported through the API, a campaign run
// on the sandbox trunk (real SIP/RTP on loopback), and a final outcome for every valid contact.
import { parse as parseCsv } from 'csv-parse/sync';
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frenchExport } from '../fixtures/contacts/french-export.ts';
import { startTestBox } from '../support/appliance.ts';

const MIN_WAIT = { delayMs: 500, maxRetries: 1 };

test('a French export runs to a final outcome for every valid contact on the sandbox', async (t) => {
  t.timeout(240_000);
  const box = await startTestBox({ sandbox: { seed: 7, timeScale: 0.1 } });
  t.teardown(() => box.stop());

  const fx = frenchExport(42);
  const up = await box.api.send<{ accepted: number; rejected: Array<{ row: number; column: string; reason: string }>; list: { id: number } }>(
    'POST', '/api/lists/preview?filename=clients.csv', fx.bytes);
  t.is(up.status, 200, up.text);
  const uploadId = (up.body as unknown as { uploadId: string }).uploadId;
  const imp = await box.api.send<{ accepted: number; rejected: Array<{ row: number; column: string; reason: string }>; list: { id: number } }>(
    'POST', '/api/lists', { uploadId, name: 'Clients mars', country: 'FR' });
  t.is(imp.status, 201, imp.text);
  t.is(imp.body.accepted, 466);
  t.deepEqual(imp.body.rejected.map((r) => r.row), fx.broken.map((b) => b.row));
  t.true(imp.body.rejected.every((r) => r.column === 'Téléphone' && r.reason.length > 10));

  const dir = mkdtempSync(join(tmpdir(), 'vba-msg-'));
  const wav = join(dir, 'message.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', '1.0', 'sine', '300-900', 'vol', '0.5']);
  const rec = await box.api.send<{ id: string }>('POST', '/api/recordings?name=Rappel&filename=message.wav', readFileSync(wav));
  t.is(rec.status, 201, rec.text);

  const created = await box.api.send<{ id: number; status: string }>('POST', '/api/campaigns', {
    name: 'Rappel rendez-vous',
    listId: imp.body.list.id,
    config: {
      message: rec.body.id,
      voicemail: rec.body.id,
      callerId: '+33123456789',
      trunks: ['sandbox'],
      schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] },
      maxConcurrent: 100,
      cps: 50,
      ringTimeoutMs: 5000,
      maxAttempts: 3,
      retry: { busy: MIN_WAIT, 'no-answer': MIN_WAIT, declined: MIN_WAIT, 'trunk-failure': { delayMs: 500, maxRetries: 3, uncounted: true }, 'machine-no-message': MIN_WAIT },
    },
  });
  t.is(created.status, 201, created.text);
  const started = await box.api.send<{ status: string }>('POST', `/api/campaigns/${created.body.id}/start`);
  t.is(started.status, 200, started.text);
  t.is(started.body.status, 'running');

  let view: { status: string; counters: Record<string, number> } = { status: 'running', counters: {} };
  const until = Date.now() + 200_000;
  while (Date.now() < until) {
    view = (await box.api.get<typeof view>(`/api/campaigns/${created.body.id}`)).body;
    if (view.status === 'completed') break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  t.is(view.status, 'completed', JSON.stringify(view.counters));
  t.is(view.counters.contacts, 466);
  t.is((view.counters.done ?? 0) + (view.counters.blocked ?? 0), 466);

  const report = (await box.api.get<{ byFinalOutcome: Record<string, number>; answerRate: number; amdAgreement: { callsWithKeys: number; agreement: number | null } }>(`/api/campaigns/${created.body.id}/report`)).body;
  // Keys pressed are ground truth for "a person answered": detection should agree on this audio.
  t.true(report.amdAgreement.callsWithKeys > 0);
  t.true((report.amdAgreement.agreement ?? 0) >= 0.9, JSON.stringify(report.amdAgreement));
  const finals = Object.values(report.byFinalOutcome).reduce((a, b) => a + b, 0);
  t.is(finals, 466);
  t.true((report.byFinalOutcome.human ?? 0) + (report.byFinalOutcome.confirmed ?? 0) > 100, JSON.stringify(report.byFinalOutcome));
  t.true((report.byFinalOutcome['invalid-number'] ?? 0) > 0);
  const csv = await box.api.get(`/api/campaigns/${created.body.id}/export.csv`);
  t.is(csv.status, 200);
  // One record per contact and a header (a cell of the list's own columns may hold a line break).
  const records = parseCsv(csv.text.replace(/^\uFEFF/, '')) as string[][];
  t.is(records.length, 467);
  t.true(records.every((r) => r.length === records[0]!.length));
});

// Issue 4, must-show 3: a campaign runs across the end of the French legal window (Wednesday 20:00
// in Paris) on a fast clock; no attempt is ever placed after the close, and the contacts left wait for
// Thursday 10:00.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestBox } from '../support/appliance.ts';
import { addList } from './fixtures.ts';

const START = Date.parse('2026-06-03T17:58:40Z'); // Wednesday 19:58:40 in Paris
const CLOSE = Date.parse('2026-06-03T18:00:00Z'); // 20:00 in Paris
const SPEED = 20; // one real second is 20 s on the box's clock

test('no attempt after the legal window closes; the rest wait for the next opening', async (t) => {
  t.timeout(120_000);
  // The box's clock stands still until the campaign starts: a slow start-up on a loaded machine must
  // not eat the minutes before the close.
  let t0 = 0;
  const clock = (): number => (t0 === 0 ? START : START + (Date.now() - t0) * SPEED);
  const box = await startTestBox({ sandbox: { seed: 5, timeScale: 0.1, mix: 'listener=1' }, now: clock, settings: (s) => { s.compliance.pack = 'fr'; } });
  const dir = mkdtempSync(join(tmpdir(), 'vba-window-'));
  t.teardown(async () => {
    await box.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const db = box.app.db;
  const { listId } = addList(db, 'window-list', Array.from({ length: 60 }, (_, i) => ({ e164: `+3314300${String(1000 + i)}`, zones: ['Europe/Paris'] })));
  const wav = join(dir, 'm.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', '1.0', 'sine', '300-900', 'vol', '0.5']);
  const rec = await box.api.send<{ id: string }>('POST', '/api/recordings?name=m&filename=m.wav', readFileSync(wav));
  t.is(rec.status, 201, rec.text);
  const c = await box.api.send<{ id: number }>('POST', '/api/campaigns', { name: 'evening', listId, config: {
    message: rec.body.id, callerId: '+33162000000', trunks: ['sandbox'], amd: false, maxAttempts: 1,
    schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] }, maxConcurrent: 4, cps: 1, ringTimeoutMs: 5000,
  } });
  t.is(c.status, 201, c.text);
  t0 = Date.now();
  t.is((await box.api.send('POST', `/api/campaigns/${c.body.id}/start`)).status, 200);
  // Run until well past the close on the box's clock (20:02:40).
  while (clock() < CLOSE + 160_000) await new Promise((r) => setTimeout(r, 200));

  const intents = db.prepare('SELECT intent_at FROM attempts WHERE campaign_id = ?').pluck().all(c.body.id) as number[];
  t.true(intents.length > 0, 'calls were placed before the close');
  t.true(intents.length < 60, 'the close stopped the campaign');
  for (const at of intents) t.true(at < CLOSE, `attempt at ${new Date(at).toISOString()} is after 20:00 in Paris`);
  const left = db.prepare("SELECT next_at FROM campaign_contacts WHERE campaign_id = ? AND state IN ('pending', 'waiting')").pluck().all(c.body.id) as number[];
  t.true(left.length > 0);
  const postponed = left.filter((n) => n > CLOSE);
  t.true(postponed.length > 0);
  for (const n of postponed) t.is(new Date(n).toISOString(), '2026-06-04T08:00:00.000Z'); // Thursday 10:00 in Paris
  t.deepEqual(db.prepare("SELECT COUNT(*) FROM campaign_contacts WHERE campaign_id = ? AND state = 'blocked'").pluck().get(c.body.id), 0);
});

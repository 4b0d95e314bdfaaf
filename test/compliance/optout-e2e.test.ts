// Issue 4, must-show 2: a sandbox campaign where contacts press the opt-out key; a second campaign
// started right after never dials those numbers, and each suppression is in the fleet outbox.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestBox } from '../support/appliance.ts';
import { addList } from './fixtures.ts';
import { dncHash } from '../../appliance/compliance/number-hash.ts';


async function waitCompleted(get: () => Promise<{ status: string }>, ms: number): Promise<string> {
  const until = Date.now() + ms;
  let status = '';
  while (Date.now() < until) {
    status = (await get()).status;
    if (status === 'completed') break;
    await new Promise((r) => setTimeout(r, 300));
  }
  return status;
}

test('opt-out key: suppressed at once for the next campaign, and sent to the fleet outbox', async (t) => {
  t.timeout(120_000);
  const box = await startTestBox({ sandbox: { seed: 11, timeScale: 0.1, mix: 'presser=1' }, settings: (s) => { s.compliance.pack = 'none'; } });
  const dir = mkdtempSync(join(tmpdir(), 'vba-optout-'));
  t.teardown(async () => {
    await box.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const db = box.app.db;
  const numbers = Array.from({ length: 40 }, (_, i) => `+3314200${String(1000 + i)}`);
  const { listId } = addList(db, 'optout-list', numbers.map((e164) => ({ e164, zones: ['Europe/Paris'] })));
  const wav = join(dir, 'm.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', '2.0', 'sine', '300-900', 'vol', '0.5']);
  const rec = await box.api.send<{ id: string }>('POST', '/api/recordings?name=m&filename=m.wav', readFileSync(wav));
  t.is(rec.status, 201, rec.text);
  const config = {
    message: rec.body.id, callerId: '+33162000000', trunks: ['sandbox'], menu: { confirm: '1', repeat: '9', optOut: '2' },
    schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] }, maxConcurrent: 40, cps: 50, ringTimeoutMs: 5000, maxAttempts: 1, amd: false,
  };
  const run = async (name: string): Promise<number> => {
    const c = await box.api.send<{ id: number }>('POST', '/api/campaigns', { name, listId, config });
    t.is(c.status, 201, c.text);
    t.is((await box.api.send('POST', `/api/campaigns/${c.body.id}/start`)).status, 200);
    t.is(await waitCompleted(async () => (await box.api.get<{ status: string }>(`/api/campaigns/${c.body.id}`)).body, 90_000), 'completed');
    return c.body.id;
  };

  const first = await run('first');
  const opted = db.prepare("SELECT e164 FROM attempts WHERE campaign_id = ? AND outcome = 'opted-out'").pluck().all(first) as string[];
  t.true(opted.length > 0, 'some contacts pressed the opt-out key');
  const events = db.prepare("SELECT payload FROM outbox WHERE type = 'optout'").pluck().all() as string[];
  t.deepEqual(events.map((p) => (JSON.parse(p) as { numberHash: string }).numberHash).sort(), opted.map(dncHash).sort());
  t.false(events.some((p) => opted.some((n) => p.includes(n.slice(1)))), 'no number in clear in the fleet events');

  const second = await run('second');
  const dialled = new Set(db.prepare('SELECT e164 FROM attempts WHERE campaign_id = ?').pluck().all(second) as string[]);
  for (const n of opted) t.false(dialled.has(n), `${n} was dialled again`);
  t.is(dialled.size, numbers.length - opted.length);
  const blocked = db.prepare("SELECT block_reason, COUNT(*) n FROM campaign_contacts WHERE campaign_id = ? AND state = 'blocked' GROUP BY block_reason").all(second);
  t.deepEqual(blocked, [{ block_reason: 'dnc-internal', n: opted.length }]);
});

// The routes the campaign wizard and the report page read besides the campaign itself.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestBox } from '../../support/appliance.ts';

test('the wizard gets trunks, caller IDs and defaults; the timeline answers per campaign', async (t) => {
  t.timeout(30_000);
  const box = await startTestBox({ settings: (s) => { s.callerIds = [{ number: '+33123456789', label: 'Accueil', verified: true }]; } });
  t.teardown(() => box.stop());
  const o = await box.api.get<{ trunks: Array<{ name: string; kind: string; enabled: boolean; channels: number }>; defaultTrunk: string | null; callerIds: unknown[]; purposes: string[]; defaults: { maxConcurrent: number } }>('/api/campaigns/options');
  t.is(o.status, 200, o.text);
  t.true(o.body.trunks.some((x) => x.name === 'sandbox' && x.kind === 'sandbox' && x.enabled));
  t.is(o.body.defaultTrunk, 'sandbox');
  t.deepEqual(o.body.callerIds, [{ number: '+33123456789', label: 'Accueil', verified: true }]);
  t.true(o.body.purposes.includes('informational'));
  t.is(o.body.defaults.maxConcurrent, 10);
  const missing = await box.api.get<{ error: { code: string } }>('/api/campaigns/999/timeline');
  t.is(missing.status, 404);
  t.is(missing.body.error.code, 'E_NOT_FOUND');

  // A draft's estimate: the whole list by default, or the preflight's callable count.
  const csv = readFileSync(fileURLToPath(new URL('../../fixtures/contacts/journey.csv', import.meta.url)));
  const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=journey.csv', csv);
  const list = await box.api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Twenty', country: 'FR' });
  const c = await box.api.send<{ id: number }>('POST', '/api/campaigns', { name: 'Draft', listId: list.body.list.id, config: { tts: { text: 'Bonjour', voice: 'fr' }, callerId: '+33123456789', trunks: ['sandbox'], maxConcurrent: 5, cps: 1 } });
  t.is(c.status, 201, c.text);
  const all = await box.api.get<{ contacts: number; etaMs: number; channels: number; measured: boolean }>(`/api/campaigns/${c.body.id}/estimate`);
  t.deepEqual(all.body, { contacts: 20, etaMs: 120_000, channels: 5, meanCallMs: 30_000, measured: false });
  const some = await box.api.get<{ etaMs: number }>(`/api/campaigns/${c.body.id}/estimate?contacts=10`);
  t.is(some.body.etaMs, 60_000);
});

// The routes the campaign wizard and the report page read besides the campaign itself.
import test from 'ava';
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
});

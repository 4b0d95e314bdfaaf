// The dashboard follows a campaign over the live feed (WebSocket): it appears when started after the page
// was opened, its counters move without a reload, and it ends marked completed with every contact done.
import test from 'ava';
import { startUiBox } from './browser.ts';

test('a running campaign shows on the dashboard with live counters up to the end', async (t) => {
  const { page, base, box } = await startUiBox(t, { box: { sandbox: { seed: 5, timeScale: 0.2, mix: 'listener=100' } } });
  await page.goto(`${base}/`);
  await page.getByTestId('box-health').waitFor();
  await page.getByTestId('trunks-card').getByText('sandbox', { exact: true }).first().waitFor();
  t.is(await page.getByTestId('active-calls').textContent(), '0');

  const rows = Array.from({ length: 6 }, (_, i) => `Contact ${i};+33 6 12 34 56 ${String(10 + i)}`);
  const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=c.csv', Buffer.from(`Name;Phone\n${rows.join('\n')}\n`));
  const imp = await box.api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Live', country: 'FR', mapping: { phone: ['Phone'], name: 'Name' } });
  t.is(imp.status, 201, JSON.stringify(imp.body));
  const rec = await box.api.send<{ id: string }>('POST', '/api/recordings/tts', { text: 'Short test.', voice: 'en' });
  const created = await box.api.send<{ id: number }>('POST', '/api/campaigns', {
    name: 'Live counters',
    listId: imp.body.list.id,
    config: {
      message: rec.body.id,
      callerId: '+33123456789',
      trunks: ['sandbox'],
      schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] },
      maxConcurrent: 6,
      cps: 10,
      ringTimeoutMs: 5000,
      maxAttempts: 1,
    },
  });
  t.is(created.status, 201, JSON.stringify(created.body));
  const started = await box.api.send('POST', `/api/campaigns/${created.body.id}/start`);
  t.is(started.status, 200, started.text);

  // No reload from here: only the WebSocket can bring the campaign and its counters.
  const card = page.getByTestId(`campaign-${created.body.id}`);
  await card.waitFor({ timeout: 20000 });
  t.regex(await card.getByRole('heading').textContent() ?? '', /Live counters/);
  await card.getByText('completed').waitFor({ timeout: 45000 });
  t.is(await card.locator('.progress__text').textContent(), '6 / 6');
});

// The lists page: browse a list, search it, go back, delete it through the confirmation dialog.
import test from 'ava';
import { startUiBox } from './browser.ts';

test('a list can be browsed, searched and deleted', async (t) => {
  const { page, base, box } = await startUiBox(t);
  const csv = 'Name;Phone;City\nMarie Martin;06 12 34 56 78;Lyon\nJean Petit;06 98 76 54 32;Paris\nAli Ben;+33 1 23 45 67 89;Lille\n';
  const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=people.csv', Buffer.from(csv));
  const imp = await box.api.send('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'People', country: 'FR', mapping: { phone: ['Phone'], name: 'Name' } });
  t.is(imp.status, 201, imp.text);

  await page.goto(`${base}/lists`);
  await page.getByTestId('lists-table').getByRole('link', { name: 'People' }).click();
  await page.getByRole('heading', { level: 1, name: 'People' }).waitFor();
  const rows = page.getByTestId('contacts-table').locator('tbody tr');
  await rows.nth(2).waitFor();
  t.is(await rows.count(), 3);

  await page.getByLabel('Search (number, name, field)').fill('Lyon');
  await page.getByRole('status').filter({ hasText: /^1 contact$/ }).waitFor();
  t.regex(await rows.first().textContent() ?? '', /\+33612345678.*Marie Martin.*mobile.*City: Lyon/);

  await page.getByRole('link', { name: 'All lists' }).click();
  await page.getByRole('button', { name: 'Delete People' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('status').filter({ hasText: 'List “People” deleted.' }).waitFor();
  const lists = await box.api.get<unknown[]>('/api/lists');
  t.deepEqual(lists.body, []);
});

// Deleting a draft campaign from the web UI: from the list through the confirm dialog (English), from the
// campaign's page (French); no Delete for a campaign that is not a draft; a refusal shows as an error.
import test from 'ava';
import { startUiBox } from './browser.ts';

test('a draft is deleted through the confirm dialog, in English and French; a refusal is shown', async (t) => {
  t.timeout(60_000);
  const { page, box, base } = await startUiBox(t, { box: { sandbox: { seed: 7, timeScale: 0.1, mix: 'no-answer=1' } } });
  const api = box.api;
  const up = await api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=c.csv', Buffer.from('phone,name\n+33142000001,Ann\n+33142000002,Bob\n'));
  const list = await api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'patients', country: 'FR', mapping: { phone: 'phone' } });
  t.is(list.status, 201, list.text);
  const rec = await api.send<{ id: string }>('POST', '/api/recordings/tts', { text: 'Rappel.', voice: 'fr', name: 'Rappel' });
  t.is(rec.status, 201, rec.text);
  const config = { message: rec.body.id, callerId: '+33162000000', trunks: ['sandbox'], schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] }, maxAttempts: 1 };
  const create = async (name: string): Promise<number> => {
    const c = await api.send<{ id: number }>('POST', '/api/campaigns', { name, listId: list.body.list.id, config });
    t.is(c.status, 201, c.text);
    return c.body.id;
  };
  await create('Spring reminder');
  const late = await create('Late change');
  const french = await create('Rappel automne');
  const stopped = await create('Stopped one');
  t.is((await api.send('POST', `/api/campaigns/${stopped}/stop`)).status, 200);
  const names = async (): Promise<string[]> => (await api.get<Array<{ name: string }>>('/api/campaigns')).body.map((c) => c.name).sort();

  // From the list: only drafts offer Delete; the dialog names the draft; the row goes.
  await page.goto(`${base}/campaigns`);
  const table = page.getByTestId('campaign-list');
  await table.getByRole('link', { name: 'Spring reminder' }).waitFor();
  t.is(await table.getByRole('button', { name: 'Delete Stopped one' }).count(), 0);
  await table.getByRole('button', { name: 'Delete Spring reminder' }).click();
  const dialog = page.getByRole('dialog');
  t.is(await dialog.getByRole('heading').innerText(), 'Delete the draft “Spring reminder”?');
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Draft “Spring reminder” deleted.' }).waitFor();
  t.is(await table.getByRole('link', { name: 'Spring reminder' }).count(), 0);
  t.deepEqual(await names(), ['Late change', 'Rappel automne', 'Stopped one']);

  // The box refuses when the campaign started meanwhile: the reason shows and the campaign stays.
  await table.getByRole('button', { name: 'Delete Late change' }).click();
  t.is((await api.send('POST', `/api/campaigns/${late}/start`)).status, 200);
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  const refusal = page.getByTestId('delete-error');
  await refusal.waitFor();
  t.regex(await refusal.innerText(), /The box refused to delete the campaign[\s\S]*"Late change" (is running; stop it|cannot be deleted: it has \d+ call attempts? on record)/);
  t.true((await names()).includes('Late change'));

  // In French, from the campaign's own page; back on the list afterwards.
  await page.evaluate("localStorage.setItem('vb.lang', 'fr')");
  await page.goto(`${base}/campaigns/${french}`);
  await page.getByRole('button', { name: 'Supprimer', exact: true }).click();
  t.is(await dialog.getByRole('heading').innerText(), 'Supprimer le brouillon « Rappel automne » ?');
  t.regex(await dialog.innerText(), /La liste de contacts et les enregistrements qu’il utilise restent/);
  await dialog.getByRole('button', { name: 'Supprimer', exact: true }).click();
  await page.waitForURL(`${base}/campaigns`);
  await table.getByRole('link', { name: 'Late change' }).waitFor();
  t.is(await table.getByRole('link', { name: 'Rappel automne' }).count(), 0);
  t.deepEqual(await names(), ['Late change', 'Stopped one']);
});

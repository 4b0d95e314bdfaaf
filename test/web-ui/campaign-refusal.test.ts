// When the box refuses, the campaign pages say why: a wizard sent incomplete names the field, and a
// start the compliance rules forbid shows the reasons (here: French marketing calls without a Bloctel
// copy, on a box whose clock reads August 2026, before the scrub ended on 2026-08-11), in English and in French.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestBox } from '../support/appliance.ts';
import { clockFrom } from '../compliance/box-helpers.ts';
import { loginPage, openBrowser, requireBuiltUi } from './browser.ts';

const CSV = readFileSync(fileURLToPath(new URL('../fixtures/contacts/journey.csv', import.meta.url)));

test('an incomplete wizard names the field; a start refused by compliance shows its reasons', async (t) => {
  t.timeout(90_000);
  requireBuiltUi();
  const box = await startTestBox({ now: clockFrom(Date.parse('2026-08-05T09:00:00Z')), settings: (s) => { s.compliance.pack = 'fr'; } });
  t.teardown(() => box.stop());
  const api = box.api;
  t.is((await api.send('POST', '/api/users', { username: 'staff', password: 'refusal-password-1', role: 'operator' })).status, 201);
  const up = await api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=journey.csv', CSV);
  const list = await api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Prospects', country: 'FR' });
  t.is(list.status, 201, list.text);
  const rec = await api.send<{ id: string }>('POST', '/api/recordings/tts', { text: 'Bonjour, une offre pour vous.', voice: 'fr', name: 'Offre' });
  t.is(rec.status, 201, rec.text);
  const created = await api.send<{ id: number }>('POST', '/api/campaigns', {
    name: 'Offre de printemps', listId: list.body.list.id,
    config: { purpose: 'marketing', seller: 'Boutique', message: rec.body.id, callerId: '+33123456789', trunks: ['sandbox'] },
  });
  t.is(created.status, 201, created.text);

  const { page } = await openBrowser(t);
  await loginPage(page, box.base, 'staff', 'refusal-password-1');

  // The wizard: the page asks for a name first; then the box's own message sits under the field it names.
  await page.goto(`${box.base}/campaigns/new`);
  await page.getByRole('button', { name: 'Save and check' }).click();
  const errorOf = async (label: string): Promise<string> => {
    const input = page.getByLabel(label, { exact: true });
    t.is(await input.getAttribute('aria-invalid'), 'true', label);
    const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(' ');
    return page.locator(`[id="${ids[ids.length - 1]}"]`).innerText();
  };
  t.is(await errorOf('Name'), 'Give the campaign a name.');
  t.is(await errorOf('Contact list'), 'Choose a contact list.');
  await page.getByLabel('Name', { exact: true }).fill('Second try');
  await page.getByLabel('Contact list').selectOption({ label: 'Prospects (20 contacts)' });
  // A personalised message can be heard as the list's first contact would hear it.
  await page.getByLabel('Text-to-speech, personalised per contact').check();
  await page.getByLabel('Message text').fill('Bonjour {first_name}, une offre pour vous.');
  await page.getByRole('button', { name: 'Listen to a sample' }).click();
  await page.getByLabel('Sample of the message').waitFor();
  t.regex(await page.locator('.tts-preview').innerText(), /as heard by .+, the first contact of the list/);
  await page.getByLabel('A recording').check();
  await page.getByLabel('Message recording').selectOption({ label: 'Offre' });
  await page.getByLabel('Caller ID shown').fill('12');
  await page.getByRole('button', { name: 'Save and check' }).click();
  await page.getByRole('alert').filter({ hasText: 'The campaign was not saved' }).waitFor();
  t.regex(await errorOf('Caller ID shown'), /"12" is not a phone number for the caller ID; type it /);

  // The draft's preflight: nobody callable (no consent), and the missing registry copy.
  await page.goto(`${box.base}/campaigns/${created.body.id}`);
  await page.getByTestId('preflight').waitFor();
  t.is(await page.getByTestId('preflight-callable').innerText(), '0');
  t.is(await page.getByTestId('preflight-blocked').innerText(), '20');
  t.regex(await page.getByTestId('preflight').innerText(), /No consent recorded/);
  t.regex(await page.getByTestId('preflight-problems').innerText(), /fr-bloctel/);

  // A draft can be changed in the same wizard, filled with its configuration.
  await page.getByRole('link', { name: 'Change' }).click();
  t.is(await page.getByLabel('Name', { exact: true }).inputValue(), 'Offre de printemps');
  t.is(await page.getByLabel('On behalf of (seller)').inputValue(), 'Boutique');
  await page.getByLabel('Calls at the same time (max)').fill('3');
  await page.getByRole('button', { name: 'Save and check' }).click();
  await page.getByTestId('preflight').waitFor();
  t.is((await api.get<{ config: { maxConcurrent: number; seller: string } }>(`/api/campaigns/${created.body.id}`)).body.config.maxConcurrent, 3);

  // Start: refused, with the reasons, and the campaign stays a draft.
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  const refusal = page.getByTestId('action-error');
  await refusal.waitFor();
  const text = await refusal.innerText();
  t.regex(text, /The box refused to start: compliance/);
  t.regex(text, /fr-bloctel/);
  t.is(await page.getByTestId('campaign-status').innerText(), 'Draft');

  // The same in French after the language switch.
  await page.evaluate("localStorage.setItem('vb.lang', 'fr')");
  await page.reload();
  // The preflight and the refusal list the reasons in French, filled from the box's details.
  await page.getByTestId('preflight-problems').waitFor();
  const missingFr = /Aucune copie de la liste nationale d’opposition fr-bloctel n’est importée : sous le référentiel fr, les appels « Prospection commerciale » doivent être filtrés avec elle/;
  t.regex(await page.getByTestId('preflight-problems').innerText(), missingFr);
  // Caller-ID problems of a campaign that only dials the sandbox: shown in French, marked as not enforced.
  const warningsFr = await page.getByTestId('preflight-warnings').innerText();
  t.regex(warningsFr, /Le numéro présenté \+33123456789 ne fait pas partie des numéros du boîtier/);
  t.regex(warningsFr, /non appliqué : la campagne n’appelle que le bac à sable/);
  t.notRegex(warningsFr, /caller ID|only dials/);
  await page.getByRole('button', { name: 'Démarrer', exact: true }).click();
  const refusalFr = await page.getByTestId('action-error').innerText();
  t.regex(refusalFr, /Le boîtier refuse de démarrer : conformité/);
  t.regex(refusalFr, missingFr);
  t.notRegex(refusalFr, /no copy of|registry is imported/);
  t.is(await page.getByTestId('campaign-status').innerText(), 'Brouillon');
});

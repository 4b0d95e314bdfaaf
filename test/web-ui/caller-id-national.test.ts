// Issue 13, point 5: the campaign form's phone fields (caller ID, callback numbers) take numbers as people
// dial them in the box's country — "04 78 00 00 00" in France becomes +33478000000 — and anything else
// gets an error in the user's words and language, under the field.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startUiBox } from './browser.ts';

const CSV = readFileSync(fileURLToPath(new URL('../fixtures/contacts/journey.csv', import.meta.url)));

const W = {
  en: {
    locale: 'en-GB', name: 'Name', list: 'Contact list', recording: 'A recording', message: 'Message recording', callerId: 'Caller ID shown',
    callback: 'Callback number said in the message', save: 'Save and check', notAccepted: 'The campaign was not saved',
    bad: '"12" is not a phone number for the caller ID; type it as dialled in France or in international format, with + and the country code (+33 4 78 00 00 00)',
  },
  fr: {
    locale: 'fr-FR', name: 'Nom', list: 'Liste de contacts', recording: 'Un enregistrement', message: 'Enregistrement du message', callerId: 'Numéro présenté',
    callback: 'Numéro de rappel dit dans le message', save: 'Enregistrer et vérifier', notAccepted: 'La campagne n’a pas été enregistrée',
    bad: '« 12 » n’est pas un numéro de téléphone pour le numéro présenté : tapez-le comme on le compose en France ou au format international, avec + et l’indicatif du pays (+33 4 78 00 00 00).',
  },
} as const;

for (const lang of ['en', 'fr'] as const) {
  test(`${lang}: a caller ID typed as dialled in France is accepted and stored in E.164; a wrong one is refused in plain words`, async (t) => {
    t.timeout(90_000);
    const w = W[lang];
    const { page, base, box } = await startUiBox(t, { locale: w.locale, box: { settings: (s) => { s.box.country = 'FR'; } } });
    const api = box.api;
    const up = await api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=journey.csv', CSV);
    t.is((await api.send('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Clients', country: 'FR' })).status, 201);
    t.is((await api.send('POST', '/api/recordings/tts', { text: 'Bonjour, un rappel.', voice: 'fr', name: 'Rappel' })).status, 201);

    await page.goto(`${base}/campaigns/new`);
    await page.getByLabel(w.name, { exact: true }).fill('Rappel lyonnais');
    await page.getByLabel(w.list).selectOption({ index: 1 });
    await page.getByLabel(w.recording).check();
    await page.getByLabel(w.message).selectOption({ label: 'Rappel' });
    const callerId = page.getByLabel(w.callerId, { exact: true });
    await callerId.fill('12');
    await page.getByRole('button', { name: w.save }).click();
    await page.getByRole('alert').filter({ hasText: w.notAccepted }).waitFor();
    t.is(await callerId.getAttribute('aria-invalid'), 'true');
    const ids = ((await callerId.getAttribute('aria-describedby')) ?? '').split(' ');
    const said = await page.locator(`[id="${ids[ids.length - 1]}"]`).innerText();
    t.is(said, w.bad);
    t.notRegex(said, /callerId|E\.164/, 'no developer words');

    await callerId.fill('04 78 00 00 00');
    await page.getByLabel(w.callback, { exact: true }).fill('04.78.00.00.01');
    await page.getByRole('button', { name: w.save }).click();
    await page.getByTestId('preflight').waitFor();
    const list = await api.get<Array<{ config: { callerId: string; script?: { callbackNumber: string | null } } }>>('/api/campaigns');
    t.is(list.body[0]!.config.callerId, '+33478000000');
    t.is(list.body[0]!.config.script?.callbackNumber, '+33478000001');
  });
}

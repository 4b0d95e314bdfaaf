// Issue 13, point 6: form errors in the user's words and language, all at once: the page checks the
// simple rules itself (nothing is sent), the box checks again and answers every field at fault in one
// reply; each error sits next to its field, a summary at the top names the fields as the page shows
// them ("Window 1 · To", never schedule.windows.0), and French keeps the reason.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startUiBox } from './browser.ts';

const CSV = readFileSync(fileURLToPath(new URL('../fixtures/contacts/journey.csv', import.meta.url)));

const W = {
  en: {
    locale: 'en-GB', save: 'Save and check', title: 'The campaign was not saved', name: 'Name', callerId: 'Caller ID shown', to: 'To (24:00 for midnight)',
    maxAttempts: 'Attempts per contact (max)', tts: 'Text-to-speech, personalised per contact', ttsText: 'Message text', list: 'Contact list',
    summary: [
      'Name: Give the campaign a name.',
      'Contact list: Choose a contact list.',
      'Message recording: Choose the recording to play.',
      'Caller ID shown: "abc" is not a phone number for the caller ID; type it as dialled in France or in international format, with + and the country code (+33 4 78 00 00 00)',
      'Window 1 · Days: Tick at least one day.',
      'Window 1 · To: Must be after the start time (18:00).',
      'Attempts per contact (max): Give a number from 1 to 20.',
    ],
    count: '7 fields to fix:',
    boxTokens: 'Unknown fields {colour}; the list has',
    boxCaller: '"+4" is not a phone number for the caller ID',
    windowTo: 'Must be after the start time (18:00).',
  },
  fr: {
    locale: 'fr-FR', save: 'Enregistrer et vérifier', title: 'La campagne n’a pas été enregistrée', name: 'Nom', callerId: 'Numéro présenté', to: 'À (24:00 pour minuit)',
    maxAttempts: 'Tentatives par contact (max)', tts: 'Synthèse vocale, personnalisée par contact', ttsText: 'Texte du message', list: 'Liste de contacts',
    summary: [
      'Nom : Donnez un nom à la campagne.',
      'Liste de contacts : Choisissez une liste de contacts.',
      'Enregistrement du message : Choisissez l’enregistrement à diffuser.',
      'Numéro présenté : « abc » n’est pas un numéro de téléphone pour le numéro présenté : tapez-le comme on le compose en France ou au format international, avec + et l’indicatif du pays (+33 4 78 00 00 00).',
      'Plage 1 · Jours : Cochez au moins un jour.',
      'Plage 1 · À : Doit être après l’heure de début (18:00).',
      'Tentatives par contact (max) : Indiquez un nombre de 1 à 20.',
    ],
    count: '7 champs à corriger :',
    boxTokens: 'Champs inconnus {colour} ; la liste a',
    boxCaller: '« +4 » n’est pas un numéro de téléphone pour le numéro présenté',
    windowTo: 'Doit être après l’heure de début (18:00).',
  },
} as const;

for (const lang of ['en', 'fr'] as const) {
  test(`${lang}: the campaign form shows every field error at once, in the page's words, next to each field and in a summary`, async (t) => {
    t.timeout(120_000);
    const w = W[lang];
    const { page, base, box } = await startUiBox(t, { locale: w.locale, box: { settings: (s) => { s.box.country = 'FR'; } } });
    const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=journey.csv', CSV);
    t.is((await box.api.send('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Clients', country: 'FR' })).status, 201);
    const posts: string[] = [];
    page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/campaigns')) posts.push(r.url()); });

    await page.goto(`${base}/campaigns/new`);
    await page.getByLabel(w.callerId, { exact: true }).fill('abc');
    const window1 = page.getByRole('group', { name: lang === 'en' ? 'Window 1' : 'Plage 1' });
    for (const box of await window1.getByRole('checkbox').all()) await box.uncheck();
    await window1.getByLabel(lang === 'en' ? 'From' : 'De', { exact: true }).fill('18:00');
    await window1.getByLabel(w.to, { exact: true }).fill('09:00');
    await page.getByLabel(w.maxAttempts, { exact: true }).fill('0');
    await page.getByRole('button', { name: w.save }).click();

    // The page's own check: everything at once, nothing sent to the box.
    const summary = page.getByTestId('form-errors');
    await summary.waitFor();
    t.is(await summary.getByRole('strong').or(summary.locator('strong')).first().innerText(), w.title);
    t.is(await summary.locator('p').first().innerText(), w.count);
    t.deepEqual(await summary.locator('li').allInnerTexts(), [...w.summary]);
    t.notRegex(await summary.innerText(), /schedule\.|callerId|maxAttempts|E\.164|windows\.0/);
    t.deepEqual(posts, [], 'nothing was sent: the page knew');
    // Next to the field, with aria-invalid and aria-describedby, in the same words.
    const to = window1.getByLabel(w.to, { exact: true });
    t.is(await to.getAttribute('aria-invalid'), 'true');
    const ids = ((await to.getAttribute('aria-describedby')) ?? '').split(' ');
    t.is(await page.locator(`[id="${ids[ids.length - 1]}"]`).innerText(), w.windowTo);
    // A summary link takes the keyboard to its field.
    await summary.getByRole('link', { name: lang === 'en' ? 'Window 1 · To' : 'Plage 1 · À' }).click();
    t.true(await to.evaluate((el) => el.matches(':focus')));

    // What only the box knows (the list's columns, a number's plan), answered all at once.
    await page.getByLabel(w.name, { exact: true }).fill('Rappel');
    await page.getByLabel(w.list).selectOption({ index: 1 });
    await page.getByLabel(w.tts).check();
    await page.getByLabel(w.ttsText).fill('Bonjour {first_name}, votre {colour} est prête.');
    await page.getByLabel(w.callerId, { exact: true }).fill('+4444');
    await window1.getByRole('checkbox').first().check();
    await window1.getByLabel(w.to, { exact: true }).fill('20:00');
    await page.getByLabel(w.maxAttempts, { exact: true }).fill('3');
    await page.getByRole('button', { name: w.save }).click();
    await summary.locator('li').nth(1).waitFor();
    t.is(posts.length, 1, 'one round trip for both');
    const items = await summary.locator('li').allInnerTexts();
    t.is(items.length, 2, items.join('\n'));
    t.true(items.some((i) => i.includes(w.boxTokens)), items.join('\n'));
    t.true(items.some((i) => i.includes(lang === 'en' ? '"+4444" is not a phone number' : '« +4444 » n’est pas un numéro de téléphone')), items.join('\n'));
  });
}

test('the box answers every field at fault at once, with a rule and figures for the page\'s words', async (t) => {
  t.timeout(60_000);
  const { box } = await startUiBox(t, { login: false });
  const r = await box.api.send<{ error: { code: string; message: string; where: Record<string, unknown>; fields: Array<{ key: string; rule: string; params?: Record<string, unknown> }> } }>('POST', '/api/campaigns', {
    name: '', listId: 999,
    config: {
      message: null, callerId: 'abc', trunks: [], maxAttempts: 0, cps: 0, menu: { confirm: '1', optOut: '1' },
      schedule: { windows: [{ days: [], from: '18:00', to: '09:00' }, { days: [1], from: '25:00', to: '26:00' }] },
    },
  });
  t.is(r.status, 400, r.text);
  t.is(r.body.error.code, 'E_CAMPAIGN_INVALID', r.text);
  const got = Object.fromEntries(r.body.error.fields.map((f) => [f.key, f.rule]));
  t.deepEqual(got, {
    name: 'required', listId: 'list', message: 'required', callerId: 'phone', trunks: 'trunks', maxAttempts: 'range', cps: 'range',
    'menu.optOut': 'keys-distinct', 'schedule.windows.0.days': 'weekdays', 'schedule.windows.0.to': 'window-order',
    'schedule.windows.1.from': 'time', 'schedule.windows.1.to': 'time',
  });
  t.deepEqual(r.body.error.fields.find((f) => f.key === 'maxAttempts')?.params, { min: 1, max: 20 });
  t.is(r.body.error.where.count, 12);
  t.regex(r.body.error.message, /12 fields to fix/);
});

const U = {
  en: {
    locale: 'en-GB', add: 'Add the user', title: 'The user was not added',
    empty: ['Username: Required.', 'Password (8 characters or more): Required.'],
    bad: ['Username: Letters, digits and _ . @ - only, at most 64.', 'Password (8 characters or more): At least 8 characters.'],
  },
  fr: {
    locale: 'fr-FR', add: 'Ajouter l’utilisateur', title: 'L’utilisateur n’a pas été ajouté',
    empty: ['Identifiant : Obligatoire.', 'Mot de passe (8 caractères ou plus) : Obligatoire.'],
    bad: ['Identifiant : Lettres, chiffres et _ . @ - seulement, 64 au plus.', 'Mot de passe (8 caractères ou plus) : Au moins 8 caractères.'],
  },
} as const;

for (const lang of ['en', 'fr'] as const) {
  test(`${lang}: the new-user form in Settings says every wrong field at once with the same summary`, async (t) => {
    t.timeout(90_000);
    const w = U[lang];
    const { page, base } = await startUiBox(t, { locale: w.locale });
    const posts: string[] = [];
    page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/users')) posts.push(r.url()); });
    await page.goto(`${base}/settings`);
    const form = page.locator('form').filter({ has: page.getByRole('button', { name: w.add }) });
    await form.getByRole('button', { name: w.add }).click();
    const summary = page.getByTestId('user-form-errors');
    await summary.waitFor();
    t.regex(await summary.innerText(), new RegExp(`^${w.title}`));
    t.deepEqual(await summary.locator('li').allInnerTexts(), [...w.empty]);
    await form.getByLabel(lang === 'en' ? 'Username' : 'Identifiant', { exact: true }).fill('claire dupont!');
    await form.getByLabel(lang === 'en' ? 'Password (8 characters or more)' : 'Mot de passe (8 caractères ou plus)', { exact: true }).fill('short');
    await form.getByRole('button', { name: w.add }).click();
    await summary.locator('li', { hasText: w.bad[1]!.split(': ').pop()!.split(' : ').pop()! }).waitFor();
    t.deepEqual(await summary.locator('li').allInnerTexts(), [...w.bad]);
    t.deepEqual(posts, [], 'the page knew: nothing was sent');
  });
}

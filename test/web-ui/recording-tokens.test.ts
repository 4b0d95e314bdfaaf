// Issue 13, point 1: a text-to-speech recording made on the Recordings page is the same for everyone, so
// it must not read token names aloud. The page refuses {tokens} (in the browser as they are typed, and
// the box again) and points to the one way to personalise: the campaign form's personalised option.
import test from 'ava';
import { startUiBox } from './browser.ts';

const CASES = [
  {
    lang: 'en', locale: 'en-GB', text: 'Hello {first_name}, your parcel for {city} arrives tomorrow.',
    refused: /A recording is the same for every contact: it would read \{first_name\}, \{city\} aloud as written\. For a message personalised per contact, choose “Text-to-speech, personalised per contact” in the campaign form\./,
    label: 'Text of the message', create: 'Create the recording', preview: 'Listen to a preview', link: 'Make a campaign with a personalised message', option: 'Text-to-speech, personalised per contact',
  },
  {
    lang: 'fr', locale: 'fr-FR', text: 'Bonjour {first_name}, votre colis pour {city} arrive demain.',
    refused: /Un enregistrement est le même pour tous les contacts : il lirait \{first_name\}, \{city\} à voix haute tel quel\. Pour un message personnalisé par contact, choisissez « Synthèse vocale, personnalisée par contact » dans le formulaire de la campagne\./,
    label: 'Texte du message', create: 'Créer le message', preview: 'Écouter un aperçu', link: 'Créer une campagne avec un message personnalisé', option: 'Synthèse vocale, personnalisée par contact',
  },
] as const;

for (const c of CASES) {
  test(`${c.lang}: a recording with {tokens} is refused with a pointer to the personalised campaign message`, async (t) => {
    t.timeout(60_000);
    const { page, base, box } = await startUiBox(t, { locale: c.locale });
    await page.goto(`${base}/recordings`);
    const tts = page.getByTestId('tts-recording');
    await tts.getByLabel(c.label).fill(c.text);
    // Said while typing, before anything is sent.
    t.regex(await tts.getByTestId('tts-tokens').innerText(), c.refused);
    await tts.getByRole('button', { name: c.create }).click();
    const input = tts.getByLabel(c.label);
    t.is(await input.getAttribute('aria-invalid'), 'true');
    await tts.getByRole('button', { name: c.preview }).click();
    t.is(await tts.getByTestId('tts-preview').count(), 0, 'no preview with sample names that the recording would not say');
    t.deepEqual((await box.api.get<unknown[]>('/api/recordings')).body, [], 'nothing was recorded');

    // The box refuses the same text sent past the page, in the page's language through the error table.
    const direct = await box.api.send<{ error: { code: string } }>('POST', '/api/recordings/tts', { text: c.text, voice: c.lang, name: 'Colis' });
    t.is(direct.status, 400);
    t.is(direct.body.error.code, 'E_RECORDING_TOKENS');
    t.deepEqual((await box.api.get<unknown[]>('/api/recordings')).body, []);

    // Without tokens, the same text is accepted.
    await input.fill(c.text.replace(/\{first_name\}/, 'Marie').replace(/\{city\}/, 'Lyon'));
    t.is(await tts.getByTestId('tts-tokens').count(), 0);
    await tts.getByRole('button', { name: c.create }).click();
    await page.getByTestId('recordings-table').locator('tbody tr').filter({ hasText: 'Marie' }).waitFor();
    t.is((await box.api.get<unknown[]>('/api/recordings')).body.length, 1);

    // The pointer leads to the campaign form's personalised option.
    await input.fill(c.text);
    await tts.getByRole('link', { name: c.link }).click();
    await page.waitForURL(`${base}/campaigns/new`);
    await page.getByLabel(c.option).check();
    t.true(await page.getByLabel(c.option).isChecked());
  });
}

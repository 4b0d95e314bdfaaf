// On a French page the box's errors read in French: a wrong password, then a contact file the box cannot read.
import test from 'ava';
import { loginPage, startUiBox } from './browser.ts';

test('a French page shows a wrong password and an unreadable contact file in French', async (t) => {
  const { page, base, username, password } = await startUiBox(t, { login: false, locale: 'fr-FR' });
  await page.goto(`${base}/login`);
  await page.getByLabel('Identifiant').fill(username);
  await page.getByLabel('Mot de passe').fill('not-the-password');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await t.notThrowsAsync(page.getByRole('alert').filter({ hasText: 'Identifiant ou mot de passe incorrect.' }).waitFor());

  await loginPage(page, base, username, password);
  await page.goto(`${base}/lists`);
  // A CSV with a quote that never closes: the box cannot read it.
  const csv = 'Nom;Téléphone\nAnne;"06 12 34 56 78\nBruno;06 98 76 54 32\n';
  await page.getByLabel('Fichier (CSV ou Excel)').setInputFiles({ name: 'cassé.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  const error = page.getByTestId('import-error');
  await error.waitFor();
  const text = (await error.textContent()) ?? '';
  t.regex(text, /^Le fichier de contacts est vide ou illisible \(ligne 2\)/, text);
  t.notRegex(text, /\b(the|row|file is)\b/i, text);
});

test('a French page words the caller-ID problems of the pack in French', async (t) => {
  const { page, base, box } = await startUiBox(t, { locale: 'fr-FR', box: { settings: (s) => { s.compliance.pack = 'fr'; } } });
  // A mobile number: the French pack forbids presenting one (+336…).
  const added = await box.api.send('POST', '/api/compliance/caller-ids', { number: '06 12 34 56 78', label: 'Portable' });
  t.is(added.status, 201, added.text);
  const list = await box.api.get<Array<{ number: string; problems: Array<{ code: string; callerId?: string; forbiddenPrefix?: string; pack?: string }> }>>('/api/compliance/caller-ids');
  t.like(list.body[0]?.problems[0], { code: 'caller-id-forbidden', callerId: '+33612345678', forbiddenPrefix: '+336', pack: 'fr' }, 'sent with its details');
  await page.goto(`${base}/compliance/caller-ids`);
  const row = page.getByTestId('caller-id-list').getByRole('row', { name: /\+33612345678/ });
  const problem = row.locator('.field__error').first();
  await problem.waitFor();
  const text = (await problem.textContent()) ?? '';
  t.regex(text, /^Le numéro présenté \+33612345678 est dans une plage interdite par le référentiel fr \(\+336…\)/, text);
  t.notRegex(text, /\b(range|forbids|caller ID)\b/i, text);
});

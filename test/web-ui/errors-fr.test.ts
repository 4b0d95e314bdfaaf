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

// The compliance pages in a browser: a caller ID added and its verification call started (the code to
// type is shown), a consent recorded (with its kind) and found again, no registry copy required by the
// French pack today, the rules in force with their version and the next known change (EN and FR), a
// do-not-call file imported and removed again with a reason, and the audit chain checked.
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestBox } from '../support/appliance.ts';
import { loginPage, openBrowser, requireBuiltUi } from './browser.ts';

test('caller ID verification, consents, registry copies, do-not-call import and removal, audit check', async (t) => {
  t.timeout(90_000);
  requireBuiltUi();
  const box = await startTestBox({ sandbox: { seed: 5, timeScale: 0.05 }, settings: (s) => { s.compliance.pack = 'fr'; } });
  t.teardown(() => box.stop());
  t.is((await box.api.send('POST', '/api/users', { username: 'chief', password: 'compliance-password-1', role: 'admin' })).status, 201);
  const { page } = await openBrowser(t);
  await loginPage(page, box.base, 'chief', 'compliance-password-1');

  // Caller IDs: add one, then start its verification call; the page shows the code to type.
  await page.goto(`${box.base}/compliance/caller-ids`);
  await page.getByLabel('Phone number').fill('01 23 45 67 89');
  await page.getByLabel('Label').fill('Front desk');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const row = page.getByTestId('caller-id-list').getByRole('row', { name: /\+33123456789/ });
  await row.getByText('Not verified').waitFor();
  await row.getByRole('button', { name: 'Verify' }).click();
  const verification = page.getByTestId('verification');
  await verification.waitFor();
  t.regex(await verification.innerText(), /Verifying \+33123456789[\s\S]*\d{6}/);

  // Consents: record one, find it again by number.
  await page.getByRole('link', { name: 'Consents' }).click();
  const record = page.locator('form', { has: page.getByRole('button', { name: 'Record the consent' }) });
  await record.getByLabel('Phone number').fill('+33612345710');
  await record.getByLabel('Seller').fill('Boutique');
  await record.getByLabel('What it is in law').selectOption('written');
  await record.getByLabel('Given on').fill('2026-01-15T10:30');
  await record.getByLabel('Disclosure version').fill('v2');
  await record.getByLabel('Where collected').fill('shop counter');
  await record.getByLabel('What the person was shown').fill('I agree to receive calls from Boutique.');
  await record.getByRole('button', { name: 'Record the consent' }).click();
  await record.getByText(/Consent recorded/).waitFor();
  const find = page.locator('form', { has: page.getByRole('button', { name: 'Look up' }) });
  await find.getByLabel('Phone number').fill('06 12 34 57 10');
  await find.getByRole('button', { name: 'Look up' }).click();
  await page.getByRole('cell', { name: 'Boutique' }).waitFor();
  t.true(await page.getByRole('cell', { name: 'Valid' }).isVisible());
  t.true(await page.getByRole('cell', { name: 'Written consent' }).isVisible());

  // Registry copies: since 2026-08-11 the French pack requires none (consent replaced the Bloctel scrub).
  await page.getByRole('link', { name: 'Registry copies' }).click();
  await page.getByTestId('registry-list').getByText('No registry copy imported.').waitFor();
  t.false(await page.getByTestId('registry-list').getByText('fr-bloctel').isVisible());

  // Rules in force: the version of today, since when, the next known change; another pack's next change.
  await page.getByRole('link', { name: 'Rules in force' }).click();
  t.is(await page.getByTestId('pack-version').innerText(), 'fr-2026.12-1@2026-08-11');
  t.regex(await page.getByTestId('pack-since').innerText(), /In force since 11 August 2026/);
  t.regex(await page.getByTestId('pack-next-change').innerText(), /No further change of the law is known/);
  const rules = await page.getByTestId('pack-rules').innerText();
  t.regex(rules, /at most 4 calls per 30 day\(s\) to a number, from every campaign of the box \(unanswered attempts count\)/);
  t.regex(rules, /L\.223-1 al\. 1-3 as rewritten by loi 2025-594/);
  t.notRegex(rules, /fr-bloctel/);
  await page.getByLabel('Rule pack').selectOption('us');
  t.is(await page.getByTestId('pack-version').innerText(), 'us-2026.12-1@2025-04-11');
  t.regex(await page.getByTestId('pack-next-change').innerText(), /On 31 January 2027 \(version us-2026\.12-1@2027-01-31\)[\s\S]*starts: us-revoke-all/);
  t.regex(await page.getByTestId('pack-rules').innerText(), /National Do Not Call Registry \(United States\), copy at most 31 days old; lifted by: written \/ existing relationship \(within 548 days\)/);
  await page.evaluate("localStorage.setItem('vb.lang', 'fr')");
  await page.reload();
  await page.getByLabel('Référentiel').selectOption('us');
  t.regex(await page.getByTestId('pack-next-change').innerText(), /Le 31 janvier 2027 \(version us-2026\.12-1@2027-01-31\)[\s\S]*entre en vigueur : us-revoke-all/);
  t.regex(await page.getByTestId('pack-rules').innerText(), /levée par : écrit \/ relation commerciale existante/);
  await page.evaluate("localStorage.setItem('vb.lang', 'en')");
  await page.reload();
  await page.getByTestId('pack-summary').waitFor();

  // Do-not-call: import a file, then remove one number with a reason.
  await page.getByRole('link', { name: 'Do-not-call list' }).click();
  const file = join(mkdtempSync(join(tmpdir(), 'vba-dnc-')), 'numbers.txt');
  writeFileSync(file, '+33612345711\n06 12 34 57 12\nnot a number\n');
  const imp = page.locator('form', { has: page.getByRole('button', { name: 'Import' }) });
  await imp.getByLabel('File').setInputFiles(file);
  await imp.getByLabel('Reason (required)').fill('paper list from the shop');
  await imp.getByRole('button', { name: 'Import' }).click();
  t.regex(await imp.getByRole('status').innerText(), /2 new numbers added \(2 read, 1 lines not read\)/);
  const rm = page.locator('form', { has: page.getByRole('button', { name: 'Remove from the list' }) });
  await rm.getByLabel('Phone number').fill('+33612345711');
  await rm.getByLabel('Reason (required)').fill('typed by mistake');
  await rm.getByRole('button', { name: 'Remove from the list' }).click();
  t.regex(await rm.getByRole('status').innerText(), /was removed/);

  // The audit log holds the removal, and its chain is intact.
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByTestId('audit-list').getByRole('cell', { name: 'dnc.remove' }).waitFor();
  await page.getByRole('button', { name: 'Check the chain' }).click();
  t.regex(await page.getByTestId('audit-verify-result').innerText(), /The audit log is intact/);
});

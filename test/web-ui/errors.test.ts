// The errors staff are most likely to meet each show a clear message in the page, next to the field
// concerned: a wrong password (then the rate limit), an invalid contact file, an invalid setting.
import test from 'ava';
import { startUiBox } from './browser.ts';

test('a wrong password says so at the password field; the sixth try says to wait', async (t) => {
  const { page, base } = await startUiBox(t, { login: false });
  await page.goto(`${base}/login`);
  const user = page.getByLabel('Username');
  const pass = page.getByLabel('Password');
  const submit = page.getByRole('button', { name: 'Log in' });
  for (let i = 1; i <= 5; i++) {
    await user.fill('uitest');
    await pass.fill(`wrong-password-${i}`);
    await submit.click();
    await t.notThrowsAsync(page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor(), `try ${i}`);
  }
  // Next to the field too (aria-describedby wires the message to the input).
  const described = await pass.getAttribute('aria-describedby');
  t.truthy(described);
  t.is(await page.locator(`[id="${described!.split(' ').pop()}"]`).textContent(), 'Wrong username or password.');
  t.is(await pass.getAttribute('aria-invalid'), 'true');

  await pass.fill('ui-test-password-1');
  await submit.click();
  const limited = page.getByRole('alert').filter({ hasText: /Too many failed attempts\. Wait \d+\ss before trying again\./ });
  await t.notThrowsAsync(limited.waitFor());
  t.is(new URL(page.url()).pathname, '/login');
});

test('an empty file and a file of bad numbers each get a clear message on the lists page', async (t) => {
  const { page, base } = await startUiBox(t);
  await page.goto(`${base}/lists`);
  const fileInput = page.getByLabel('File (CSV or Excel)');

  await fileInput.setInputFiles({ name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.alloc(0) });
  await t.notThrowsAsync(page.getByTestId('import-error').filter({ hasText: 'The uploaded file is empty.' }).waitFor());

  const csv = 'Name;Phone\nAnne;06 12 34 56 78\nBruno;call me maybe\nChloé;+33 6 98 76 54 32\n';
  await page.getByLabel('File (CSV or Excel)').setInputFiles({ name: 'numbers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  // The preview shows the first rows and the mapping the box suggests.
  await page.getByTestId('preview-table').getByText('call me maybe').waitFor();
  t.is(await page.getByLabel('Phone number', { exact: true }).inputValue(), 'Phone');
  await page.getByRole('button', { name: 'Import' }).click();
  const report = page.getByTestId('import-report');
  await report.waitFor();
  t.regex(await report.getByRole('status').textContent() ?? '', /2 contacts imported from 3 rows; 1 rejected/);
  const rejected = page.getByTestId('rejected-rows');
  t.regex(await rejected.locator('tbody tr').first().textContent() ?? '', /^3Phone.*letters/);
  // The new list is in the table.
  await page.getByTestId('lists-table').getByRole('link', { name: 'numbers' }).waitFor();
  t.pass();
});

test('an invalid setting is refused with the message next to its field, and nothing is saved', async (t) => {
  const { page, base, box } = await startUiBox(t);
  await page.goto(`${base}/settings`);
  const engine = page.getByTestId('settings-engine');
  const port = engine.getByLabel('SIP port');
  await port.fill('99999');
  await engine.getByRole('button', { name: 'Save' }).click();
  await t.notThrowsAsync(engine.getByRole('alert').filter({ hasText: 'Nothing was saved' }).waitFor());
  const described = (await port.getAttribute('aria-describedby')) ?? '';
  t.regex(await page.locator(`[id="${described.split(' ').pop()}"]`).textContent() ?? '', /^must be at most 65535$/);
  const stored = await box.api.get<{ sip: { port: number } }>('/api/settings');
  t.not(stored.body.sip.port, 99999);
});

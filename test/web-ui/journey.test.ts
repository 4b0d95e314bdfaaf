// Issue 6, must-show 1: the whole journey of a member of staff in Debian's Chromium, on a box whose
// sandbox network runs fast: log in, import a CSV (column mapping), make a message by text-to-speech,
// create and start a campaign on the sandbox trunk (pause, resume), watch the live counters reach the end, export the
// report, add a number to the do-not-call list, log out.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestBox } from '../support/appliance.ts';
import { artifactPath, loginPage, openBrowser, requireBuiltUi } from './browser.ts';

const CSV = fileURLToPath(new URL('../fixtures/contacts/journey.csv', import.meta.url));
const CONTACTS = 20;

test('staff journey: list, message, campaign to the end, report export, do-not-call, log out', async (t) => {
  t.timeout(120_000);
  requireBuiltUi();
  const t0 = Date.now();
  const box = await startTestBox({ sandbox: { seed: 11, timeScale: 0.05 } });
  t.teardown(() => box.stop());
  const made = await box.api.send('POST', '/api/users', { username: 'staff', password: 'journey-password-1', role: 'admin' });
  t.true(made.status === 200 || made.status === 201, made.text);
  const { page } = await openBrowser(t, { viewport: { width: 1100, height: 900 } });
  page.setDefaultTimeout(20_000);

  // Log in.
  await loginPage(page, box.base, 'staff', 'journey-password-1');

  // Upload the CSV and map its columns.
  await page.getByRole('link', { name: 'Lists', exact: true }).click();
  await page.getByLabel('File (CSV or Excel)').setInputFiles(CSV);
  await page.getByTestId('preview-table').waitFor();
  await page.getByLabel('Phone number', { exact: true }).selectOption('Téléphone');
  await page.getByLabel('First name', { exact: true }).selectOption('Prénom');
  await page.getByLabel('Last name', { exact: true }).selectOption('Nom');
  await page.getByLabel('Name of the new list').fill('Journey contacts');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const report = page.getByTestId('import-report');
  await report.waitFor();
  t.regex(await report.innerText(), /20 contacts imported from 20 rows; 0 rejected/);

  // A message by text-to-speech.
  await page.getByRole('link', { name: 'Recordings', exact: true }).click();
  const tts = page.getByTestId('tts-recording');
  await tts.getByLabel('Text of the message').fill('Hello, this is a reminder of your appointment tomorrow.');
  await tts.getByLabel('Name', { exact: true }).fill('Reminder');
  await tts.getByRole('button', { name: 'Create the recording' }).click();
  await page.getByRole('cell', { name: 'Reminder', exact: true }).waitFor();

  // The campaign wizard, on the sandbox trunk, calling at any hour so the test does not depend on the clock.
  await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
  await page.getByRole('link', { name: 'New campaign' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Journey');
  await page.getByLabel('Contact list').selectOption({ label: 'Journey contacts (20 contacts)' });
  await page.getByLabel('Message recording').selectOption({ label: 'Reminder' });
  await page.getByLabel('Caller ID shown').fill('+33 1 23 45 67 89');
  t.true(await page.getByRole('checkbox', { name: /^sandbox/ }).isChecked());
  const window1 = page.getByRole('group', { name: 'Window 1' });
  for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']) await window1.getByLabel(day).check();
  await window1.getByLabel('From').fill('00:00');
  await window1.getByLabel(/^To/).fill('24:00');
  await page.getByLabel('Calls at the same time (max)').fill(String(CONTACTS));
  await page.getByLabel('New calls per second (max)').fill('20');
  await page.getByLabel('Ring for (seconds)').fill('5');
  await page.getByLabel('Attempts per contact (max)').fill('1');
  await page.getByRole('button', { name: 'Save and check' }).click();

  // The preflight report and the ETA, then the start.
  await page.getByTestId('preflight').waitFor();
  t.is(await page.getByTestId('preflight-callable').innerText(), String(CONTACTS));
  t.is(await page.getByTestId('preflight-blocked').innerText(), '0');
  // A duration with its units (e.g. "12 s", "1 min 5 s"), never a bare "0:12".
  await page.getByTestId('preflight-eta').filter({ hasText: /^(\d+\smin(\s\d+\ss)?|\d+\ss)$/ }).waitFor();
  t.not(await page.getByTestId('preflight-eta').innerText(), '0\u00a0s');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.getByTestId('campaign-status').filter({ hasText: 'Running' }).waitFor();
  // Pause and resume while the first calls (several seconds each) are still going on.
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByTestId('campaign-status').filter({ hasText: 'Paused' }).waitFor();
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await page.getByTestId('campaign-status').filter({ hasText: /Running|Completed/ }).waitFor();

  // Live counters (WebSocket feed; the page is not reloaded) reach the end.
  await page.getByTestId('campaign-status').filter({ hasText: 'Completed' }).waitFor({ timeout: 60_000 });
  const counter = async (k: string): Promise<number> => Number((await page.getByTestId(`counter-${k}`).innerText()).replace(/\D/g, ''));
  t.is(await counter('contacts'), CONTACTS);
  t.is((await counter('done')) + (await counter('blocked')), CONTACTS);
  t.is(await counter('pending'), 0);
  await page.screenshot({ path: artifactPath('journey-campaign-done') });

  // The report and its CSV export.
  await page.getByRole('link', { name: 'Report', exact: true }).click();
  await page.getByTestId('report-summary').waitFor();
  t.is(await page.getByTestId('report-attempts').innerText(), String(CONTACTS));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  t.is(download.suggestedFilename(), 'Journey - results.csv');
  const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
  const lines = csv.trim().split('\r\n');
  t.true(lines[0]!.startsWith('Row in the file,Number,Contact name,'), lines[0]);
  t.is(lines.length, CONTACTS + 1);
  // Numbers stay text with their + (written ="..."), never with a visible apostrophe.
  t.true(lines.slice(1).every((l) => /^\d+,"=""\+336123457\d\d""",/.test(l) && /,(done|blocked),/.test(l)), lines.join('\n'));
  await page.screenshot({ path: artifactPath('journey-report') });

  // A number on the do-not-call list.
  await page.getByRole('link', { name: 'Compliance', exact: true }).click();
  const addForm = page.locator('form', { has: page.getByRole('button', { name: 'Add to the do-not-call list' }) });
  await addForm.getByLabel('Phone number').fill('06 12 34 57 10');
  await addForm.getByLabel('Reason (optional)').fill('asked on the phone');
  await addForm.getByRole('button', { name: 'Add to the do-not-call list' }).click();
  t.regex(await page.getByTestId('dnc-add-result').innerText(), /is on the do-not-call list/);
  await page.getByTestId('dnc-list').getByRole('cell', { name: 'asked on the phone' }).waitFor();
  await page.getByLabel('Number or text').fill('+33612345710');
  await page.getByRole('button', { name: 'Check number' }).click();
  t.regex(await page.getByTestId('dnc-find-result').innerText(), /\+33612345710 is on the do-not-call list \(Added by staff/);

  // Log out: back on the login page, and the API no longer answers this browser.
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByLabel('Password').waitFor();
  t.is(new URL(page.url()).pathname, '/login');
  const after = await page.evaluate(async () => (await fetch('/api/campaigns')).status);
  t.is(after, 401);
  t.log(`journey took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});

// The recordings page: text-to-speech with a preview, then rename and delete, all through the page.
import test from 'ava';
import { startUiBox } from './browser.ts';

test('a message made by text-to-speech can be previewed, created, renamed and deleted', async (t) => {
  const { page, base, box } = await startUiBox(t);
  await page.goto(`${base}/recordings`);
  const tts = page.getByTestId('tts-recording');
  await tts.getByLabel('Text of the message').fill('Hello, your parcel arrives tomorrow.');
  await tts.getByLabel('Voice').selectOption({ label: 'English' });
  await tts.getByRole('button', { name: 'Listen to a preview' }).click();
  await t.notThrowsAsync(tts.getByTestId('tts-preview').waitFor());

  await tts.getByLabel('Name').fill('Parcel notice');
  await tts.getByRole('button', { name: 'Create the recording' }).click();
  const table = page.getByTestId('recordings-table');
  const row = table.locator('tbody tr').filter({ hasText: 'Parcel notice' });
  await row.waitFor();
  t.regex(await row.textContent() ?? '', /text-to-speech.*\d\ss\b.*LUFS/);

  await page.getByRole('button', { name: 'Rename Parcel notice' }).click();
  const input = page.getByLabel('New name for Parcel notice');
  await input.fill('Parcel notice (May)');
  await table.getByRole('button', { name: 'Save' }).click();
  await table.getByText('Parcel notice (May)').waitFor();
  const listed = await box.api.get<{ name: string }[]>('/api/recordings');
  t.deepEqual(listed.body.map((r) => r.name), ['Parcel notice (May)']);

  await page.getByRole('button', { name: 'Delete Parcel notice (May)' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('status').filter({ hasText: 'Recording “Parcel notice (May)” deleted.' }).waitFor();
  // The table reloads after the message: wait for the row to go.
  await t.notThrowsAsync(table.locator('tbody tr').filter({ hasText: 'Parcel notice' }).waitFor({ state: 'detached' }));
});

test('a message recorded with the microphone (a fake one) is saved with its duration', async (t) => {
  const { page, base, context } = await startUiBox(t, { extraArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
  await context.grantPermissions(['microphone'], { origin: base });
  await page.goto(`${base}/recordings`);
  const card = page.getByTestId('record-recording');
  await card.getByRole('button', { name: 'Start recording' }).click();
  await card.getByRole('status').filter({ hasText: /Recording… [2-9]\ss\b/ }).waitFor({ timeout: 15000 });
  await card.getByRole('button', { name: 'Stop' }).click();
  await card.getByLabel('Your recording').waitFor();
  await card.getByLabel('Name').fill('From the microphone');
  await card.getByRole('button', { name: 'Save the recording' }).click();
  const row = page.getByTestId('recordings-table').locator('tbody tr').filter({ hasText: 'From the microphone' });
  await row.waitFor({ timeout: 20000 });
  t.regex(await row.textContent() ?? '', /file.*[1-9]\ss\b.*LUFS/);
});

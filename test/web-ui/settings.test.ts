// The settings page: a test call on the sandbox trunk, a saved change, and a user added.
import test from 'ava';
import { startUiBox } from './browser.ts';

test('settings: test call on the sandbox, a saved box name, a GSM gateway refused then saved, a new user', async (t) => {
  const { page, base, box } = await startUiBox(t, { box: { sandbox: { seed: 3, mix: 'listener=100' } } });
  await box.api.send('POST', '/api/recordings/tts', { text: 'Testing the line.', voice: 'en', name: 'Line test' });
  await page.goto(`${base}/settings`);

  const testCall = page.getByTestId('test-call-sandbox');
  await testCall.getByLabel('Message to play').selectOption({ label: 'Line test' });
  await testCall.getByLabel('Number to call (with country code) or sip: address').fill('+33 6 11 22 33 44');
  await testCall.getByRole('button', { name: 'Place a test call' }).click();
  const result = testCall.getByTestId('test-call-result');
  await result.waitFor({ timeout: 40000 });
  t.regex(await result.textContent() ?? '', /Outcome: human \(SIP 200\); message played to the end/);

  const boxSection = page.getByTestId('settings-box');
  await boxSection.getByLabel('Name of the box').fill('Agence Lyon');
  await boxSection.getByRole('button', { name: 'Save' }).click();
  await boxSection.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  t.is((await box.api.get<{ box: { name: string } }>('/api/settings')).body.box.name, 'Agence Lyon');

  // A GSM gateway without a host: the error is next to its Host field; with one, it is saved.
  const trunks = page.getByTestId('settings-trunks');
  await trunks.getByRole('button', { name: 'Add a GSM gateway' }).click();
  const gsm = trunks.getByTestId('trunk-0');
  await gsm.getByLabel('In use').uncheck();
  await trunks.getByRole('button', { name: 'Save' }).click();
  const host = gsm.getByLabel('Host (address or name)');
  await t.notThrowsAsync(trunks.getByRole('alert').filter({ hasText: 'Nothing was saved' }).waitFor());
  const hostError = (await host.getAttribute('aria-describedby')) ?? '';
  t.is(await page.locator(`[id="${hostError.split(' ').pop()}"]`).textContent(), 'is required');
  await host.fill('192.0.2.10');
  await gsm.getByLabel('SIM ports').fill('4');
  await gsm.getByLabel('Simultaneous calls').fill('4');
  await trunks.getByRole('button', { name: 'Save' }).click();
  await trunks.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  const saved = await box.api.get<{ trunks: { name: string; kind: string; host: string; enabled: boolean; gsm?: { ports: number } }[] }>('/api/settings');
  t.like(saved.body.trunks[0], { name: 'gsm-1', kind: 'gsm', host: '192.0.2.10', enabled: false, gsm: { ports: 4 } });

  const users = page.getByTestId('settings-users');
  await users.getByLabel('Username', { exact: true }).fill('claire');
  await users.getByLabel('Password (8 characters or more)').fill('short');
  await users.getByRole('button', { name: 'Add the user' }).click();
  // Too short: said next to the password field.
  await users.locator('.field__error').first().waitFor();
  t.regex(await users.locator('.field__error').first().textContent() ?? '', /8/);
  await users.getByLabel('Password (8 characters or more)').fill('long enough password');
  await users.getByLabel('Role', { exact: true }).selectOption('viewer');
  await users.getByRole('button', { name: 'Add the user' }).click();
  await users.getByRole('status').filter({ hasText: 'User “claire” added.' }).waitFor();
  const list = await box.api.get<{ username: string; role: string }[]>('/api/users');
  t.true(list.body.some((u) => u.username === 'claire' && u.role === 'viewer'));
});

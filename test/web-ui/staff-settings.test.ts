// Issue 16, the staff part of the Settings page: an admin lets a user take calls, makes a staff group
// with them and allow-lists one of the organisation's numbers typed as dialled in France; after a
// reload both are there (the number in E.164). A wrong desk-phone range is refused whole, with the
// reason under the field in French. An operator never sees the section.
import test from 'ava';
import { loginPage, openBrowser, startUiBox } from './browser.ts';

test('an admin sets a staff group and an allow-listed number; after a reload they are shown', async (t) => {
  t.timeout(90_000);
  const { page, base, box, username } = await startUiBox(t, { box: { settings: (s) => { s.box.country = 'FR'; } } });
  await page.goto(`${base}/settings`);
  const users = page.getByTestId('settings-users');
  await users.getByLabel(`Takes calls: ${username}`).check();
  await users.getByRole('status').filter({ hasText: `“${username}” takes calls: yes.` }).waitFor();
  // The desk phone's password goes in, and never comes back.
  await users.getByLabel(`Desk phone password: ${username}`).fill('desk-phone-secret-1');
  await users.getByRole('button', { name: 'Set', exact: true }).click();
  await users.getByTestId(`desk-phone-${username}`).filter({ hasText: 'password set' }).waitFor();
  t.is(await users.getByLabel(`Desk phone password: ${username}`).inputValue(), '');

  const staff = page.getByTestId('settings-staff');
  t.is(await staff.getByLabel('Staff may call out through the box').isChecked(), false, 'off by default');
  t.is(await staff.getByLabel('Administrators may listen in on a live call').isChecked(), false, 'off by default');
  t.regex(await staff.textContent() ?? '', /same compliance checks as a campaign call/);
  await staff.getByRole('button', { name: 'Add a group' }).click();
  const group = staff.getByTestId('staff-group-0');
  await group.getByLabel('Group name').fill('accueil');
  await group.getByLabel('Who rings').selectOption({ label: 'the one idle longest first, then the next' });
  await group.getByLabel(username, { exact: true }).check();
  await staff.getByRole('button', { name: 'Add a number' }).first().click();
  await staff.getByLabel('Own number 1').fill('04 78 00 00 00');
  await staff.getByRole('button', { name: 'Save' }).click();
  await staff.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

  const stored = await box.api.get<{ staff: { groups: unknown[]; transferNumbers: string[] }; users: Array<{ username: string; takeCalls: boolean; deskPhone: boolean }> }>('/api/staff');
  t.deepEqual(stored.body.staff.groups, [{ name: 'accueil', members: [username], strategy: 'longest-idle' }]);
  t.deepEqual(stored.body.staff.transferNumbers, ['+33478000000']);
  t.like(stored.body.users.find((u) => u.username === username), { takeCalls: true, deskPhone: true });
  t.false(JSON.stringify(stored.body).includes('desk-phone-secret-1'));

  await page.reload();
  const again = page.getByTestId('settings-staff');
  await again.waitFor();
  const g = again.getByTestId('staff-group-0');
  t.is(await g.getByLabel('Group name').inputValue(), 'accueil');
  t.is(await g.getByLabel(username, { exact: true }).isChecked(), true);
  t.is(await g.getByLabel('Who rings').locator('option:checked').textContent(), 'the one idle longest first, then the next');
  t.is(await again.getByLabel('Own number 1').inputValue(), '+33478000000');
  t.is(await page.getByTestId('settings-users').getByLabel(`Takes calls: ${username}`).isChecked(), true);
});

test('fr: a wrong desk-phone range is refused whole, the reason under the field in French', async (t) => {
  t.timeout(90_000);
  const { page, base, box } = await startUiBox(t, { locale: 'fr-FR' });
  await page.goto(`${base}/settings`);
  const staff = page.getByTestId('settings-staff');
  await staff.getByRole('button', { name: 'Ajouter une plage' }).click();
  await staff.getByLabel('Plage d’adresses 1').fill('192.168.1.0/24');
  await staff.getByRole('button', { name: 'Ajouter une plage' }).click();
  const bad = staff.getByLabel('Plage d’adresses 2');
  await bad.fill('192.168.300.0/24');
  await staff.getByLabel('L’équipe peut appeler vers l’extérieur via le boîtier').check();
  await staff.getByRole('button', { name: 'Enregistrer' }).click();
  await staff.getByRole('alert').filter({ hasText: 'Rien n’a été enregistré' }).waitFor();
  t.is(await bad.getAttribute('aria-invalid'), 'true');
  const ids = ((await bad.getAttribute('aria-describedby')) ?? '').split(' ');
  t.is(await page.locator(`[id="${ids[ids.length - 1]}"]`).innerText(), '« 192.168.300.0/24 » n’est pas une plage d’adresses (par exemple 192.168.1.0/24 ou fd00::/8)');
  t.is(await staff.getByLabel('Plage d’adresses 1').getAttribute('aria-invalid'), null);
  // Nothing was written: not the good range, not the switch.
  const stored = await box.api.get<{ staff: { deskPhoneRanges: string[]; outboundCalls: boolean } }>('/api/staff');
  t.deepEqual(stored.body.staff.deskPhoneRanges, []);
  t.false(stored.body.staff.outboundCalls);
});

test('an operator does not see the staff section', async (t) => {
  t.timeout(90_000);
  const { box, base } = await startUiBox(t, { login: false });
  t.is((await box.api.send('POST', '/api/users', { username: 'opera', password: 'operator-password-1', role: 'operator' })).status, 201);
  const { page } = await openBrowser(t);
  await loginPage(page, base, 'opera', 'operator-password-1');
  await page.goto(`${base}/settings`);
  await page.getByRole('alert').waitFor();
  t.is(await page.getByTestId('settings-staff').count(), 0);
  t.is(await page.getByText('Staff and calls coming in').count(), 0);
  // And the box agrees: the staff settings are for admins.
  const { request } = page.context();
  t.is((await request.get(`${base}/api/staff`)).status(), 403);
});

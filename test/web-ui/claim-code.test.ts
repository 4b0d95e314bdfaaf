// The claim code adopts a box into a fleet: it lives in Settings › Fleet (an admin's page); the dashboard
// says the box is not adopted yet, points an admin there, tells a viewer that an administrator can adopt
// it, and the code is nowhere on the viewer's page.
import test from 'ava';
import { loginPage, startUiBox } from './browser.ts';

test('the claim code is in Settings › Fleet for an admin; a viewer\'s dashboard only says that an administrator can adopt the box', async (t) => {
  const { page, base, box, username, password } = await startUiBox(t, { login: false });
  const status = await box.api.send<{ state: string; claimCode?: string }>('GET', '/api/provisioning');
  t.is(status.body.state, 'unclaimed');
  const code = status.body.claimCode!;
  t.regex(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  const made = await box.api.send('POST', '/api/users', { username: 'watcher', password: 'watcher-password-1', role: 'viewer' });
  t.true(made.status === 200 || made.status === 201, made.text);

  await loginPage(page, base, 'watcher', 'watcher-password-1');
  await page.goto(`${base}/`);
  const notice = page.getByTestId('fleet-notice');
  await notice.waitFor();
  t.is((await notice.innerText()).trim(), 'This box is not adopted by a fleet yet. An administrator can adopt it from Settings › Fleet.');
  t.is(await notice.getByRole('link').count(), 0, 'no link to a page the viewer may not open');
  await page.waitForLoadState('networkidle');
  t.false((await page.content()).includes(code), 'the code is not on the viewer\'s page');

  await page.context().clearCookies();
  await loginPage(page, base, username, password);
  await page.goto(`${base}/`);
  await page.getByTestId('fleet-notice').waitFor();
  t.false((await page.content()).includes(code), 'nor on the admin\'s dashboard');
  await page.goto(`${base}/settings#fleet`);
  await page.locator('#fleet').getByTestId('claim-card').locator('.claim').waitFor();
  t.is(await page.locator('#fleet').getByTestId('claim-card').locator('.claim').textContent(), code);
});

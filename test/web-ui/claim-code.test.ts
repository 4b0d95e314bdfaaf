// The claim code adopts a box into a fleet: the dashboard shows it to an admin only; a viewer's
// dashboard says that an administrator can see it, and the code is nowhere on the viewer's page.
import test from 'ava';
import { loginPage, startUiBox } from './browser.ts';

test('the dashboard shows the claim code to an admin, and only tells a viewer that an admin can see it', async (t) => {
  const { page, base, box, username, password } = await startUiBox(t, { login: false });
  const status = await box.api.send<{ state: string; claimCode?: string }>('GET', '/api/provisioning');
  t.is(status.body.state, 'unclaimed');
  const code = status.body.claimCode!;
  t.regex(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  const made = await box.api.send('POST', '/api/users', { username: 'watcher', password: 'watcher-password-1', role: 'viewer' });
  t.true(made.status === 200 || made.status === 201, made.text);

  await loginPage(page, base, 'watcher', 'watcher-password-1');
  await page.goto(`${base}/`);
  const card = page.getByTestId('claim-card');
  await card.getByTestId('claim-admin-only').waitFor();
  t.regex(await card.textContent() ?? '', /An administrator can see the claim code/);
  await page.waitForLoadState('networkidle');
  t.false((await page.content()).includes(code), 'the code is not on the viewer\'s page');

  await page.context().clearCookies();
  await loginPage(page, base, username, password);
  await page.goto(`${base}/`);
  await page.getByTestId('claim-card').locator('.claim').waitFor();
  t.is(await page.getByTestId('claim-card').locator('.claim').textContent(), code);
  t.is(await page.getByTestId('claim-admin-only').count(), 0);
});

import test from 'ava';
import { startUiBox } from './browser.ts';

test('logging in shows the dashboard with the menu and the sandbox banner', async (t) => {
  const { page } = await startUiBox(t);
  await page.getByTestId('sandbox-banner').waitFor();
  t.true(await page.getByRole('link', { name: 'Dashboard' }).isVisible());
  t.is(new URL(page.url()).pathname, '/');
});

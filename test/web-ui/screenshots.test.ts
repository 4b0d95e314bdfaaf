// Screenshots of each main page in English and French, saved to test/artifacts/web-ui/ (git-ignored).
// With UPDATE_SCREENSHOTS=1, a few small ones are also copied to docs/screenshots/ for the README.
import test from 'ava';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { artifactPath, openPage, startUiBox } from './browser.ts';

const PAGES = [
  { path: '/', name: 'dashboard', ready: 'box-health' },
  { path: '/lists', name: 'lists', ready: 'lists-table' },
  { path: '/recordings', name: 'recordings', ready: 'recordings-table' },
  { path: '/campaigns', name: 'campaigns', ready: null },
  { path: '/reports', name: 'reports', ready: null },
  { path: '/compliance', name: 'compliance', ready: null },
  { path: '/settings', name: 'settings', ready: 'settings-box' },
] as const;

// Small, committed copies for the README (1024x700 viewport, one language each).
const README_SHOTS = new Set(['dashboard-en', 'lists-en', 'recordings-fr', 'settings-en']);
// Runs in the page (a string, as the tests are type-checked without the DOM library).
const UNLABELLED = `[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map((el) => el.outerHTML.slice(0, 120))`;
const DOCS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

test('each main page renders in English and French (screenshots in test/artifacts/web-ui)', async (t) => {
  const { box, page, context } = await startUiBox(t, { viewport: { width: 1024, height: 700 } });
  // Something on each page: a list with a rejected row, a recording.
  const csv = 'Name;Phone;City\nMarie Martin;06 12 34 56 78;Lyon\nJean Petit;not a number;Paris\nAli Ben;+33 1 23 45 67 89;Lille\n';
  const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=customers.csv', Buffer.from(csv));
  await box.api.send('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Customers May', country: 'FR', mapping: { phone: ['Phone'], name: 'Name' } });
  await box.api.send('POST', '/api/recordings/tts', { text: 'Hello, this is a reminder of your appointment tomorrow.', voice: 'en', name: 'Appointment reminder' });

  const update = process.env.UPDATE_SCREENSHOTS === '1';
  if (update) mkdirSync(DOCS, { recursive: true });
  for (const lang of ['en', 'fr'] as const) {
    await page.evaluate(`localStorage.setItem('vb.lang', '${lang}')`);
    for (const p of PAGES) {
      await openPage(page, box.base + p.path, p.ready);
      t.is(await page.evaluate<string>('document.documentElement.lang'), lang, `${p.name} in ${lang}`);
      // Every form control has a label (or an aria-label) that screen readers can read.
      t.deepEqual(await page.evaluate<string[]>(UNLABELLED), [], `unlabelled controls on ${p.name} (${lang})`);
      const file = artifactPath(`${p.name}-${lang}`);
      await page.screenshot({ path: file, fullPage: true });
      if (update && README_SHOTS.has(`${p.name}-${lang}`)) {
        await page.screenshot({ path: `${DOCS}${p.name}-${lang}.png`, fullPage: false });
      }
    }
  }
  // The login page, in both languages, from a fresh context (not logged in).
  for (const lang of ['en', 'fr'] as const) {
    const fresh = await context.browser()!.newContext({ locale: lang === 'fr' ? 'fr-FR' : 'en-GB', viewport: { width: 1024, height: 700 } });
    const lp = await fresh.newPage();
    await lp.goto(`${box.base}/login`);
    await lp.getByRole('heading', { name: lang === 'fr' ? 'Connexion' : 'Log in' }).waitFor();
    await lp.screenshot({ path: artifactPath(`login-${lang}`) });
    await fresh.close();
  }
  // Phone-sized: every page still fits (no sideways scrolling of the page itself; wide tables scroll inside).
  await page.setViewportSize({ width: 375, height: 700 });
  await page.evaluate("localStorage.setItem('vb.lang', 'fr')");
  for (const p of PAGES) {
    await page.goto(box.base + p.path);
    await page.getByRole('heading', { level: 1 }).waitFor();
    if (p.ready) await page.getByTestId(p.ready).waitFor();
    await page.screenshot({ path: artifactPath(`${p.name}-phone`), fullPage: true });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    t.true(overflow <= 1, `${p.name} scrolls sideways by ${overflow}px at 375px`);
  }
});

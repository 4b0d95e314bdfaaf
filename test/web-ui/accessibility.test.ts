// An automated accessibility check: axe-core runs in Debian's Chromium on each main page, in English and
// French, at desktop width and at 375 px, and on a few states a page load does not show (the phone menu,
// a confirm dialog, an import's column mapping, form errors). Serious or critical violations fail the
// test; the minor and moderate ones are logged with their counts.
import test from 'ava';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { openPage, startUiBox } from './browser.ts';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

interface Visit {
  path: string;
  name: string;
  /** A test id to wait for before the check, when the page loads its data after the heading. */
  ready: string | null;
}

const PAGES: Visit[] = [
  { path: '/', name: 'dashboard', ready: 'box-health' },
  { path: '/lists', name: 'lists', ready: 'lists-table' },
  { path: '/recordings', name: 'recordings', ready: 'recordings-table' },
  { path: '/campaigns', name: 'campaigns', ready: 'campaign-list' },
  { path: '/campaigns/new', name: 'campaign wizard', ready: null },
  { path: '/reports', name: 'reports', ready: 'report-list' },
  { path: '/compliance/dnc', name: 'compliance do-not-call', ready: 'dnc-list' },
  { path: '/compliance/consents', name: 'compliance consents', ready: null },
  { path: '/compliance/registries', name: 'compliance registries', ready: 'registry-list' },
  { path: '/compliance/caller-ids', name: 'compliance caller IDs', ready: 'caller-id-list' },
  { path: '/compliance/audit', name: 'compliance audit', ready: 'audit-list' },
  { path: '/settings', name: 'settings', ready: 'settings-staff' },
];

const WIDTHS = [{ width: 1280, height: 800 }, { width: 375, height: 700 }] as const;
const LANGS = ['en', 'fr'] as const;

interface Found {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** What the checks found, over every page. */
interface Tally {
  serious: string[];
  minor: Map<string, number>;
  runs: number;
}

// Runs in the page (a string, as the tests are type-checked without the DOM library). Only violations,
// reduced to what the failure message needs.
const RUN_AXE = `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
  id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
})))`;

async function check(page: Page, where: string, tally: Tally): Promise<void> {
  await page.waitForFunction('typeof window.axe === "object"');
  const found = await page.evaluate<Found[]>(RUN_AXE);
  tally.runs += 1;
  for (const v of found) {
    if (v.impact === 'serious' || v.impact === 'critical') {
      tally.serious.push(`${where}: ${v.id} (${v.impact}) ${v.help} — ${v.targets.join(' | ')}`);
    } else {
      const key = `${v.id} (${v.impact ?? 'unknown'})`;
      tally.minor.set(key, (tally.minor.get(key) ?? 0) + 1);
    }
  }
}

type Session = Awaited<ReturnType<BrowserContext['storageState']>>;

/** A fresh context in one language at one size, with axe injected at every page load. */
async function contextFor(browser: Browser, lang: 'en' | 'fr', size: { width: number; height: number }, storageState?: Session) {
  const context = await browser.newContext({ locale: lang === 'fr' ? 'fr-FR' : 'en-GB', viewport: size, ...(storageState ? { storageState } : {}) });
  // Injected by the browser, not as a <script> tag: the page's CSP would refuse an inline script.
  await context.addInitScript({ path: AXE });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return { context, page };
}

test('no serious or critical axe-core violations on the main pages (en/fr, desktop and 375 px)', async (t) => {
  t.timeout(90_000);
  const { box, page: adminPage, browser } = await startUiBox(t);
  // Something on the pages: a list with a rejected row, a recording, a draft campaign.
  const csv = 'Name;Phone;City\nMarie Martin;06 12 34 56 78;Lyon\nJean Petit;not a number;Paris\n';
  const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=customers.csv', Buffer.from(csv));
  const list = await box.api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Customers May', country: 'FR', mapping: { phone: ['Phone'], name: 'Name' } });
  t.is(list.status, 201, list.text);
  const rec = await box.api.send<{ id: string }>('POST', '/api/recordings/tts', { text: 'Hello, this is a reminder.', voice: 'en', name: 'Reminder' });
  t.is(rec.status, 201, rec.text);
  const config = { message: rec.body.id, callerId: '+33162000000', trunks: ['sandbox'], schedule: { windows: [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' }] }, maxAttempts: 1 };
  const made = await box.api.send<{ id: number }>('POST', '/api/campaigns', { name: 'Spring reminder', listId: list.body.list.id, config });
  t.is(made.status, 201, made.text);
  // The pages of one list, one campaign and its report, too.
  const visits: Visit[] = [
    ...PAGES,
    { path: `/lists/${list.body.list.id}`, name: 'list contacts', ready: 'contacts-table' },
    { path: `/campaigns/${made.body.id}`, name: 'campaign', ready: 'campaign-status' },
    { path: `/reports/${made.body.id}`, name: 'report', ready: 'report-attempts' },
  ];
  // The logged-in session, reused by one context per language and size; the four run side by side.
  const session = await adminPage.context().storageState();
  const tally: Tally = { serious: [], minor: new Map(), runs: 0 };

  const oneCombination = async (lang: 'en' | 'fr', size: { width: number; height: number }): Promise<void> => {
    const { context, page } = await contextFor(browser, lang, size, session);
    t.teardown(() => context.close());
    for (const p of visits) {
      // Also waits for the page's secondary data (select options, status lines).
      await openPage(page, box.base + p.path, p.ready);
      t.is(await page.evaluate<string>('document.documentElement.lang'), lang, `${p.name} in ${lang}`);
      await check(page, `${p.name} (${lang}, ${size.width}px)`, tally);
    }
    if (size.width > 400) return;
    // States a page load does not show: the phone menu open, a confirm dialog, an import's column mapping,
    // the wizard's field errors.
    await page.goto(`${box.base}/`);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.locator('#main-nav').getByRole('link').first().waitFor();
    await check(page, `menu open (${lang}, 375px)`, tally);
    await page.goto(`${box.base}/lists`);
    await page.getByRole('button', { name: /^(Delete|Supprimer) Customers May$/ }).click();
    await page.getByRole('dialog').waitFor();
    await check(page, `delete dialog (${lang}, 375px)`, tally);
    await page.keyboard.press('Escape');
    await page.getByLabel(/^(File \(CSV or Excel\)|Fichier \(CSV ou Excel\))$/).setInputFiles({ name: 'more.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('preview-table').waitFor();
    await check(page, `import mapping (${lang}, 375px)`, tally);
    await page.goto(`${box.base}/campaigns/new`);
    await page.getByRole('button', { name: /^(Save and check|Enregistrer et vérifier)$/ }).click();
    await page.locator('[aria-invalid="true"]').first().waitFor();
    await check(page, `wizard with errors (${lang}, 375px)`, tally);
  };
  // The login page, from a context with no session.
  const loginCheck = async (lang: 'en' | 'fr', size: { width: number; height: number }): Promise<void> => {
    const { context, page } = await contextFor(browser, lang, size);
    t.teardown(() => context.close());
    await page.goto(`${box.base}/login`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await check(page, `login (${lang}, ${size.width}px)`, tally);
    // And with its error shown (one wrong try per context, far below the rate limit).
    await page.getByLabel(/^(Username|Identifiant)$/).fill('nobody');
    await page.getByLabel(/^(Password|Mot de passe)$/).fill('not-the-password');
    await page.getByRole('button', { name: /^(Log in|Se connecter)$/ }).click();
    await page.getByRole('alert').waitFor();
    await check(page, `login error (${lang}, ${size.width}px)`, tally);
  };

  await Promise.all(LANGS.flatMap((lang) => WIDTHS.map((size) => oneCombination(lang, size))));
  await Promise.all(LANGS.flatMap((lang) => WIDTHS.map((size) => loginCheck(lang, size))));

  const minor = [...tally.minor].map(([k, n]) => `${k} ×${n}`).join(', ') || 'none';
  t.log(`${tally.runs} pages checked; minor/moderate violations (pages affected): ${minor}`);
  t.deepEqual(tally.serious, [], 'serious or critical violations (page: rule (impact) help — targets)');
});

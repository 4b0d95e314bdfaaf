// An automated accessibility check: axe-core runs in Debian's Chromium on each main page, in English and
// French, at desktop width and at 375 px. Serious or critical violations fail the test; the minor and
// moderate ones are logged with their counts.
import test from 'ava';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { startUiBox } from './browser.ts';

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
  { path: '/reports', name: 'reports', ready: null },
  { path: '/compliance/dnc', name: 'compliance do-not-call', ready: null },
  { path: '/compliance/consents', name: 'compliance consents', ready: null },
  { path: '/compliance/registries', name: 'compliance registries', ready: null },
  { path: '/compliance/caller-ids', name: 'compliance caller IDs', ready: null },
  { path: '/compliance/audit', name: 'compliance audit', ready: null },
  { path: '/settings', name: 'settings', ready: 'settings-box' },
];

const WIDTHS = [{ width: 1280, height: 800 }, { width: 375, height: 700 }] as const;

interface Found {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

// Runs in the page (a string, as the tests are type-checked without the DOM library). Only violations,
// reduced to what the failure message needs.
const RUN_AXE = `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
  id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
})))`;

async function check(page: Page, where: string, serious: string[], minor: Map<string, number>): Promise<void> {
  await page.waitForFunction('typeof window.axe === "object"');
  const found = await page.evaluate<Found[]>(RUN_AXE);
  for (const v of found) {
    if (v.impact === 'serious' || v.impact === 'critical') {
      serious.push(`${where}: ${v.id} (${v.impact}) ${v.help} — ${v.targets.join(' | ')}`);
    } else {
      const key = `${v.id} (${v.impact ?? 'unknown'})`;
      minor.set(key, (minor.get(key) ?? 0) + 1);
    }
  }
}

test('no serious or critical axe-core violations on the main pages (en/fr, desktop and 375 px)', async (t) => {
  t.timeout(90_000);
  const { box, page, context } = await startUiBox(t);
  // axe is injected at every page load by the browser (the page's CSP would refuse a <script> tag).
  await context.addInitScript({ path: AXE });
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

  const serious: string[] = [];
  const minor = new Map<string, number>();
  let runs = 0;
  for (const lang of ['en', 'fr'] as const) {
    await page.evaluate(`localStorage.setItem('vb.lang', '${lang}')`);
    for (const size of WIDTHS) {
      await page.setViewportSize(size);
      for (const p of visits) {
        await page.goto(box.base + p.path);
        await page.getByRole('heading', { level: 1 }).waitFor();
        if (p.ready) await page.getByTestId(p.ready).waitFor();
        await page.waitForLoadState('networkidle');
        await check(page, `${p.name} (${lang}, ${size.width}px)`, serious, minor);
        runs += 1;
      }
    }
  }
  // The login page, from a fresh context (not logged in), in both languages and at both widths.
  for (const lang of ['en', 'fr'] as const) {
    for (const size of WIDTHS) {
      const fresh = await context.browser()!.newContext({ locale: lang === 'fr' ? 'fr-FR' : 'en-GB', viewport: size });
      await fresh.addInitScript({ path: AXE });
      const lp = await fresh.newPage();
      await lp.goto(`${box.base}/login`);
      await lp.getByRole('heading', { level: 1 }).waitFor();
      await check(lp, `login (${lang}, ${size.width}px)`, serious, minor);
      runs += 1;
      await fresh.close();
    }
  }
  t.log(`${runs} pages checked; minor/moderate violations (pages affected): ${minor.size ? [...minor].map(([k, n]) => `${k} ×${n}`).join(', ') : 'none'}`);
  t.deepEqual(serious, [], 'serious or critical violations (page: rule (impact) help — targets)');
});

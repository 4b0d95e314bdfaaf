// The console's accessibility: axe-core in Debian's Chromium on every page of the console (login,
// boxes, alerts, a box with its charts, commands, configuration, enrolment, audit), in English and in
// French. Serious or critical violations fail; the others are logged. Also: every page in French shows
// French words (no English left over on the main headings).
import test from 'ava';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { openBrowser } from '../web-ui/browser.ts';
import { consoleRig, PASSWORD, SimBox } from './console-kit.ts';
import { useStorages } from './storages.ts';

useStorages();
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const RUN_AXE = `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
  id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
})))`;

async function violations(page: Page, where: string, serious: string[], minor: string[]): Promise<void> {
  await page.waitForFunction('typeof window.axe === "object"');
  for (const v of await page.evaluate<Array<{ id: string; impact: string | null; help: string; targets: string[] }>>(RUN_AXE)) {
    (v.impact === 'serious' || v.impact === 'critical' ? serious : minor).push(`${where}: ${v.id} (${v.impact}) ${v.help} — ${v.targets.join(' | ')}`);
  }
}

test.serial('pglite: no serious or critical axe-core violation on the console\'s pages, in English and French', async (t) => {
  t.timeout(180_000);
  const rig = await consoleRig(t, 'pglite');
  await rig.addUser('ada', 'admin');
  const boxes = await Promise.all(['lyon-1', 'nice-2'].map((id) => SimBox.start(rig.broker.url, id)));
  t.teardown(async () => { for (const b of boxes) await b.end(); });
  const now = Date.now();
  for (let i = 5; i >= 0; i--) await boxes[0]!.telemetry(new Date(now - i * 60_000), { cpuPct: 10 + i * 3, temperatureC: 50 + i, activeCalls: i, diskPct: i === 0 ? 95 : 40 });
  await rig.fm.console!.putGroup('south', ['lyon-1', 'nice-2']);
  for (let i = 0; i < 100 && !(await rig.fm.store!.alerts()).some((a) => a.kind === 'disk-full'); i++) await new Promise((r) => setTimeout(r, 100));

  const serious: string[] = [];
  const minor: string[] = [];
  for (const locale of ['en-GB', 'fr-FR']) {
    const { page, context } = await openBrowser(t, { locale });
    await context.addInitScript({ path: AXE });
    await page.goto(rig.base);
    await page.getByRole('button', { name: /^(Log in|Se connecter)$/ }).waitFor();
    await violations(page, `${locale} login`, serious, minor);
    await page.getByLabel(/^(User name|Nom d'utilisateur)$/).fill('ada');
    await page.getByLabel(/^(Password|Mot de passe)$/).fill(PASSWORD);
    await page.getByRole('button', { name: /^(Log in|Se connecter)$/ }).click();
    await page.locator('tr[data-box="lyon-1"]').waitFor();
    const fr = locale === 'fr-FR';
    const pages: Array<[string, string, string]> = [
      ['#/boxes', fr ? 'Boîtiers' : 'Boxes', 'tr[data-box="lyon-1"]'],
      ['#/alerts', fr ? 'Alertes ouvertes' : 'Open alerts', 'tr[data-alert="lyon-1:disk-full"]'],
      ['#/box/lyon-1', fr ? 'Boîtier lyon-1' : 'Box lyon-1', 'figure.chart svg'],
      ['#/commands', fr ? 'Arrêt d\'urgence' : 'Emergency stop', 'select[name="group"] option'],
      ['#/rollouts', fr ? 'Déploiements progressifs' : 'Staged rollouts', 'textarea'],
      ['#/enrol', fr ? 'Enrôlement des nouveaux boîtiers' : 'Enrolment of new boxes', 'form'],
      ['#/audit', fr ? 'Journal des actions de la console' : 'Audit of console actions', 'table tbody tr'],
    ];
    for (const [hash, heading, ready] of pages) {
      await page.goto(`${rig.base}/${hash}`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.locator(ready).first().waitFor({ state: 'attached' });
      await violations(page, `${locale} ${hash}`, serious, minor);
    }
    if (fr) t.regex(await page.locator('header').innerText(), /Boîtiers[\s\S]*Alertes[\s\S]*Commandes[\s\S]*Se déconnecter/);
  }
  if (minor.length) t.log(`minor or moderate: ${minor.length}\n${minor.join('\n')}`);
  t.deepEqual(serious, []);
});

// Issue 17, must-show 4: the console in Chromium (Debian's, through playwright-core), with mosquitto and
// the fleet manager on PGlite. Two real boxes on their sandboxes: an emergency stop from the console
// pauses the running campaigns of both; one of them killed shows up as an `offline` alert within the
// set delay. Twelve simulated boxes: a staged rollout stops at the first rejection, and the boxes of
// later steps never get the document (on PGlite and on a PostgreSQL server).
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowser } from '../web-ui/browser.ts';
import { boxApp, type Proc } from './procs.ts';
import { STORAGES, useStorages } from './storages.ts';
import { BoxApi, consoleRig, PASSWORD, SimBox } from './console-kit.ts';

useStorages();

async function login(page: Page, base: string, username: string): Promise<void> {
  await page.goto(base);
  await page.getByLabel(/^(User name|Nom d'utilisateur)$/).fill(username);
  await page.getByLabel(/^(Password|Mot de passe)$/).fill(PASSWORD);
  await page.getByRole('button', { name: /^(Log in|Se connecter)$/ }).click();
  await page.getByRole('navigation').waitFor();
}

/** A list of 30 numbers, a recording and a campaign at one call at a time, started: it runs for minutes. */
async function runningCampaign(api: BoxApi, dir: string): Promise<number> {
  const csv = 'phone\n' + Array.from({ length: 30 }, (_, i) => `+3314200${String(1000 + i)}`).join('\n') + '\n';
  const up = await api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=c.csv', Buffer.from(csv));
  const list = await api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.uploadId, name: 'patients', country: 'FR', mapping: { phone: 'phone' } });
  const wav = join(dir, `m-${Date.now()}.wav`);
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', '1.0', 'sine', '300-900', 'vol', '0.5']);
  const rec = await api.send<{ id: string }>('POST', '/api/recordings?name=m&filename=m.wav', readFileSync(wav));
  const c = await api.send<{ id: number }>('POST', '/api/campaigns', { name: 'reminders', listId: list.list.id, config: {
    message: rec.id, callerId: '+33162000000', trunks: ['sandbox'], ringTimeoutMs: 5000, maxAttempts: 1, maxConcurrent: 1, cps: 1,
    schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] },
  } });
  await api.send('POST', `/api/campaigns/${c.id}/start`);
  return c.id;
}

test.serial('pglite: in Chromium, an emergency stop pauses the campaigns of two real boxes, and a killed box shows as an alert within the set delay', async (t) => {
  t.timeout(240_000);
  const offlineAfterMs = 4000;
  const rig = await consoleRig(t, 'pglite', { offlineAfterMs });
  await rig.addUser('olga', 'operator');
  const dir = mkdtempSync(join(tmpdir(), 'fm-console-'));
  const procs: Proc[] = [];
  t.teardown(async () => {
    for (const p of procs) await p.end('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (boxId: string): Promise<{ proc: Proc; api: BoxApi }> => {
    const proc = boxApp(join(dir, boxId), rig.broker.url, boxId);
    procs.push(proc);
    const info = await proc.json<{ base: string; password: string }>((v) => typeof v.base === 'string', 120_000);
    return { proc, api: await BoxApi.login(info.base, info.password) };
  };
  const [a, b] = await Promise.all([start('box-a'), start('box-b')]);
  const campaigns = { 'box-a': await runningCampaign(a.api, dir), 'box-b': await runningCampaign(b.api, dir) };
  const status = async (api: BoxApi, id: number): Promise<string> => (await api.send<{ status: string }>('GET', `/api/campaigns/${id}`)).status;
  t.is(await status(a.api, campaigns['box-a']), 'running');
  t.is(await status(b.api, campaigns['box-b']), 'running');

  const { page } = await openBrowser(t);
  await login(page, rig.base, 'olga');
  // Both boxes appear online in the list.
  for (const id of ['box-a', 'box-b']) await page.locator(`tr[data-box="${id}"] td[data-cell="state"]`, { hasText: 'online' }).waitFor({ timeout: 30_000 });

  // A group of the two, then the emergency stop on it.
  await page.getByRole('link', { name: 'Commands' }).click();
  await page.getByLabel('Group name').fill('branch-offices');
  await page.getByLabel('Boxes of the group').fill('box-a, box-b');
  await page.getByRole('button', { name: 'Save the group' }).click();
  await page.getByText('Group branch-offices saved.').waitFor();
  await page.getByLabel('Group to stop').selectOption('branch-offices');
  page.once('dialog', (d) => void d.accept());
  const pressed = Date.now();
  await page.getByRole('button', { name: 'Pause every campaign' }).click();
  await page.getByText('Emergency stop sent to 2 box(es).').waitFor();
  // Each box's answer shows in the console, and each campaign is paused on its box.
  for (const id of ['box-a', 'box-b'] as const) {
    const row = page.locator(`tr[data-command="campaign.pause-all"][data-box="${id}"][data-status="ok"]`);
    await row.waitFor({ timeout: 15_000 });
    t.regex(await row.innerText(), new RegExp(`paused: ${campaigns[id]}`));
  }
  t.log(`both boxes answered the emergency stop ${Date.now() - pressed} ms after the click`);
  t.is(await status(a.api, campaigns['box-a']), 'paused');
  t.is(await status(b.api, campaigns['box-b']), 'paused');
  // The box audited each pause as the fleet's campaign.pause; the console audited who pressed.
  const audit = await rig.fm.console!.auditLog();
  t.like(audit.find((e) => e.action === 'emergency-stop'), { actor: 'olga', target: 'branch-offices', outcome: 'ok' });

  // Box B dies (kill -9): its last will says offline, and after the set delay the alert is on the page.
  await page.getByRole('link', { name: 'Alerts' }).click();
  await page.getByText('No open alert.').waitFor();
  await b.proc.end('SIGKILL');
  const killed = Date.now();
  for (let i = 0; i < 100 && (await rig.fm.store!.boxes()).find((x) => x.boxId === 'box-b')?.online; i++) await new Promise((r) => setTimeout(r, 50));
  const wentOffline = Date.now();
  await page.locator('tr[data-alert="box-b:offline"]').waitFor({ timeout: offlineAfterMs + 10_000 });
  const shown = Date.now();
  t.log(`offline recorded ${wentOffline - killed} ms after the kill; alert on the page ${shown - wentOffline} ms after that (delay set to ${offlineAfterMs} ms)`);
  t.true(shown - wentOffline >= offlineAfterMs - 600, 'not before the set delay');
  t.true(shown - wentOffline <= offlineAfterMs + 3000, `on the page within the delay plus one tick and one refresh (${shown - wentOffline} ms)`);
  t.regex(await page.locator('tr[data-alert="box-b:offline"]').innerText(), /Offline too long/);
  t.is(await page.locator('tr[data-alert^="box-a:"]').count(), 0, 'box A raised nothing');
});

for (const kind of STORAGES) test.serial(`${kind}: in Chromium, a staged rollout (one box, then 10 %, then all) stops at the first rejection`, async (t) => {
  t.timeout(120_000);
  const rig = await consoleRig(t, kind);
  await rig.addUser('ada', 'admin');
  const ids = Array.from({ length: 12 }, (_, i) => `sim-${String(i + 1).padStart(2, '0')}`);
  // 12 boxes: step 1 is sim-01, step 2 (10 %, rounded up: 2 boxes in all) adds sim-02, which rejects.
  const boxes = await Promise.all(ids.map((id) => SimBox.start(rig.broker.url, id, id === 'sim-02' ? { rejects: 'setting http.port: must be <= 65535' } : {})));
  t.teardown(async () => { for (const b of boxes) await b.end(); });
  for (let i = 0; i < 100 && (await rig.fm.store!.boxes()).filter((b) => b.online).length < 12; i++) await new Promise((r) => setTimeout(r, 100));
  await rig.fm.console!.putGroup('pilot', ids);

  const { page } = await openBrowser(t, { locale: 'fr-FR' });
  await login(page, rig.base, 'ada');
  await page.getByRole('link', { name: 'Configuration' }).click();
  await page.getByLabel(/^Groupe/).selectOption('pilot');
  await page.getByLabel(/Réglages souhaités/).fill('{"box": {"name": "Agence"}}');
  await page.getByRole('button', { name: 'Lancer le déploiement' }).click();
  await page.getByText(/Déploiement \d+ lancé/).waitFor();
  const article = page.locator('article[data-state="stopped"]');
  await article.waitFor({ timeout: 20_000 });
  t.regex(await article.locator('[data-cell="rollout-state"]').innerText(), /arrêté sur sim-02 : setting http\.port/);
  t.is(await article.locator('tr[data-box="sim-01"]').getAttribute('data-status'), 'applied');
  t.is(await article.locator('tr[data-box="sim-02"]').getAttribute('data-status'), 'rejected');
  for (const id of ids.slice(2)) t.is(await article.locator(`tr[data-box="${id}"]`).getAttribute('data-status'), 'not-sent', `${id} was not sent the document`);

  // The boxes of later steps never received it (a tick later, still nothing), and the rejection is an alert.
  await new Promise((r) => setTimeout(r, 1500));
  t.deepEqual(boxes.map((b) => b.desired.length), [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  t.true((await rig.fm.store!.alerts()).some((a) => a.boxId === 'sim-02' && a.kind === 'config-rejected'));
  t.like((await rig.fm.console!.auditLog()).find((e) => e.action === 'rollout.start'), { actor: 'ada', target: 'pilot', outcome: 'ok' });
});

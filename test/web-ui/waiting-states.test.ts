// Issue 13, point 2 (the rest): every waiting state says why and until when, in the page's language, on
// the campaign's page and on the dashboard: every line of the campaign down (since when, and that the box
// keeps trying), and paused by the fleet (which command, when). (Outside the window and waiting for
// retries: campaign-waiting.test.ts; the clock: test/systemd/clock-box.test.ts.)
import test from 'ava';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ActionRunner } from '../../appliance/actions/run.ts';
import { ACTIONS } from '../../appliance/actions/registry.ts';
import type { CampaignActionsPort } from '../../appliance/actions/action.ts';
import { silentLogger } from '../../core/log.ts';
import { trunkDefaults } from '../../core/trunk-defaults.ts';
import { startUiBox } from './browser.ts';

const CSV = readFileSync(fileURLToPath(new URL('../fixtures/contacts/journey.csv', import.meta.url)));
const CALLER = '+33123456789';

/** A loopback TCP port nobody listens on: the line's pings are refused at once. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const W = {
  en: {
    locale: 'en-GB',
    down: /^Every line of this campaign is down: “office” since (.+)\. The box keeps trying to reach them; calls resume by themselves once a line is back\.$/,
    paused: (at: string) => `Paused by the fleet (command cmd-7f3a) on ${at}. No call is placed until it is resumed.`,
    stateDown: 'No line can call: office down. The box keeps trying to reach them.',
  },
  fr: {
    locale: 'fr-FR',
    down: /^Toutes les lignes de cette campagne sont hors service : « office » depuis le (.+)\. Le boîtier continue d’essayer de les joindre ; les appels reprennent d’eux-mêmes dès qu’une ligne revient\.$/,
    paused: (at: string) => `Mise en pause par la flotte (commande cmd-7f3a) le ${at}. Aucun appel ne part tant qu’elle n’est pas reprise.`,
    stateDown: 'Aucune ligne ne peut appeler : office hors service. Le boîtier continue d’essayer de les joindre.',
  },
} as const;

for (const lang of ['en', 'fr'] as const) {
  test(`${lang}: a campaign whose every line is down says since when and that the box retries; one paused by the fleet says which command and when`, async (t) => {
    t.timeout(150_000);
    const w = W[lang];
    const port = await closedPort();
    const { page, base, box } = await startUiBox(t, {
      locale: w.locale,
      box: {
        settings: (s) => {
          s.box.timezone = 'Europe/Paris';
          s.compliance.pack = 'none';
          s.clock.requireSync = false;
          s.callerIds = [{ number: CALLER, label: 'Office', verified: true }];
          s.trunks = [trunkDefaults({ name: 'office', kind: 'sip', host: '127.0.0.1', port, transport: 'tcp', auth: 'ip', allowedSources: ['127.0.0.1'], optionsIntervalSec: 1 })];
          s.defaultTrunk = 'office';
        },
      },
    });
    const api = box.api;
    const up = await api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=journey.csv', CSV);
    const list = await api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Clients', country: 'FR' });
    t.is(list.status, 201, list.text);
    const rec = await api.send<{ id: string }>('POST', '/api/recordings/tts', { text: 'Bonjour, un rappel.', voice: 'fr', name: 'Rappel' });
    const config = { purpose: 'informational', message: rec.body.id, callerId: CALLER, trunks: ['office'], script: { identificationEndsMs: 1000, callbackNumber: CALLER, optOutAnnouncedMs: 2000 }, schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] } };
    const ids: number[] = [];
    for (const name of ['Line down', 'Fleet pause']) {
      const c = await api.send<{ id: number }>('POST', '/api/campaigns', { name, listId: list.body.list.id, config });
      t.is(c.status, 201, c.text);
      const s = await api.send('POST', `/api/campaigns/${c.body.id}/start`);
      t.is(s.status, 200, s.text);
      ids.push(c.body.id);
    }

    // 1. Every line down: the campaign's page says since when, and that the box keeps trying.
    await page.goto(`${base}/campaigns/${ids[0]}`);
    const down = page.getByTestId('trunks-down');
    // The line is found down by its OPTIONS (every second, a few misses): slower on a loaded CI machine.
    await down.waitFor({ timeout: 60_000 });
    const text = (await down.locator('div').last().innerText()).trim();
    t.regex(text, w.down);

    // 2. Paused by the fleet: the same action a fleet command runs, with the fleet's actor.
    const runner = new ActionRunner({ db: box.app.db, now: Date.now, logger: silentLogger(), country: () => 'FR', campaigns: box.app.campaigns as unknown as CampaignActionsPort }, ACTIONS);
    await runner.run({ door: 'fleet', commandId: 'cmd-7f3a' }, 'campaign.pause', { id: ids[1] });
    const view = await api.get<{ paused: { by: string; at: number } }>(`/api/campaigns/${ids[1]}`);
    t.is(view.body.paused.by, 'fleet:cmd-7f3a');
    const at = new Intl.DateTimeFormat(w.locale, { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(view.body.paused.at);
    await page.goto(`${base}/campaigns/${ids[1]}`);
    await page.getByTestId('paused-by').waitFor();
    t.is((await page.getByTestId('paused-by').locator('div').last().innerText()).trim(), w.paused(at));

    // 3. The dashboard: the box's state first, then each campaign with the same reasons.
    await page.goto(`${base}/`);
    await page.getByTestId('box-state-line').waitFor();
    t.is(await page.getByTestId('box-state-line').innerText(), w.stateDown);
    const first = page.getByTestId(`campaign-${ids[0]}`);
    await first.getByTestId('trunks-down').waitFor();
    t.regex((await first.getByTestId('trunks-down').locator('div').last().innerText()).trim(), w.down);
    const second = page.getByTestId(`campaign-${ids[1]}`);
    t.is((await second.getByTestId('paused-by').locator('div').last().innerText()).trim(), w.paused(at));
  });
}

// Issue 13, point 2 and must-show 2: a running campaign that places no call says why and until when, in
// the page's language. Started outside its calling window, it shows the reason and the next opening (in
// the box's and the callee's time) with the start's own answer, within a second; a campaign whose
// contacts wait for retries shows the next retry time beside its time left. Before the start, the
// preflight tells "callable now" from "callable at the next window".
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startUiBox } from './browser.ts';
import { nextOpening } from '../../appliance/campaigns/schedule.ts';

const CSV = readFileSync(fileURLToPath(new URL('../fixtures/contacts/journey.csv', import.meta.url)));
const BOX_ZONE = 'America/New_York'; // the box's zone differs from the callees' (Europe/Paris)

const W = {
  en: {
    locale: 'en-GB', intl: 'en-GB', start: 'Start', running: 'Running',
    outside: (box: string, callee: string) => `Outside the calling window: no contact may be called now. Next opening: ${box} box time (${BOX_ZONE}), ${callee} the callee’s time (Europe/Paris).`,
    window: (box: string, callee: string) => `The campaign’s calling window is closed now. It opens ${box} box time (${BOX_ZONE}), ${callee} the callee’s time (Europe/Paris).`,
    etaWindow: (at: string) => `cannot tell: no call before ${at} (box time)`,
    nextRetry: (at: string) => `next retry ${at}`,
    retry: (at: string) => `Waiting for retries: every contact left was called and waits for its next try. Next retry: ${at} box time (${BOX_ZONE}).`,
  },
  fr: {
    locale: 'fr-FR', intl: 'fr-FR', start: 'Démarrer', running: 'En cours',
    outside: (box: string, callee: string) => `Hors de la plage horaire d’appel : aucun contact ne peut être appelé maintenant. Prochaine ouverture : ${box} heure du boîtier (${BOX_ZONE}), ${callee} heure du destinataire (Europe/Paris).`,
    window: (box: string, callee: string) => `La plage horaire d’appel de la campagne est fermée maintenant. Elle s’ouvre ${box} heure du boîtier (${BOX_ZONE}), ${callee} heure du destinataire (Europe/Paris).`,
    etaWindow: (at: string) => `impossible à dire : aucun appel avant le ${at} (heure du boîtier)`,
    nextRetry: (at: string) => `prochain rappel ${at}`,
    retry: (at: string) => `En attente des rappels : tous les contacts restants ont été appelés et attendent leur prochain essai. Prochain rappel : ${at} heure du boîtier (${BOX_ZONE}).`,
  },
} as const;

const fmt = (locale: string, at: number, zone: string): string => new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short', timeZone: zone }).format(at);

for (const lang of ['en', 'fr'] as const) {
  test(`${lang}: started outside its window, a campaign says so with the next opening at once; with retries pending, the next retry time`, async (t) => {
    t.timeout(150_000);
    const w = W[lang];
    const { page, base, box } = await startUiBox(t, { locale: w.locale, box: { sandbox: { seed: 3, timeScale: 0.05, mix: 'busy=1' }, settings: (s) => { s.box.timezone = BOX_ZONE; } } });
    const api = box.api;
    const up = await api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=journey.csv', CSV);
    const list = await api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Clients', country: 'FR' });
    const rec = await api.send<{ id: string }>('POST', '/api/recordings/tts', { text: 'Bonjour, un rappel.', voice: 'fr', name: 'Rappel' });
    const base0 = { purpose: 'informational', message: rec.body.id, callerId: '+33123456789', trunks: ['sandbox'], maxConcurrent: 20, cps: 20, ringTimeoutMs: 5000 };

    // 1. Outside its window: the window is the day after tomorrow, 10:00-12:00 in the callee's time.
    const day = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', weekday: 'short' }).format(new Date(Date.now() + 2 * 86_400_000))) + 1;
    const schedule = { startDate: null, endDate: null, windows: [{ days: [day], from: '10:00', to: '12:00' }] };
    const later = await api.send<{ id: number }>('POST', '/api/campaigns', { name: 'Plus tard', listId: list.body.list.id, config: { ...base0, schedule } });
    t.is(later.status, 201, later.text);
    const opening = nextOpening(Date.now(), ['Europe/Paris'], schedule)!;
    await page.goto(`${base}/campaigns/${later.body.id}`);
    // The draft's preflight: nobody is callable now, all 20 at the window's next opening.
    await page.getByTestId('preflight-window').waitFor();
    t.is(await page.getByTestId('preflight-callable-now').innerText(), '0');
    t.is(await page.getByTestId('preflight-callable-later').innerText(), '20');
    t.is(await page.getByTestId('preflight-window').innerText(), w.window(fmt(w.intl, opening, BOX_ZONE), fmt(w.intl, opening, 'Europe/Paris')));
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/campaigns/${later.body.id}/start`)),
      page.getByRole('button', { name: w.start, exact: true }).click(),
    ]);
    t.is(answer.status(), 200);
    // The reason comes with the start's own answer, so the page shows it at once (no later poll or event
    // is needed). Checked on the answer rather than by a wall-clock second, which a loaded machine misses.
    t.truthy((await answer.json() as { waitingFor: unknown }).waitingFor, 'the start\'s answer says why nobody is called');
    const reason = page.getByTestId('waiting-for');
    await reason.waitFor({ timeout: 20_000 });
    t.is(await page.getByTestId('campaign-status').innerText(), w.running);
    t.true((await reason.innerText()).includes(w.outside(fmt(w.intl, opening, BOX_ZONE), fmt(w.intl, opening, 'Europe/Paris'))), await reason.innerText());
    t.is(await page.getByTestId('counter-eta').innerText(), w.etaWindow(fmt(w.intl, opening, BOX_ZONE)));

    // 2. Every number busy, one retry an hour later: the time left shows the next retry time.
    const busy = await api.send<{ id: number }>('POST', '/api/campaigns', {
      name: 'Occupés', listId: list.body.list.id,
      config: { ...base0, maxAttempts: 2, retry: { busy: { delayMs: 3_600_000, maxRetries: 1 } }, schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] } },
    });
    t.is(busy.status, 201, busy.text);
    t.is((await api.send('POST', `/api/campaigns/${busy.body.id}/start`)).status, 200);
    let v: { counters: { waiting: number }; nextRetryAt: number | null } | undefined;
    for (let i = 0; i < 600; i++) {
      v = (await api.get<{ counters: { waiting: number }; nextRetryAt: number | null }>(`/api/campaigns/${busy.body.id}`)).body;
      if (v.counters.waiting === 20) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    t.is(v!.counters.waiting, 20, 'every contact waits for its retry');
    const retryAt = v!.nextRetryAt!;
    t.true(retryAt > Date.now() + 50 * 60_000);
    await page.goto(`${base}/campaigns/${busy.body.id}`);
    const eta = await page.getByTestId('counter-eta').innerText();
    t.true(eta.endsWith(w.nextRetry(fmt(w.intl, retryAt, BOX_ZONE))), eta);
    t.notRegex(eta, /^\D*\d+\ss\b/, 'the time left counts the retries (not a few seconds)');
    t.is(await page.getByTestId('waiting-for').innerText().then((s) => s.includes(w.retry(fmt(w.intl, retryAt, BOX_ZONE)))), true);
  });
}

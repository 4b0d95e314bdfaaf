// Issue 13, point 8: a paused campaign can be changed in what concerns the calls still to come (windows,
// pacing, retries, messages), and the page says what cannot change (list, purpose, seller, pack, caller
// ID, trunks); any campaign can be duplicated as a new draft. Both are in the audit log, like the other
// campaign actions. In English and in French.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startUiBox } from './browser.ts';

const CSV = readFileSync(fileURLToPath(new URL('../fixtures/contacts/journey.csv', import.meta.url)));

const W = {
  en: {
    locale: 'en-GB', pause: 'Pause', change: 'Change', duplicate: 'Duplicate', save: 'Save and check', window: 'Window 1', from: 'From',
    maxConcurrent: 'Calls at the same time (max)', purpose: 'Purpose of the calls', callerId: 'Caller ID shown', name: 'Name', paused: 'Paused', draft: 'Draft',
    notice: /You can change its calling windows, pacing, retries and messages: they apply to the calls still to come\. Its contact list, purpose, seller, compliance pack, caller ID and trunks were checked at its start and cannot change; duplicate the campaign/,
    copy: 'Rappel (copy)',
  },
  fr: {
    locale: 'fr-FR', pause: 'Mettre en pause', change: 'Modifier', duplicate: 'Dupliquer', save: 'Enregistrer et vérifier', window: 'Plage 1', from: 'De',
    maxConcurrent: 'Appels simultanés (max)', purpose: 'Objet des appels', callerId: 'Numéro présenté', name: 'Nom', paused: 'En pause', draft: 'Brouillon',
    notice: /Vous pouvez changer ses plages horaires, son rythme, ses rappels et ses messages : ils valent pour les appels à venir\. Sa liste de contacts, son objet, son vendeur, son référentiel de conformité, son numéro présenté et ses lignes ont été vérifiés au démarrage et ne peuvent plus changer ; dupliquez la campagne/,
    copy: 'Rappel (copie)',
  },
} as const;

interface View { id: number; name: string; status: string; listId: number; config: { purpose: string; callerId: string; maxConcurrent: number; schedule: { windows: Array<{ days: number[]; from: string; to: string }> } } }

for (const lang of ['en', 'fr'] as const) {
  test(`${lang}: a paused campaign is changed for the calls to come, says what cannot change, and is duplicated as a draft — all audited`, async (t) => {
    t.timeout(120_000);
    const w = W[lang];
    const { page, base, box } = await startUiBox(t, { locale: w.locale });
    const api = box.api;
    const up = await api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=journey.csv', CSV);
    const list = await api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Clients', country: 'FR' });
    const rec = await api.send<{ id: string }>('POST', '/api/recordings/tts', { text: 'Bonjour, un rappel.', voice: 'fr', name: 'Rappel' });
    // Calls only the day after tomorrow: nothing is dialled during the test.
    const day = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', weekday: 'short' }).format(new Date(Date.now() + 2 * 86_400_000))) + 1;
    const created = await api.send<View>('POST', '/api/campaigns', {
      name: 'Rappel', listId: list.body.list.id,
      config: { purpose: 'informational', message: rec.body.id, callerId: '+33123456789', trunks: ['sandbox'], schedule: { windows: [{ days: [day], from: '10:00', to: '12:00' }] } },
    });
    t.is(created.status, 201, created.text);
    const id = created.body.id;
    t.is((await api.send('POST', `/api/campaigns/${id}/start`)).status, 200);

    await page.goto(`${base}/campaigns/${id}`);
    await page.getByRole('button', { name: w.pause, exact: true }).click();
    await page.getByTestId('campaign-status').filter({ hasText: w.paused }).waitFor();
    await page.getByRole('link', { name: w.change, exact: true }).click();
    t.regex(await page.getByTestId('edit-paused').innerText(), w.notice);
    t.true(await page.getByLabel(w.purpose).isDisabled());
    t.true(await page.getByLabel(w.callerId, { exact: true }).isDisabled());
    const window1 = page.getByRole('group', { name: w.window });
    await window1.getByLabel(w.from).fill('09:00');
    await page.getByLabel(w.maxConcurrent).fill('3');
    await page.getByRole('button', { name: w.save }).click();
    await page.waitForURL(`${base}/campaigns/${id}`);
    t.is(await page.getByTestId('campaign-status').innerText(), w.paused);
    const after = (await api.get<View>(`/api/campaigns/${id}`)).body;
    t.is(after.status, 'paused');
    t.deepEqual(after.config.schedule.windows, [{ days: [day], from: '09:00', to: '12:00' }]);
    t.is(after.config.maxConcurrent, 3);
    t.is(after.config.purpose, 'informational');

    // What was checked at the start stays, even past the page.
    const refused = await api.send<{ error: { code: string; where: { locked: string } } }>('PUT', `/api/campaigns/${id}`, { ...after.config, purpose: 'marketing', seller: 'Boutique' });
    t.is(refused.status, 409);
    t.is(refused.body.error.code, 'E_CAMPAIGN_STATE');
    t.is(refused.body.error.where.locked, 'purpose, seller');
    t.is((await api.get<View>(`/api/campaigns/${id}`)).body.config.purpose, 'informational');

    // Duplicate: a new draft with the same list and configuration, opened in the form with nothing locked.
    await page.getByRole('button', { name: w.duplicate, exact: true }).click();
    await page.waitForURL(/\/campaigns\/\d+\/edit$/);
    const copyId = Number(/\/campaigns\/(\d+)\/edit$/.exec(page.url())![1]);
    t.not(copyId, id);
    t.is(await page.getByTestId('edit-paused').count(), 0);
    t.false(await page.getByLabel(w.purpose).isDisabled());
    const copy = (await api.get<View>(`/api/campaigns/${copyId}`)).body;
    t.is(copy.name, w.copy);
    t.is(copy.status, 'draft');
    t.is(copy.listId, after.listId);
    t.deepEqual(copy.config, after.config);
    await page.goto(`${base}/campaigns/${copyId}`);
    t.is(await page.getByTestId('campaign-status').innerText(), w.draft);

    // Audited like the other campaign actions.
    const audit = box.app.db.prepare("SELECT action, subject, details FROM audit_log WHERE action IN ('campaign.update', 'campaign.duplicate') ORDER BY seq").all() as Array<{ action: string; subject: string; details: string }>;
    t.deepEqual(audit.map((a) => [a.action, a.subject]), [['campaign.update', `campaign:${id}`], ['campaign.duplicate', `campaign:${copyId}`]]);
    const upd = JSON.parse(audit[0]!.details) as { changed: string[]; status: string };
    t.deepEqual(upd.changed.sort(), ['maxConcurrent', 'schedule']);
    t.is(upd.status, 'paused');
    t.like(JSON.parse(audit[1]!.details), { from: id, name: w.copy });
  });
}

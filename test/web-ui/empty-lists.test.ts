// Issue 13, point 9: a list with only a header (or no usable row) is refused at import with a clear
// message and no list is made; a start refused (here: an empty list kept from before) changes nothing —
// the campaign stays a draft, never "Completed 0/0"; a campaign stopped before any call does not show
// a full bar. In English and in French, through the pages.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startUiBox } from './browser.ts';

const W = {
  en: {
    locale: 'en-GB', file: 'File (CSV or Excel)', phone: 'Phone number', listName: 'Name of the new list', importBtn: 'Import',
    headerOnly: /en-tete\.csv has a header row and no contact below it: no list was made\. Add the contacts under the header/,
    noValid: /none of the 3 rows of sans-numero\.csv has a usable phone number \(first rejected: row 2, column "Téléphone"/,
    start: 'Start', stop: 'Stop', status: { draft: 'Draft', running: 'Running', stopped: 'Stopped' },
    emptyStart: /the contact list of campaign "Vide" has no contact; the campaign was not started and stays a draft/,
    stopped: '0 / 25 · 25 not called (stopped)',
  },
  fr: {
    locale: 'fr-FR', file: 'Fichier (CSV ou Excel)', phone: 'Numéro de téléphone', listName: 'Nom de la nouvelle liste', importBtn: 'Importer',
    headerOnly: /Le fichier « en-tete\.csv » n’a qu’une ligne d’en-tête, sans aucun contact dessous : aucune liste n’a été créée\. Ajoutez les contacts sous l’en-tête/,
    noValid: /Aucune des 3 lignes du fichier « sans-numero\.csv » n’a de numéro de téléphone utilisable \(première refusée : ligne 2, colonne « Téléphone »\)/,
    start: 'Démarrer', stop: 'Arrêter', status: { draft: 'Brouillon', running: 'En cours', stopped: 'Arrêtée' },
    emptyStart: /La liste de contacts de la campagne « Vide » ne contient aucun contact : la campagne n’a pas démarré et reste un brouillon\./,
    stopped: '0 / 25 · 25 non appelés (arrêt)',
  },
} as const;

for (const lang of ['en', 'fr'] as const) {
  test(`${lang}: header-only and empty lists are refused at import; a refused start changes nothing; a stop before any call is not a full bar`, async (t) => {
    t.timeout(120_000);
    const w = W[lang];
    const { page, base, box } = await startUiBox(t, { locale: w.locale });
    const api = box.api;
    const dir = mkdtempSync(join(tmpdir(), 'vba-empty-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));

    const importFile = async (name: string, text: string): Promise<string> => {
      const path = join(dir, name);
      writeFileSync(path, text);
      await page.goto(`${base}/lists`);
      await page.getByLabel(w.file).setInputFiles(path);
      await page.getByLabel(w.phone, { exact: true }).selectOption('Téléphone');
      await page.getByLabel(w.listName).fill(name);
      await page.getByRole('button', { name: w.importBtn, exact: true }).click();
      const error = page.getByTestId('import-error');
      await error.waitFor();
      return error.innerText();
    };
    t.regex(await importFile('en-tete.csv', 'Nom;Prénom;Téléphone\r\n'), w.headerOnly);
    t.regex(await importFile('sans-numero.csv', 'Nom;Téléphone\r\nMartin;pas de numéro\r\nDupont;abc\r\nNoël;123\r\n'), w.noValid);
    t.deepEqual((await api.get<unknown[]>('/api/lists')).body, [], 'no list was made');

    // A list left empty from before this check: its campaign's start is refused and changes nothing.
    const now = new Date().toISOString();
    const emptyId = Number(box.app.db.prepare("INSERT INTO lists (name, status, country, created_at) VALUES ('Ancienne', 'ready', 'FR', ?)").run(now).lastInsertRowid);
    const rec = await api.send<{ id: string }>('POST', '/api/recordings/tts', { text: 'Bonjour.', voice: 'fr', name: 'Bonjour' });
    const config = { purpose: 'informational', message: rec.body.id, callerId: '+33123456789', trunks: ['sandbox'] };
    const empty = await api.send<{ id: number }>('POST', '/api/campaigns', { name: 'Vide', listId: emptyId, config });
    t.is(empty.status, 201, empty.text);
    await page.goto(`${base}/campaigns/${empty.body.id}`);
    await page.getByRole('button', { name: w.start, exact: true }).click();
    t.regex(await page.getByTestId('action-error').innerText(), w.emptyStart);
    t.is(await page.getByTestId('campaign-status').innerText(), w.status.draft);
    await page.reload();
    t.is(await page.getByTestId('campaign-status').innerText(), w.status.draft);
    const after = await api.get<{ status: string; startedAt: string | null; counters: { contacts: number } }>(`/api/campaigns/${empty.body.id}`);
    t.is(after.body.status, 'draft');
    t.is(after.body.startedAt ?? null, null);
    t.is(after.body.counters.contacts, 0);

    // 25 contacts, a campaign that calls only the day after tomorrow: started, then stopped before any call.
    const inTwoDays = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', weekday: 'short' }).format(new Date(Date.now() + 2 * 86_400_000));
    const isoDay = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(inTwoDays) + 1;
    const rows = Array.from({ length: 25 }, (_, i) => `Contact ${i};06 12 34 56 ${String(10 + i)}`);
    const up = await api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=vingt-cinq.csv', Buffer.from(['Nom;Téléphone', ...rows].join('\r\n')));
    const list = await api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Vingt-cinq', country: 'FR' });
    t.is(list.status, 201, list.text);
    const later = await api.send<{ id: number }>('POST', '/api/campaigns', { name: 'Plus tard', listId: list.body.list.id, config: { ...config, schedule: { windows: [{ days: [isoDay], from: '10:00', to: '12:00' }] } } });
    t.is(later.status, 201, later.text);
    await page.goto(`${base}/campaigns/${later.body.id}`);
    await page.getByRole('button', { name: w.start, exact: true }).click();
    await page.getByTestId('campaign-status').filter({ hasText: w.status.running }).waitFor();
    await page.getByRole('button', { name: w.stop, exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: w.stop, exact: true }).click();
    await page.getByTestId('campaign-status').filter({ hasText: w.status.stopped }).waitFor();
    const bar = page.getByTestId('campaign-live').getByRole('progressbar');
    t.is(await bar.getAttribute('aria-valuenow'), '0');
    t.is(await page.getByTestId('campaign-live').locator('.progress__text').innerText(), w.stopped);
    t.is((await api.get<{ counters: { done: number; stopped: number } }>(`/api/campaigns/${later.body.id}`)).body.counters.stopped, 25);
    // The list of campaigns says the same.
    await page.goto(`${base}/campaigns`);
    const row = page.getByRole('row').filter({ hasText: 'Plus tard' });
    t.is(await row.getByRole('progressbar').getAttribute('aria-valuenow'), '0');
    t.is(await row.locator('.progress__text').innerText(), w.stopped);
  });
}

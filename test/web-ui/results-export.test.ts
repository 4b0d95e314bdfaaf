// Issue 13, point 3 and must-show 3: the results export opens in the reader's spreadsheet. A campaign runs
// to its end on the sandbox; the report page's CSV and Excel downloads (English and French) are read
// back by real spreadsheet readers — LibreOffice converts the CSV to XLSX as a French or English user
// would open it, exceljs reads both workbooks — and compared cell by cell with each other and with the
// truth: the source file's rows and columns, the attempt ledger, the box's time zone, outcomes in words.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { startTestBox, type TestBox } from '../support/appliance.ts';
import { loginPage, openBrowser, requireBuiltUi } from './browser.ts';

const run = promisify(execFile);
const ZONE = 'America/New_York'; // not the machine's zone, so a time in UTC or local time would show
const SOURCE = [
  'Nom;Prénom;Téléphone;Code postal;Note',
  'Lefèvre;Élodie;06 12 34 57 10;01000;=1+2',
  'Martin;François;06 12 34 57 11;69001;+33 4 78 00 00 00',
  'Dupont;Hélène;06 12 34 57 12;75011;Rappeler après 18 h, merci',
  'Noël;Gaëlle;06 12 34 57 13;13001;',
  'Faure;Jérôme;06 12 34 57 14;01100;@SUM(A1)',
  'Lefèvre;Anaïs;06 12 34 57 15;38000;client fidèle',
].join('\r\n');

type Cell = string | number | Date | null;
let box: TestBox;
let campaignId: number;
const NAME = 'Relance été';

test.before(async () => {
  requireBuiltUi();
  box = await startTestBox({ sandbox: { seed: 7, timeScale: 0.05 }, settings: (s) => { s.box.country = 'FR'; s.box.timezone = ZONE; } });
  const api = box.api;
  await api.send('POST', '/api/users', { username: 'staff', password: 'export-password-1', role: 'admin' });
  const up = await api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=relance.csv', Buffer.from(SOURCE, 'utf8'));
  const list = await api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Relance', country: 'FR' });
  if (list.status !== 201) throw new Error(list.text);
  const rec = await api.send<{ id: string }>('POST', '/api/recordings/tts', { text: 'Bonjour, ceci est un rappel.', voice: 'fr', name: 'Rappel' });
  const created = await api.send<{ id: number }>('POST', '/api/campaigns', {
    name: NAME, listId: list.body.list.id,
    config: {
      purpose: 'informational', message: rec.body.id, callerId: '+33123456789', trunks: ['sandbox'], maxConcurrent: 6, cps: 20, ringTimeoutMs: 5000, maxAttempts: 1,
      schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] },
    },
  });
  if (created.status !== 201) throw new Error(created.text);
  campaignId = created.body.id;
  const started = await api.send('POST', `/api/campaigns/${campaignId}/start`);
  if (started.status !== 200) throw new Error(started.text);
  for (let i = 0; i < 600; i++) {
    const v = await api.get<{ status: string }>(`/api/campaigns/${campaignId}`);
    if (v.body.status === 'completed') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the campaign did not complete');
});

test.after.always(async () => {
  await box?.stop();
});

/** A sheet's cells (formulas by their result; empty cells as null), row by row. */
async function readSheet(path: string): Promise<Cell[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  const ws = wb.worksheets[0]!;
  const out: Cell[][] = [];
  ws.eachRow({ includeEmpty: false }, (row) => {
    const cells: Cell[] = [];
    for (let c = 1; c <= ws.columnCount; c++) {
      let v = row.getCell(c).value as unknown;
      if (v && typeof v === 'object' && 'result' in v) v = (v as { result: unknown }).result;
      cells.push(v === undefined || v === '' ? null : (v as Cell));
    }
    while (cells.length > 0 && cells[cells.length - 1] === null) cells.pop();
    out.push(cells);
  });
  return out;
}

/** LibreOffice opens the CSV as a user of that language would (separator, UTF-8, locale) and saves XLSX. */
async function libreOfficeRead(csvPath: string, lang: 'en' | 'fr'): Promise<Cell[][]> {
  const dir = mkdtempSync(join(tmpdir(), 'vba-lo-'));
  try {
    const filter = lang === 'fr' ? 'CSV:59,34,76,1,,1036' : 'CSV:44,34,76,1,,2057';
    await run('soffice', ['--headless', `-env:UserInstallation=file://${dir}/profile`, `--infilter=${filter}`, '--convert-to', 'xlsx', '--outdir', dir, csvPath], { timeout: 120_000 });
    const name = csvPath.split('/').pop()!.replace(/\.csv$/, '.xlsx');
    return await readSheet(join(dir, name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const WORDS = {
  en: { row: 'Row in the file', number: 'Number', finalOutcome: 'Final outcome', code: 'Final outcome (code)', lastCall: `Last call (${ZONE})`, talk: 'Talk time of the last call (s)', file: `${NAME} - results`, done: 'Finished', csv: 'Export per-contact results (CSV)', xlsx: 'Export per-contact results (Excel)' },
  fr: { row: 'Ligne du fichier', number: 'Numéro', finalOutcome: 'Résultat final', code: 'Résultat final (code)', lastCall: `Dernier appel (${ZONE})`, talk: 'Conversation du dernier appel (s)', file: `${NAME} - résultats`, done: 'Terminé', csv: 'Exporter les résultats par contact (CSV)', xlsx: 'Exporter les résultats par contact (Excel)' },
};
const OUTCOME_WORDS: Record<'en' | 'fr', Record<string, string>> = {
  en: { human: 'Answered by a person', confirmed: 'Confirmed (key pressed)', 'opted-out': 'Opted out', busy: 'Busy', 'no-answer': 'No answer', declined: 'Declined', 'invalid-number': 'Invalid number', 'machine-message-left': 'Voicemail, message left', 'machine-no-message': 'Voicemail, no message left' },
  fr: { human: 'Décroché par une personne', confirmed: 'Confirmé (touche)', 'opted-out': 'Opposition', busy: 'Occupé', 'no-answer': 'Pas de réponse', declined: 'Refusé', 'invalid-number': 'Numéro invalide', 'machine-message-left': 'Messagerie, message déposé', 'machine-no-message': 'Messagerie, pas de message' },
};

/** Wall-clock time in ZONE as the Date a spreadsheet cell holds (exceljs reads cell times as UTC). */
function wallClock(ms: number): Date {
  const p: Record<string, string> = {};
  for (const x of new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(ms))) p[x.type] = x.value;
  return new Date(`${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}Z`);
}

for (const lang of ['en', 'fr'] as const) {
  test.serial(`${lang}: the CSV and Excel exports open in a spreadsheet, split into their columns, and match cell by cell`, async (t) => {
    t.timeout(240_000);
    const w = WORDS[lang];
    const { page } = await openBrowser(t, { locale: lang === 'fr' ? 'fr-FR' : 'en-GB' });
    await loginPage(page, box.base, 'staff', 'export-password-1');
    await page.goto(`${box.base}/reports/${campaignId}`);
    await page.getByTestId('report-summary').waitFor();
    const dir = mkdtempSync(join(tmpdir(), 'vba-export-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));

    const [csvDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: w.csv }).click()]);
    t.is(csvDl.suggestedFilename(), `${w.file}.csv`, 'the accented name survives (RFC 6266 filename*)');
    const csvPath = join(dir, `${w.file}.csv`);
    await csvDl.saveAs(csvPath);
    const [xlsxDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: w.xlsx }).click()]);
    t.is(xlsxDl.suggestedFilename(), `${w.file}.xlsx`);
    const xlsxPath = join(dir, `${w.file}.xlsx`);
    await xlsxDl.saveAs(xlsxPath);

    // The raw CSV: the reader's separator; no apostrophe before a plain number; formulas neutralised.
    const raw = readFileSync(csvPath, 'utf8').replace(/^\uFEFF/, '');
    const header = raw.split('\r\n')[0]!;
    t.true(header.startsWith(`${w.row}${lang === 'fr' ? ';' : ','}${w.number}`), header);
    t.notRegex(raw, /'\+|'0/, 'no visible apostrophe before a number');
    t.regex(raw, lang === 'fr' ? /;\d+,\d;/ : /,\d+\.\d,/, 'the reader’s decimal mark');

    const fromCsv = await libreOfficeRead(csvPath, lang);
    const fromXlsx = await readSheet(xlsxPath);
    t.is(fromCsv.length, 7, 'a header and six contacts');
    // A cell that would start a formula is neutralised in the CSV by an apostrophe (the workbook's text cell needs none).
    const neutralised: string[] = [];
    const unmarked = fromCsv.map((r, i) => r.map((v, j) => {
      const x = fromXlsx[i]?.[j];
      if (typeof v === 'string' && typeof x === 'string' && v === `'${x}`) { neutralised.push(x); return x; }
      return v;
    }));
    t.deepEqual(neutralised.sort(), ['=1+2', '@SUM(A1)']);
    t.deepEqual(unmarked, fromXlsx, 'the CSV read by LibreOffice and the workbook read by exceljs hold the same cells');

    // Against the truth: the source file, the attempt ledger, the box's time zone, outcome words.
    const head = fromXlsx[0] as string[];
    const col = (name: string): number => { const i = head.indexOf(name); t.not(i, -1, name); return i; };
    for (const h of ['Nom', 'Prénom', 'Code postal', 'Note']) col(h);
    const ledger = box.app.db.prepare(`SELECT c.row, a.e164, a.outcome, a.intent_at, a.talk_ms FROM attempts a JOIN contacts c ON c.id = a.contact_id
        WHERE a.campaign_id = ? ORDER BY c.row`).all(campaignId) as Array<{ row: number; e164: string; outcome: string; intent_at: number; talk_ms: number | null }>;
    t.is(ledger.length, 6);
    const sourceRows = SOURCE.split('\r\n').slice(1).map((l) => l.split(';'));
    for (const [i, a] of ledger.entries()) {
      const r = fromXlsx[i + 1]!;
      t.is(r[col(w.row)], a.row);
      t.is(r[col(w.number)], a.e164, 'the number stays text with its +');
      const src = sourceRows[a.row - 2]!;
      t.is(r[col('Nom')], src[0]);
      // A postcode with a leading zero keeps it (text); others read as numbers, as from the source file.
      t.is(r[col('Code postal')], src[3]!.startsWith('0') ? src[3] : Number(src[3]));
      t.is(r[col(w.finalOutcome)], OUTCOME_WORDS[lang][a.outcome] ?? a.outcome);
      t.is(r[col(w.code)], a.outcome);
      t.deepEqual(r[col(w.lastCall)], wallClock(a.intent_at), 'call time in the box’s time zone');
      t.is(r[col(w.talk)] ?? null, a.talk_ms === null ? null : Math.round(a.talk_ms / 100) / 10);
    }
    const note = (row: number): Cell => fromXlsx.find((r) => r[col(w.row)] === row)![col('Note')] ?? null;
    t.is(note(2), '=1+2', 'kept as text, never computed');
    t.is(note(3), '+33 4 78 00 00 00', 'a phone number in a column of the list stays text, without apostrophe');
    t.is(note(4), 'Rappeler après 18 h, merci');
    t.is(note(5), null);
  });
}

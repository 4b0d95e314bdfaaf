// Issue 13, points 7 and 10, in English and French: what the box sends as numbers and codes reaches the
// page in the page's words. Sizes in GB / Go, durations with units ("1 min 15 s", never "1:15"), the
// engine, voices (fr+f2), rule packs and registries by name, the clock state without the system's
// English, import rejection reasons from their codes, log levels, and chart legends with only the
// outcomes' names (no "--" placeholders).
import test from 'ava';
import { artifactPath, openPage, startUiBox } from './browser.ts';
import { BAD_ROWS_CSV, seedLanguageData } from './i18n-data.ts';

const W = {
  en: {
    locale: 'en-GB',
    engine: 'built-in',
    size: /\d+(\.\d)?\sGB/,
    clockWhy: 'The box could not read the clock’s state from the system',
    file: 'File (CSV or Excel)', listName: 'Name of the new list', importBtn: 'Import',
    letters: 'contains letters (not a number)', empty: 'empty phone number',
    voice: 'French, female voice 2', kindTts: 'Text-to-speech, personalised per contact',
    packFr: 'France (Consumer Code, CPCE)', packNone: 'No jurisdiction (chosen on purpose; opt-outs only)',
    scriptSays: 'What the rules “No jurisdiction (chosen on purpose; opt-outs only)” require of the message:',
    scriptSource: 'Source: the box always offers an opt-out key',
    packIs: 'Rules: No jurisdiction (chosen on purpose; opt-outs only), version none-1',
    registry: 'Bloctel (France)',
    logLevel: 'warnings and errors',
    outcome: 'Answered by a person',
    units: { s: 's', min: 'min', h: 'h' },
  },
  fr: {
    locale: 'fr-FR',
    engine: 'intégré',
    size: /\d+(,\d)?\sGo/,
    clockWhy: 'Le boîtier n’a pas pu lire l’état de l’horloge auprès du système',
    file: 'Fichier (CSV ou Excel)', listName: 'Nom de la nouvelle liste', importBtn: 'Importer',
    letters: 'contient des lettres (not a number)', empty: 'numéro de téléphone vide',
    voice: 'Français, voix féminine 2', kindTts: 'Synthèse vocale, personnalisée par contact',
    packFr: 'France (Code de la consommation, CPCE)', packNone: 'Aucune juridiction (choisie exprès ; oppositions seulement)',
    scriptSays: 'Ce qu’exige du message le référentiel « Aucune juridiction (choisie exprès ; oppositions seulement) » :',
    scriptSource: 'Source : le boîtier propose toujours une touche d’opposition',
    packIs: 'Règles : Aucune juridiction (choisie exprès ; oppositions seulement), version none-1',
    registry: 'Bloctel (France)',
    logLevel: 'avertissements et erreurs',
    outcome: 'Décroché par une personne',
    units: { s: 's', min: 'min', h: 'h' },
  },
} as const;

/** A duration as the page writes it: "45 s", "1 min 15 s", "2 h 5 min" (no-break spaces inside). */
const duration = (u: { s: string; min: string; h: string }): RegExp =>
  new RegExp(`^(\\d+\\s${u.s}|\\d+\\s${u.min}(\\s\\d+\\s${u.s})?|\\d+\\s${u.h}(\\s\\d+\\s${u.min})?)$`);

for (const lang of ['en', 'fr'] as const) {
  test(`${lang}: sizes, durations, engine, voices, packs, registries, clock, import reasons and chart legends in the page's words`, async (t) => {
    t.timeout(180_000);
    const w = W[lang];
    const { page, base, box } = await startUiBox(t, { locale: w.locale, box: { sandbox: { seed: 7, timeScale: 0.05 } } });
    const data = await seedLanguageData(box.api);
    const dur = duration(w.units);

    // Dashboard: the engine by name, sizes in the language's units, the uptime with its unit, the clock
    // state in words (this machine has no systemd: the state is unknown) with the system's text hidden.
    await openPage(page, `${base}/`, 'box-health');
    const trunks = await page.getByTestId('trunks-card').innerText();
    t.true(trunks.includes(w.engine), trunks);
    t.false(/\bembedded\b/.test(trunks), trunks);
    const health = await page.getByTestId('box-health').innerText();
    t.regex(health, w.size);
    t.notRegex(health, lang === 'fr' ? /\d\s?(GB|MB|kB)\b/ : /\d\s?(Go|Mo|ko)\b/);
    const clock = await page.getByTestId('clock-state').innerText();
    t.true(clock.includes(w.clockWhy), clock);
    t.false(/timedatectl|systemd as init/.test(clock), clock); // the system's own text stays under "Technical detail"
    if (lang === 'fr') t.false(clock.includes('cannot tell'), clock);

    // An import with refused rows: each reason in the page's language, from the box's code.
    await openPage(page, `${base}/lists`, 'lists-table');
    await page.getByLabel(w.file).setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(BAD_ROWS_CSV) });
    await page.getByTestId('preview-table').waitFor();
    await page.getByLabel(w.listName).fill('Refusés');
    await page.getByRole('button', { name: w.importBtn, exact: true }).click();
    const rejected = page.getByTestId('rejected-rows');
    await rejected.waitFor().catch(async (e) => { await page.screenshot({ path: artifactPath(`units-import-${lang}`), fullPage: true }); throw e; });
    const rows = await rejected.locator('tbody tr').allInnerTexts();
    t.deepEqual(rows.map((r) => r.split('\t').map((c) => c.trim())), [['3', 'Phone', w.letters], ['5', 'Phone', w.empty]]);

    // Recordings: the duration with its unit; the voice by name.
    await openPage(page, `${base}/recordings`, 'recordings-table');
    const recRow = page.getByTestId('recordings-table').locator('tbody tr', { hasText: 'Rappel' });
    t.regex((await recRow.locator('td').nth(2).innerText()).trim(), dur);
    t.true((await page.locator('select:has(option[value="fr+f2"]) option[value="fr+f2"]').innerText()).includes(w.voice));

    // The campaign form: packs by name, the pack's requirements and source in the language, voices by name.
    await openPage(page, `${base}/campaigns/new`, null);
    const packSelect = page.locator('select:has(option[value="none"])');
    t.is(await packSelect.locator('option[value="fr"]').innerText(), w.packFr);
    t.is(await packSelect.locator('option[value="none"]').innerText(), w.packNone);
    const rules = page.getByTestId('script-rules');
    t.true((await rules.innerText()).includes(w.scriptSays), await rules.innerText());
    t.true((await rules.innerText()).includes(w.scriptSource), await rules.innerText());
    await page.getByLabel(w.kindTts).check();
    t.is(await page.locator('select:has(option[value="fr+f2"]) option[value="fr+f2"]').innerText(), w.voice);

    // A draft's preflight: the pack by name and the time left with units.
    await openPage(page, `${base}/campaigns/${data.draftId}`, 'preflight');
    await page.getByTestId('preflight-eta').filter({ hasText: dur }).waitFor();
    t.true((await page.getByTestId('preflight').innerText()).includes(w.packIs));

    // The report: average durations with units; legends that name the outcomes and show no placeholder.
    await openPage(page, `${base}/reports/${data.doneId}`, 'report-summary');
    t.regex((await page.getByTestId('report-avg-talk').innerText()).trim(), dur);
    t.regex((await page.getByTestId('report-avg-ring').innerText()).trim(), dur);
    for (const chart of ['report-over-time', 'report-by-outcome']) {
      const legend = page.getByTestId(chart).locator('.u-legend');
      await legend.waitFor();
      const text = await legend.innerText();
      t.false(text.includes('--'), `${chart} legend: ${text}`);
      if (chart === 'report-over-time') t.true(text.includes(w.outcome), `${chart} legend: ${text}`);
    }

    // Registry copies and log levels by name.
    await openPage(page, `${base}/compliance/registries`, 'registry-list');
    t.is(await page.locator('select option[value="fr-bloctel"]').innerText(), w.registry);
    await openPage(page, `${base}/settings`, 'settings-box');
    const levels = await page.getByTestId('settings-box').locator('select:has(option[value="3"]) option').allInnerTexts();
    t.true(levels.includes(w.logLevel), levels.join(' / '));
    t.false(levels.some((l) => ['error', 'warn', 'info', 'debug'].includes(l)), levels.join(' / '));
  });
}

// Issue 13, point 7: a walk of every page in French, with something on each (a list, a refused import, a
// French female voice, a finished campaign and its report, a draft), finds none of the English words and
// raw codes that used to leak: in the text a reader sees, in the attributes a screen reader says, and in
// the options of every select. Text marked as code (<code>: commands, the audit log's raw details) is
// the box's own and is left out. The English walk checks the reverse for the units.
import test from 'ava';
import { openPage, startUiBox } from './browser.ts';
import { BAD_ROWS_CSV, seedLanguageData } from './i18n-data.ts';

/** What leaked before, and the shapes of leaks to come (English sentences, codes shown as words). */
const FRENCH_LEAKS: ReadonlyArray<[string, RegExp]> = [
  ['English size unit', /\d\s?(GB|MB|kB|TB)\b/],
  ['engine code', /\bembedded\b/],
  ['clock system text', /cannot tell|timedatectl|NTPSynchronized|not synchronised/],
  ['pack name in English', /No jurisdiction|United States|United Kingdom|Unsolicited Telecommunications/],
  ['opt-out wording', /opt-out \(|\bkeypress\b|\bcallee\b|\bstaff:/],
  ['import reason in English', /contains letters|empty phone number|not a valid|too short|too long/],
  ['voice code', /\b(?:fr|en|de|es)(?:\+[fm]\d|-us|-be|-gb)\b/],
  ['registry code', /\b(?:fr-bloctel|us-national-dnc|ca-dncl|uk-tps)\b/],
  ['chart legend placeholder', /--/],
  ['English sentence', /\b(?:the|and|with|cannot|your|this|from|which)\b(?:\s+\S+){0,3}\s+\b(?:the|and|of|to|is|not|with|for|a|be)\b/i],
];

/** Options whose whole text is a code. */
const CODE_OPTIONS = new Set(['us', 'ca', 'fr', 'uk', 'none', 'error', 'warn', 'info', 'debug', 'embedded']);

// Runs in the page (a string: the tests are type-checked without the DOM library). The visible text,
// without <code> elements; the user-facing attributes; the options of every select.
const READ = `(() => {
  const codes = [...document.querySelectorAll('code')];
  for (const c of codes) c.dataset.hidden = c.style.display, c.style.display = 'none';
  const text = document.body.innerText;
  for (const c of codes) c.style.display = c.dataset.hidden;
  const attrs = [...document.querySelectorAll('[title],[aria-label],[placeholder],[alt]')].filter((e) => !e.closest('code'))
    .flatMap((e) => ['title', 'aria-label', 'placeholder', 'alt'].map((a) => e.getAttribute(a)).filter(Boolean));
  const options = [...document.querySelectorAll('select option')].map((o) => o.textContent.trim());
  return { text, attrs, options };
})()`;

const SAME_IN_BOTH = /^(English|Français)$/; // the language switch names each language in itself

test('every page in French shows no English words and no raw codes', async (t) => {
  t.timeout(240_000);
  const { page, base, box } = await startUiBox(t, { locale: 'fr-FR', box: { sandbox: { seed: 7, timeScale: 0.05 } } });
  const data = await seedLanguageData(box.api);
  // A list with refused rows, imported in the page so its report is on screen.
  await openPage(page, `${base}/lists`, 'lists-table');
  await page.getByLabel('Fichier (CSV ou Excel)').setInputFiles({ name: 'refus.csv', mimeType: 'text/csv', buffer: Buffer.from(BAD_ROWS_CSV) });
  await page.getByTestId('preview-table').waitFor();
  await page.getByLabel('Nom de la nouvelle liste').fill('Refusés');
  await page.getByRole('button', { name: 'Importer', exact: true }).click();
  await page.getByTestId('rejected-rows').waitFor();

  const pages: Array<[string, string | null]> = [
    ['/lists', null], // with the import report still on screen: checked before leaving
    ['/', 'box-health'], [`/lists/${data.listId}`, null], ['/recordings', 'recordings-table'], ['/campaigns', null],
    [`/campaigns/${data.doneId}`, null], [`/campaigns/${data.draftId}`, 'preflight'], ['/campaigns/new', 'script-rules'],
    ['/reports', null], [`/reports/${data.doneId}`, 'report-summary'], ['/compliance', null], ['/compliance/consents', null],
    ['/compliance/registries', 'registry-list'], ['/compliance/caller-ids', null], ['/compliance/audit', null], ['/compliance/rules', 'pack-summary'],
    ['/settings', 'settings-staff'],
  ];
  const scan = async (path: string): Promise<string[]> => {
    const seen = await page.evaluate<{ text: string; attrs: string[]; options: string[] }>(READ);
    const lines = [...seen.text.split('\n'), ...seen.attrs].map((l) => l.trim()).filter((l) => l && !SAME_IN_BOTH.test(l));
    t.true(lines.length > 10, `${path} was read (${lines.length} lines)`);
    const found: string[] = [];
    for (const line of lines) {
      for (const [what, re] of FRENCH_LEAKS) if (re.test(line)) found.push(`${path}: ${what}: ${line.slice(0, 160)}`);
    }
    for (const o of seen.options) if (CODE_OPTIONS.has(o)) found.push(`${path}: option shown as a code: ${o}`);
    return found;
  };
  const leaks: string[] = [];
  for (const [i, [path, ready]] of pages.entries()) {
    if (i > 0) await openPage(page, base + path, ready);
    if (path === `/reports/${data.doneId}`) await page.locator('.u-legend').first().waitFor();
    leaks.push(...(await scan(path)));
  }
  t.deepEqual(leaks, []);

  // The walk does see a leak: words planted in the page (as the old pages showed them) are each found.
  await page.evaluate(`document.querySelector('main').insertAdjacentHTML('beforeend',
    '<p>Moteur embedded</p><p>1,1 GB / 25 GB</p><p title="fr+f2">Voix</p><select><option>none</option></select><p><code>timedatectl gave no answer</code></p>')`);
  t.deepEqual((await scan('planted')).map((l) => l.split(': ')[1]), ['engine code', 'English size unit', 'voice code', 'option shown as a code']);
});

test('the English pages use English units (the check is not one-sided)', async (t) => {
  t.timeout(120_000);
  const { page, base } = await startUiBox(t, { locale: 'en-GB' });
  await openPage(page, `${base}/`, 'box-health');
  const health = await page.getByTestId('box-health').innerText();
  t.regex(health, /\d(\.\d)?\s(GB|MB)\b/);
  t.notRegex(health, /\d\s?(Go|Mo|ko)\b/);
  t.regex(await page.getByTestId('trunks-card').innerText(), /\bbuilt-in\b/);
});

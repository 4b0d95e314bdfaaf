// The wizard's "message content" section: a French marketing campaign on a real trunk whose message
// announces no opt-out key is refused at start with that reason; once staff declare it in the wizard,
// the start check no longer lists the script problem (the missing Bloctel copy still blocks).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestBox } from '../support/appliance.ts';
import { clockFrom } from '../compliance/box-helpers.ts';
import { artifactPath, loginPage, openBrowser, requireBuiltUi } from './browser.ts';

const CSV = readFileSync(fileURLToPath(new URL('../fixtures/contacts/journey.csv', import.meta.url)));
const CALLER = '+33123456789';
// Runs in the page (a string: the tests are type-checked without the DOM library).
const UNLABELLED = `[...document.querySelectorAll('form input:not([type=hidden]), form select, form textarea')]
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map((el) => el.outerHTML.slice(0, 120))`;

interface Problem { code: string; message: string; blocking: boolean }

test('script declarations are filled in the wizard and clear the script problem of the start check', async (t) => {
  t.timeout(90_000);
  requireBuiltUi();
  // The box's clock reads August 2026: French marketing calls still need a Bloctel copy (until 2026-08-11).
  const box = await startTestBox({
    now: clockFrom(Date.parse('2026-08-05T09:00:00Z')),
    settings: (s) => {
      s.compliance.pack = 'fr';
      s.callerIds = [{ number: CALLER, label: 'Office', verified: true }];
      // A real (non-sandbox) trunk: script problems block the start there. Never dialled: the start is refused.
      s.trunks = [...s.trunks, { name: 'office', kind: 'sip', enabled: true, host: '127.0.0.1', port: 9, transport: 'udp', auth: 'ip', registerExpiresSec: 300, allowedSources: [], channels: 1, cps: 1, codecs: ['PCMU'], dtmf: 'auto', optionsIntervalSec: 0 }];
    },
  });
  t.teardown(() => box.stop());
  const api = box.api;
  t.is((await api.send('POST', '/api/users', { username: 'staff', password: 'script-password-1', role: 'operator' })).status, 201);
  const up = await api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=journey.csv', CSV);
  const list = await api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Prospects', country: 'FR' });
  t.is(list.status, 201, list.text);
  const rec = await api.send<{ id: string }>('POST', '/api/recordings/tts', { text: 'Bonjour, ici la Boutique, une offre pour vous.', voice: 'fr', name: 'Offre' });
  t.is(rec.status, 201, rec.text);
  const created = await api.send<{ id: number }>('POST', '/api/campaigns', {
    name: 'Offre d’hiver', listId: list.body.list.id,
    config: {
      purpose: 'marketing', seller: 'Boutique', message: rec.body.id, callerId: CALLER, trunks: ['office'],
      script: { identificationEndsMs: 3000, callbackNumber: CALLER, optOutAnnouncedMs: null, voicemail: null },
    },
  });
  t.is(created.status, 201, created.text);
  const id = created.body.id;
  const scriptProblems = async (): Promise<Problem[]> => {
    const r = await api.get<{ problems: Problem[] }>(`/api/compliance/campaigns/${id}/start-check`);
    t.is(r.status, 200, r.text);
    return r.body.problems.filter((p) => p.code.startsWith('script-'));
  };
  t.deepEqual((await scriptProblems()).map((p) => [p.code, p.blocking]), [['script-opt-out', true]]);

  const { page } = await openBrowser(t);
  await loginPage(page, box.base, 'staff', 'script-password-1');
  await page.setViewportSize({ width: 375, height: 800 });

  // Start: refused, and the script reason is among those shown.
  await page.goto(`${box.base}/campaigns/${id}`);
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  const refusal = page.getByTestId('action-error');
  await refusal.waitFor();
  t.regex(await refusal.innerText(), /must announce an opt-out key/);
  t.is(await page.getByTestId('campaign-status').innerText(), 'Draft');

  // The wizard shows the declarations, what the French pack asks, and the problem the start check sees.
  await page.getByRole('link', { name: 'Change' }).click();
  await page.getByRole('group', { name: '4. Message content (compliance)' }).waitFor();
  t.is(await page.getByLabel('Identification of the caller ends at (seconds from the start)').inputValue(), '3');
  t.false(await page.getByLabel('The message does not say who is calling').isChecked());
  t.is(await page.getByLabel('Callback number said in the message').inputValue(), CALLER);
  t.true(await page.getByLabel('The message does not announce an opt-out key').isChecked());
  t.true(await page.getByLabel('Opt-out key announced at (seconds from the start)').isDisabled());
  const rules = await page.getByTestId('script-rules').innerText();
  t.regex(rules, /Announce the key that stops further calls/);
  t.regex(rules, /Open with who is calling/);
  t.regex(await page.getByTestId('script-problems').innerText(), /announces no opt-out key/);

  // Errors sit at their field: the page's own (seconds missing), then the box's (a callback number it cannot read).
  const errorOf = async (label: string): Promise<string> => {
    const input = page.getByLabel(label, { exact: true });
    t.is(await input.getAttribute('aria-invalid'), 'true', label);
    const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(' ');
    return page.locator(`[id="${ids[ids.length - 1]}"]`).innerText();
  };
  await page.getByLabel('The message does not announce an opt-out key').uncheck();
  await page.getByRole('button', { name: 'Save and check' }).click();
  t.regex(await errorOf('Opt-out key announced at (seconds from the start)'), /seconds from the start of the message/);
  await page.getByLabel('Opt-out key announced at (seconds from the start)').fill('5.5');
  await page.getByLabel('Callback number said in the message').fill('12');
  await page.getByRole('button', { name: 'Save and check' }).click();
  await page.getByRole('alert').filter({ hasText: 'The campaign was not saved' }).waitFor();
  t.regex(await errorOf('Callback number said in the message'), /"12" is not a phone number for the callback number; type it /);
  await page.getByLabel('Callback number said in the message').fill('+33 1 23 45 67 89');
  // A voicemail message too: its own declarations appear once it is chosen.
  await page.getByLabel('Voicemail message', { exact: true }).selectOption({ label: 'Offre' });
  await page.getByLabel('The voicemail message says who is calling').check();
  await page.getByLabel('Callback number said in the voicemail message').fill('+33 1 23 45 67 89');
  await page.getByRole('button', { name: 'Save and check' }).click();
  await page.getByTestId('preflight').waitFor();

  const saved = await api.get<{ config: { script: unknown } }>(`/api/campaigns/${id}`);
  t.deepEqual(saved.body.config.script, { identificationEndsMs: 3000, callbackNumber: CALLER, optOutAnnouncedMs: 5500, voicemail: { identification: true, callbackNumber: CALLER } });
  t.deepEqual(await scriptProblems(), []);

  // Still refused (no Bloctel copy), but no longer for the script.
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await refusal.waitFor();
  const text = await refusal.innerText();
  t.regex(text, /fr-bloctel/);
  t.notRegex(text, /opt-out key/);

  // In French, the section and its hints follow the language switch.
  await page.evaluate("localStorage.setItem('vb.lang', 'fr')");
  await page.goto(`${box.base}/campaigns/${id}/edit`);
  await page.getByRole('group', { name: '4. Contenu du message (conformité)' }).waitFor();
  t.is(await page.getByLabel('Annonce de la touche d’opposition (secondes depuis le début)').inputValue(), '5.5');
  t.regex(await page.getByTestId('script-rules').innerText(), /touche qui met fin aux appels/);
  // Every control of the wizard has a label, and nothing is wider than the phone screen.
  const section = page.getByRole('group', { name: '4. Contenu du message (conformité)' });
  t.deepEqual(await page.evaluate<string[]>(UNLABELLED), []);
  t.true(await page.evaluate('document.documentElement.scrollWidth <= 375'));
  await section.screenshot({ path: artifactPath('wizard-script-phone-fr') });
});

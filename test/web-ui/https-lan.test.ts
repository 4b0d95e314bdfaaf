// Must-show 4 of issue 13: Chromium reaches the box over HTTPS at a non-loopback address of this
// machine, trusting the box's certificate only through its SPKI hash (as staff do by comparing the
// fingerprint), and records a message with a fake microphone fed by a tone made with sox; the saved
// recording holds that tone. Also: the fingerprint on the dashboard, an uploaded key that does not
// match refused with a field error (English and French), plain HTTP on the LAN address redirected.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ulawDecode } from '../../media/dsp/g711.ts';
import { FILES } from '../../media/prompts/library.ts';
import { makeOwnCertificate, newOwnKey } from '../../appliance/http/tls/own-certificate.ts';
import { lanNames } from '../../appliance/http/tls/lan-names.ts';
import { startTestBox, type TestBox } from '../support/appliance.ts';
import { lanAddress } from '../support/lan.ts';
import { loginPage, openBrowser, requireBuiltUi } from './browser.ts';

const USER = { username: 'lanadmin', password: 'lan-admin-password-1' };
const TONE_HZ = 440;

/** Power of one frequency in a block of samples (Goertzel), normalised by the block's length. */
function power(samples: Int16Array, hz: number, rate = 8000): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0;
  let s2 = 0;
  for (const x of samples) {
    const s0 = x + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / samples.length;
}

async function lanBox(t: import('ava').ExecutionContext): Promise<{ box: TestBox; base: string; spki: string }> {
  requireBuiltUi();
  const box = await startTestBox({ settings: (s) => { s.http.bindAddress = '0.0.0.0'; } });
  t.teardown(() => box.stop());
  const made = await box.api.send('POST', '/api/users', { ...USER, role: 'admin' });
  if (made.status >= 300) throw new Error(made.text);
  return { box, base: `https://${lanAddress()}:${box.app.http.port}`, spki: box.app.tls!.view().info.spkiSha256 };
}

test('Chromium on HTTPS at a LAN address, trusting the box by its SPKI hash, records a message with a fake microphone; the saved recording holds the tone', async (t) => {
  t.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'vba-tone-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const wav = join(dir, 'tone.wav');
  execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', wav, 'synth', '20', 'sine', String(TONE_HZ), 'vol', '0.5']);
  const { box, base, spki } = await lanBox(t);
  const { page, context } = await openBrowser(t, {
    extraArgs: [`--ignore-certificate-errors-spki-list=${spki}`, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-audio-capture=${wav}`],
  });
  await context.grantPermissions(['microphone'], { origin: base });

  // Plain HTTP typed on the LAN lands on HTTPS.
  const first = await page.goto(`${base.replace('https:', 'http:')}/login`);
  t.is(new URL(first!.url()).protocol, 'https:');
  await loginPage(page, base, USER.username, USER.password);
  t.true(await page.evaluate('window.isSecureContext'), 'a secure page: the browser may give it the microphone');

  await page.goto(`${base}/recordings`);
  const card = page.getByTestId('record-recording');
  await card.getByRole('button', { name: 'Start recording' }).click();
  await card.getByRole('status').filter({ hasText: /Recording… [3-9]\s?s\b/ }).waitFor({ timeout: 20000 });
  await card.getByRole('button', { name: 'Stop' }).click();
  await card.getByLabel('Your recording').waitFor();
  await card.getByLabel('Name').fill('Tone over HTTPS');
  await card.getByRole('button', { name: 'Save the recording' }).click();
  const row = page.getByTestId('recordings-table').locator('tbody tr').filter({ hasText: 'Tone over HTTPS' });
  await row.waitFor({ timeout: 30000 });

  // The saved message (8 kHz G.711 as the box plays it) holds the tone, loud, and little else.
  const list = await box.api.get<Array<{ id: string; name: string }>>('/api/recordings');
  const rec = list.body.find((r) => r.name === 'Tone over HTTPS');
  t.truthy(rec, list.text);
  const pcm = ulawDecode(readFileSync(join(box.dataDir, 'recordings', 'library', rec!.id, FILES.pcmu)));
  t.true(pcm.length >= 8000 * 2, `at least 2 s of audio, got ${pcm.length / 8000} s`);
  const middle = pcm.subarray(Math.floor(pcm.length / 4), Math.floor((pcm.length * 3) / 4));
  let sum = 0;
  for (const x of middle) sum += x * x;
  const rmsDb = 20 * Math.log10(Math.sqrt(sum / middle.length) / 32768);
  t.true(rmsDb > -30, `the tone is heard (RMS ${rmsDb.toFixed(1)} dBFS)`);
  const tone = power(middle, TONE_HZ);
  for (const other of [200, 1000, 2000, 3000]) t.true(tone > 50 * power(middle, other), `${TONE_HZ} Hz dominates ${other} Hz`);
});

test('the dashboard shows the certificate\'s fingerprint; a key that is not the certificate\'s is refused with a field error, in English and in French', async (t) => {
  t.timeout(90_000);
  const { box, base, spki } = await lanBox(t);
  const { page } = await openBrowser(t, { extraArgs: [`--ignore-certificate-errors-spki-list=${spki}`] });
  await loginPage(page, base, USER.username, USER.password);
  const fp = box.app.tls!.view().info.fingerprint256;
  await page.getByTestId('tls-card').waitFor();
  t.is(await page.getByTestId('tls-fingerprint').textContent(), fp);
  t.is(await page.getByTestId('tls-spki').textContent(), spki);

  const key = newOwnKey();
  const cert = await makeOwnCertificate({ keyPem: key, names: lanNames({}, 'office-box'), boxName: 'IT', now: Date.now() });
  await page.goto(`${base}/settings`);
  const section = page.getByTestId('settings-certificate');
  await section.getByRole('textbox', { name: 'Certificate (PEM)', exact: true }).fill(cert);
  await section.getByRole('textbox', { name: 'Private key (PEM)', exact: true }).fill(newOwnKey());
  await section.getByRole('button', { name: 'Install the certificate' }).click();
  await section.getByText('does not match the certificate: it is the private key of another certificate').waitFor();
  t.is(await section.getByRole('textbox', { name: 'Private key (PEM)', exact: true }).getAttribute('aria-invalid'), 'true');
  t.is(box.app.tls!.view().source, 'own', 'nothing installed');

  // French: the same refusal in French words.
  const fr = await openBrowser(t, { locale: 'fr-FR', extraArgs: [`--ignore-certificate-errors-spki-list=${spki}`] });
  await loginPage(fr.page, base, USER.username, USER.password);
  t.is(await fr.page.getByTestId('tls-fingerprint').textContent(), fp);
  await fr.page.getByText('Empreinte SHA-256').first().waitFor();
  await fr.page.goto(`${base}/settings`);
  const frSection = fr.page.getByTestId('settings-certificate');
  await frSection.getByRole('textbox', { name: 'Certificat (PEM)', exact: true }).fill(cert);
  await frSection.getByRole('textbox', { name: 'Clé privée (PEM)', exact: true }).fill(newOwnKey());
  await frSection.getByRole('button', { name: 'Installer le certificat' }).click();
  await frSection.getByText('ne correspond pas au certificat : c’est la clé privée d’un autre certificat').waitFor();

  // The right key: installed and served at once; the dashboard shows the new fingerprint.
  await section.getByRole('textbox', { name: 'Private key (PEM)', exact: true }).fill(key);
  await section.getByRole('button', { name: 'Install the certificate' }).click();
  await section.getByRole('status').filter({ hasText: 'Certificate installed' }).waitFor();
  t.is(box.app.tls!.view().source, 'installed');
});

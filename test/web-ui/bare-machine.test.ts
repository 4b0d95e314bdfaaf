// Issue 12, must-show 3: a bare machine. The box starts with a PATH that has everything in /usr/bin and
// /bin except the Debian audio tools (ffmpeg/ffprobe, sox, espeak-ng), as on a fresh Debian with only
// Node and npm. /api/health lists the three as missing with their packages, the dashboard says so (in
// English and French), a WAV message uploaded through the UI is imported with no tool, what needs a tool
// (an MP3, text-to-speech) is refused naming its package, and a sandbox campaign runs to its report.
import test from 'ava';
import { parse as parseCsv } from 'csv-parse/sync';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ToolStatus } from '../../media/prompts/tools.ts';
import { rtpRange } from '../peers/ports.ts';
import { startTestBox } from '../support/appliance.ts';
import { runAppliance } from '../support/processes.ts';
import { artifactPath, loginPage, openBrowser, requireBuiltUi } from './browser.ts';

const run = promisify(execFile);
const CSV = fileURLToPath(new URL('../fixtures/contacts/journey.csv', import.meta.url));
const CONTACTS = 20;
const HIDDEN = new Set(['ffmpeg', 'ffprobe', 'sox', 'soxi', 'play', 'rec', 'espeak-ng', 'espeak']);

const work = mkdtempSync(join(tmpdir(), 'vba-bare-'));
test.after.always(() => rmSync(work, { recursive: true, force: true }));

let wav = '';
let mp3 = '';

test.before(async () => {
  // The message is made with the real tools, before they are hidden: CD-quality stereo, as a phone app exports.
  const speech = join(work, 'speech.wav');
  await run('espeak-ng', ['-v', 'en-us', '-w', speech, 'Hello, this is the pharmacy. Your order is ready for collection.']);
  wav = join(work, 'Pharmacy.wav');
  await run('ffmpeg', ['-v', 'error', '-y', '-i', speech, '-af', 'adelay=500,apad=pad_dur=0.5,volume=-12dB', '-ar', '44100', '-ac', '2', '-c:a', 'pcm_s16le', wav]);
  mp3 = join(work, 'Pharmacy.mp3');
  await run('ffmpeg', ['-v', 'error', '-y', '-i', speech, '-c:a', 'libmp3lame', '-b:a', '64k', mp3]);
  // A folder of symlinks to every program in /usr/bin and /bin but the audio tools.
  const bin = join(work, 'bin');
  mkdirSync(bin);
  const seen = new Set<string>();
  for (const from of ['/usr/bin', '/bin']) {
    for (const name of readdirSync(from)) {
      if (HIDDEN.has(name) || seen.has(name)) continue;
      seen.add(name);
      symlinkSync(join(from, name), join(bin, name));
    }
  }
  // From here on this test process, and the box it starts, see no audio tool.
  process.env.PATH = bin;
});

test('bare machine: no ffmpeg, sox or espeak-ng; health and dashboard say so; a WAV message and a sandbox campaign to its report', async (t) => {
  t.timeout(180_000);
  requireBuiltUi();
  await t.throwsAsync(run('ffmpeg', ['-version']), { code: 'ENOENT' }, 'ffmpeg is hidden');
  await t.throwsAsync(run('espeak-ng', ['--version']), { code: 'ENOENT' }, 'espeak-ng is hidden');
  await t.throwsAsync(run('sox', ['--version']), { code: 'ENOENT' }, 'sox is hidden');

  const box = await startTestBox({ sandbox: { seed: 11, timeScale: 0.05 } });
  t.teardown(() => box.stop());

  // /api/health lists the three tools as missing, each with its Debian package.
  const health = (await box.api.get<{ onSandbox: boolean; tools: ToolStatus[] }>('/api/health')).body;
  t.true(health.onSandbox);
  t.deepEqual(
    health.tools.map((x) => [x.name, x.present, x.package]).sort(),
    [['espeak-ng', false, 'espeak-ng'], ['ffmpeg', false, 'ffmpeg'], ['sox', false, 'sox']],
  );
  t.true(health.tools.every((x) => x.neededFor.length > 10));

  const made = await box.api.send('POST', '/api/users', { username: 'staff', password: 'bare-password-1', role: 'admin' });
  t.true(made.status === 200 || made.status === 201, made.text);
  const { page, browser } = await openBrowser(t, { viewport: { width: 1100, height: 900 } });
  page.setDefaultTimeout(20_000);
  await loginPage(page, box.base, 'staff', 'bare-password-1');

  // The dashboard notice: what is off, and the install line.
  const notice = page.getByTestId('tools-notice');
  await notice.waitFor();
  const noticeText = await notice.innerText();
  t.regex(noticeText, /Some audio tools are not installed/);
  for (const name of ['ffmpeg', 'espeak-ng', 'sox']) t.true(noticeText.includes(name), name);
  t.regex(noticeText, /text-to-speech/);
  t.regex(noticeText, /sudo apt-get install -y ffmpeg espeak-ng sox/);
  await page.screenshot({ path: artifactPath('bare-machine-dashboard') });

  // The same notice in French.
  const fr = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1100, height: 900 } });
  t.teardown(() => fr.close());
  const frPage = await fr.newPage();
  await loginPage(frPage, box.base, 'staff', 'bare-password-1');
  const frText = await frPage.getByTestId('tools-notice').innerText();
  t.regex(frText, /Des outils audio ne sont pas installés/);
  t.regex(frText, /synthèse vocale/);
  t.regex(frText, /sudo apt-get install -y ffmpeg espeak-ng sox/);

  // The contact list.
  await page.getByRole('link', { name: 'Lists', exact: true }).click();
  await page.getByLabel('File (CSV or Excel)').setInputFiles(CSV);
  await page.getByTestId('preview-table').waitFor();
  await page.getByLabel('Phone number', { exact: true }).selectOption('Téléphone');
  await page.getByLabel('First name', { exact: true }).selectOption('Prénom');
  await page.getByLabel('Last name', { exact: true }).selectOption('Nom');
  await page.getByLabel('Name of the new list').fill('Bare contacts');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByTestId('import-report').waitFor();
  t.regex(await page.getByTestId('import-report').innerText(), /20 contacts imported from 20 rows; 0 rejected/);

  // What needs a tool is refused, naming the package: an MP3 (ffmpeg) and text-to-speech (espeak-ng).
  await page.getByRole('link', { name: 'Recordings', exact: true }).click();
  const upload = page.getByTestId('upload-recording');
  await upload.getByLabel(/^Audio file/).setInputFiles(mp3);
  await upload.getByRole('button', { name: 'Upload', exact: true }).click();
  const mp3Error = upload.locator('.notice--error');
  await mp3Error.waitFor();
  t.regex(await mp3Error.innerText(), /MP3 audio, which this box reads only with ffmpeg: install the Debian package "ffmpeg"/);
  const tts = page.getByTestId('tts-recording');
  await tts.getByLabel('Text of the message').fill('Hello, this is a reminder.');
  await tts.getByLabel('Name', { exact: true }).fill('Spoken');
  await tts.getByRole('button', { name: 'Create the recording' }).click();
  const ttsError = tts.locator('.notice--error');
  await ttsError.waitFor();
  t.regex(await ttsError.innerText(), /espeak-ng is not installed on this box: install the Debian package "espeak-ng"/);

  // The WAV message, through the same upload form: decoded, mixed down, resampled and normalised with no tool.
  await upload.getByLabel(/^Audio file/).setInputFiles(wav);
  await upload.getByLabel('Name', { exact: true }).fill('Pharmacy');
  await upload.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.getByRole('cell', { name: 'Pharmacy', exact: true }).waitFor();
  const recs = (await box.api.get<Array<{ name: string; durationMs: number; loudnessLufs: number; format: string }>>('/api/recordings')).body;
  const rec = recs.find((r) => r.name === 'Pharmacy');
  t.truthy(rec);
  t.is(rec?.format, 'wav');
  t.true(Math.abs((rec?.loudnessLufs ?? 0) + 19) <= 1, `loudness ${rec?.loudnessLufs} LUFS`);
  t.true((rec?.durationMs ?? 0) > 2500 && (rec?.durationMs ?? 0) < 6000, `duration ${rec?.durationMs} ms`);

  // The campaign on the sandbox trunk, with that message.
  await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
  await page.getByRole('link', { name: 'New campaign' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Bare');
  await page.getByLabel('Contact list').selectOption({ label: 'Bare contacts (20 contacts)' });
  await page.getByLabel('Message recording').selectOption({ label: 'Pharmacy' });
  // Left after the beep when the box's answering-machine detection hears a sandbox voicemail.
  await page.getByLabel('Voicemail message', { exact: true }).selectOption({ label: 'Pharmacy' });
  await page.getByLabel('Caller ID shown').fill('+33 1 23 45 67 89');
  t.true(await page.getByRole('checkbox', { name: /^sandbox/ }).isChecked());
  const window1 = page.getByRole('group', { name: 'Window 1' });
  for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']) await window1.getByLabel(day).check();
  await window1.getByLabel('From').fill('00:00');
  await window1.getByLabel(/^To/).fill('24:00');
  await page.getByLabel('Calls at the same time (max)').fill(String(CONTACTS));
  await page.getByLabel('New calls per second (max)').fill('20');
  await page.getByLabel('Ring for (seconds)').fill('5');
  await page.getByLabel('Attempts per contact (max)').fill('1');
  await page.getByRole('button', { name: 'Save and check' }).click();
  await page.getByTestId('preflight').waitFor();
  t.is(await page.getByTestId('preflight-callable').innerText(), String(CONTACTS));
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.getByTestId('campaign-status').filter({ hasText: 'Completed' }).waitFor({ timeout: 90_000 });

  // The report: every contact called once, and the sandbox's people and voicemails heard the message.
  await page.getByRole('link', { name: 'Report', exact: true }).click();
  await page.getByTestId('report-summary').waitFor();
  t.is(await page.getByTestId('report-attempts').innerText(), String(CONTACTS));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const [header, ...rows] = parseCsv(readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '')) as string[][];
  t.is(rows.length, CONTACTS);
  const column = header!.indexOf('Last call outcome (code)');
  t.true(column >= 0, header!.join(' | '));
  const outcomes = rows.map((r) => r[column]);
  t.true(outcomes.some((o) => o === 'human' || o === 'confirmed' || o === 'opted-out'), outcomes.join(' '));
  t.true(outcomes.some((o) => o === 'machine-message-left'), `a voicemail got the message after its beep: ${outcomes.join(' ')}`);
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o ?? '', (counts.get(o ?? '') ?? 0) + 1);
  t.log(`outcomes: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  await page.screenshot({ path: artifactPath('bare-machine-report') });
});

test('`appliance start` (what npm start runs) starts on the bare PATH and says once what is missing, with the install line', async (t) => {
  t.timeout(120_000);
  const data = mkdtempSync(join(work, 'start-'));
  const rtp = rtpRange(40);
  const box = runAppliance(['start', '--data', data, '--http-port', '0', '--sip-port', '0'], {
    APPLIANCE_RTP_PORT_MIN: String(rtp.min), APPLIANCE_RTP_PORT_MAX: String(rtp.max),
  });
  t.teardown(() => { void box.kill('SIGKILL'); });
  await box.waitFor(/"msg":"appliance started"/, 90_000);
  const said = box.out().split('\n').filter((l) => l.startsWith('audio tools not installed'));
  t.is(said.length, 1, box.out());
  t.regex(said[0]!, /ffmpeg: .*MP3.* \| espeak-ng: text-to-speech.* \| sox: .*Install them with: sudo apt-get install -y ffmpeg espeak-ng sox$/);
  const logged = box.err().split('\n').filter((l) => l.includes('"missing":["ffmpeg","espeak-ng","sox"]'));
  t.is(logged.length, 1, 'one warning in the log');
  t.regex(box.out(), /first start: web UI login admin \/ \S+/);
  const code = await box.kill('SIGTERM');
  t.is(code, 0, `exit ${code} (signal ${box.proc.signalCode}):\n${box.err().slice(-1500)}`);
});

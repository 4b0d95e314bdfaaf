// Must-show 5 of issue 15, the report half: a campaign whose flow asks for a spoken answer dials baresip
// through a real trunk; baresip answers and speaks (its audio file source). The answer is kept with the
// attempt, listed on the report page in Chromium with a player, and plays back: the <audio> element loads
// the WAV with the recorded length, the page decodes it with WebAudio and hears the sentence where it was
// said, and playing it runs to its end. The question's completion and the French page are checked too.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBaresip } from '../peers/baresip.ts';
import { readPcm8k } from '../peers/audio.ts';
import { loopbackTrunk } from '../support/engine.ts';
import { addList } from '../compliance/fixtures.ts';
import { spokenCallee } from '../flows/spoken-callee.ts';
import { artifactPath, openPage, startUiBox } from './browser.ts';
import type { CampaignAnswers } from '../../appliance/http/contract/campaigns.ts';

const CALLER = '+33142000077';
const CALLEE = '+33142000001';
// A Monday 10:00 in Paris: inside every calling window, whatever day the test runs.
const MONDAY = Date.parse('2026-12-07T09:00:00Z');
const LEAD_S = 2;

// The page's side, typed here (the tests' TypeScript has no DOM library).
interface AudioEl {
  readyState: number; duration: number; currentTime: number; playbackRate: number; currentSrc: string;
  error: { code: number } | null;
  addEventListener(type: string, cb: () => void, o?: { once: boolean }): void;
  play(): Promise<void>;
}

/** RMS of 16-bit samples in [from, to) seconds. */
function rms(s: Int16Array, fromS: number, toS: number): number {
  const a = Math.max(0, Math.floor(fromS * 8000));
  const b = Math.min(s.length, Math.floor(toS * 8000));
  let sum = 0;
  for (let i = a; i < b; i++) sum += (s[i]! / 32768) ** 2;
  return Math.sqrt(sum / Math.max(1, b - a));
}

test('a spoken answer recorded from baresip is listed on the report page and plays back in Chromium', async (t) => {
  t.timeout(150_000);
  const dir = mkdtempSync(join(tmpdir(), 'vba-spoken-ui-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const callee = spokenCallee(dir, 'The waiting room was too cold, but the doctor was very kind.', { leadS: LEAD_S });
  const phone = await startBaresip({ source: callee.source, codecs: 'PCMU', user: CALLEE.slice(1) });
  t.teardown(() => phone.stop());

  const startedAt = Date.now();
  const ui = await startUiBox(t, {
    extraArgs: ['--autoplay-policy=no-user-gesture-required'],
    box: {
      now: () => MONDAY + (Date.now() - startedAt),
      settings: (s) => {
        s.box.country = 'FR';
        s.trunks = [loopbackTrunk(phone.port, { name: 'office', channels: 1, cps: 5, codecs: ['PCMU'] })];
        s.defaultTrunk = 'office';
        s.compliance.pack = 'none';
        s.callerIds = [{ number: CALLER, label: 'Front desk', verified: true }];
      },
    },
  });
  const { box, page } = ui;

  const { listId } = addList(box.app.db, 'patients', [{ e164: CALLEE, zones: ['Europe/Paris'] }]);
  const wav = join(dir, 'm.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', '1.0', 'sine', '500', 'vol', '0.5']);
  const rec = await box.api.send<{ id: string }>('POST', '/api/recordings?name=m&filename=m.wav', readFileSync(wav));
  t.is(rec.status, 201, rec.text);
  const flow = {
    version: 1,
    steps: [
      { id: 'message', verb: 'play', prompt: { message: true }, next: 'comment' },
      { id: 'comment', verb: 'record', name: 'comment', maxMs: 20_000, silenceMs: 1500, endKeys: '#', next: 'bye' },
      { id: 'bye', verb: 'hangup', outcome: 'confirmed' },
    ],
  };
  const c = await box.api.send<{ id: number }>('POST', '/api/campaigns', { name: 'After your visit', listId, config: {
    message: rec.body.id, callerId: CALLER, trunks: ['office'], menu: { optOut: '9' }, maxAttempts: 1, flow,
    script: { identificationEndsMs: 2000, callbackNumber: CALLER, optOutAnnouncedMs: 5000 },
  } });
  t.is(c.status, 201, c.text);
  const id = c.body.id;
  const started = await box.api.send('POST', `/api/campaigns/${id}/start`);
  t.is(started.status, 200, started.text);

  const until = Date.now() + 60_000;
  let status = '';
  while (Date.now() < until) {
    status = (await box.api.get<{ status: string }>(`/api/campaigns/${id}`)).body.status;
    if (status === 'completed') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  t.is(status, 'completed');
  const attempt = box.app.db.prepare('SELECT id, outcome FROM attempts WHERE campaign_id = ?').get(id) as { id: number; outcome: string };
  t.is(attempt.outcome, 'confirmed', 'the flow ran to its end');

  // What the box kept: the API lists it, the file is whole and holds the sentence after the lead-in.
  const answers = await box.api.get<CampaignAnswers>(`/api/campaigns/${id}/answers`);
  t.is(answers.status, 200, answers.text);
  t.is(answers.body.spoken.total, 1);
  const item = answers.body.spoken.items[0]!;
  t.like(item, { attemptId: attempt.id, name: 'comment', number: CALLEE });
  t.like(answers.body.answers.find((a) => a.name === 'comment'), { step: 'comment', kind: 'spoken', total: 1, values: [{ value: 'recorded', count: 1 }] });
  t.deepEqual(answers.body.steps.map((s) => [s.id, s.reached, s.endedHere]), [['message', 1, 0], ['comment', 1, 0], ['bye', 1, 1]]);
  const file = box.app.db.prepare('SELECT file FROM attempt_answers WHERE attempt_id = ?').pluck().get(attempt.id) as string;
  t.true(existsSync(join(box.dataDir, file)));
  const kept = readPcm8k(join(box.dataDir, file));
  const keptS = kept.length / 8000;
  t.true(Math.abs(keptS * 1000 - item.ms) < 25, `the listed length (${item.ms} ms) is the file's (${Math.round(keptS * 1000)} ms)`);
  t.true(keptS * 1000 >= callee.speechMs, `the whole sentence is kept (${Math.round(keptS * 1000)} ms for ${Math.round(callee.speechMs)} ms of speech)`);

  // The report page lists it with a player.
  await openPage(page, `${ui.base}/reports/${id}`, 'report-spoken');
  const spoken = page.getByTestId('report-spoken');
  await spoken.getByRole('cell', { name: CALLEE, exact: true }).waitFor();
  const audio = page.getByTestId(`spoken-${attempt.id}-comment`);
  t.is(await audio.getAttribute('aria-label'), `Spoken answer "comment" of ${CALLEE}`);
  t.regex(await page.getByTestId('answer-comment').innerText(), /Spoken answers kept: 1\./);
  t.regex(await page.getByTestId('report-completion').innerText(), /bye\s+Goodbye\s+1 \(100%\)\s+1/);

  // The <audio> element loads the WAV: its duration is the recorded length.
  const duration = await audio.evaluate(async (el: AudioEl) => {
    if (el.readyState < 1) await new Promise((resolve, reject) => { el.addEventListener('loadedmetadata', () => resolve(undefined), { once: true }); el.addEventListener('error', () => reject(new Error(`audio error ${el.error?.code}`)), { once: true }); });
    return el.duration;
  });
  t.true(Math.abs(duration - item.ms / 1000) < 0.05, `the player's duration ${duration.toFixed(3)} s is the recorded ${item.ms} ms`);

  // WebAudio in the page decodes what the player plays: silence before the callee spoke, speech after.
  // (Given as text: the test runner's transform would name the inner functions with a helper the page lacks.)
  const heard = await page.evaluate<{ seconds: number; levels: number[] }>(`(async () => {
    const el = document.querySelector('[data-testid="spoken-${attempt.id}-comment"]');
    const bytes = await (await fetch(el.currentSrc)).arrayBuffer();
    const buf = await new OfflineAudioContext(1, 8000, 8000).decodeAudioData(bytes);
    const data = buf.getChannelData(0);
    const win = Math.round(0.25 * buf.sampleRate);
    const levels = [];
    for (let a = 0; a + win <= data.length; a += win) {
      let sum = 0;
      for (let i = a; i < a + win; i++) sum += data[i] * data[i];
      levels.push(Math.sqrt(sum / win));
    }
    return { seconds: buf.duration, levels };
  })()`);
  t.true(Math.abs(heard.seconds - keptS) < 0.05, `WebAudio decodes ${heard.seconds.toFixed(3)} s`);
  const loud = heard.levels.map((l, i) => ({ at: i * 0.25, l })).filter((x) => x.l > 0.02);
  t.true(loud.length > 0, 'the decoded answer has speech in it');
  const firstSpeech = loud[0]!.at;
  // The same instant in the file read on the server side: the page decoded the very recording.
  t.true(rms(kept, firstSpeech, firstSpeech + 0.25) > 0.02);
  t.true(heard.levels.slice(0, Math.max(0, Math.floor(firstSpeech / 0.25) - 1)).every((l) => l < 0.01), `quiet until the callee spoke: ${heard.levels.map((l) => l.toFixed(3)).join(' ')}`);
  const speechS = loud.length * 0.25;
  t.true(speechS >= callee.speechMs / 1000 * 0.5, `about the sentence's length is loud (${speechS} s of ${(callee.speechMs / 1000).toFixed(1)} s)`);

  // Playing it runs through to the end.
  const played = await audio.evaluate(async (el: AudioEl) => {
    el.playbackRate = 4;
    const ended = new Promise<void>((resolve) => el.addEventListener('ended', () => resolve(), { once: true }));
    await el.play();
    await ended;
    return el.currentTime;
  });
  t.true(Math.abs(played - duration) < 0.1, `played to ${played.toFixed(2)} s`);
  t.log(`kept ${item.ms} ms (sentence ${Math.round(callee.speechMs)} ms); player ${duration.toFixed(3)} s; WebAudio ${heard.seconds.toFixed(3)} s, speech from ${firstSpeech} s, ${speechS} s loud; played to ${played.toFixed(2)} s`);
  await page.screenshot({ path: artifactPath('report-spoken-answers'), fullPage: true });

  // In French.
  await page.getByLabel('Language').selectOption('fr');
  await page.getByRole('heading', { name: 'Réponses parlées' }).waitFor();
  t.regex(await page.getByTestId('report-completion').innerText(), /bye\s+Au revoir\s+1\s\(100\s%\)\s+1/);
  t.is(await page.getByTestId(`spoken-${attempt.id}-comment`).getAttribute('aria-label'), `Réponse parlée « comment » de ${CALLEE}`);
});

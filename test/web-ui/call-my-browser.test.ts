// Issue 16's staff tools in a real browser, on the embedded engine. Chromium, with a fake microphone
// playing 1200 Hz, logs in to the web UI of a real box, and its softphone (sip.js over the box's
// WebSocket) takes calls.
// - "Call my browser": a campaign whose message is an 8 s 1000 Hz recording; the box rings the browser, which
//   answers by itself; the browser hears the message, presses 1 on the on-screen keypad, and the page shows
//   the path walked. No phone line is configured, and nothing is kept in the campaign's results.
// - Listen-in: a live call to baresip (answering with 1300 Hz) while the box plays it 700 Hz; the admin
//   presses Listen on the call's row; the browser hears both sides, and the callee never hears the admin.
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trunkDefaults } from '../../core/trunk-defaults.ts';
import type { BrowserWalkReply } from '../../appliance/http/contract/flows.ts';
import { readPcm8k, toneShare, toneWav } from '../peers/audio.ts';
import { startBaresip } from '../peers/baresip.ts';
import { freePort } from '../peers/sipp.ts';
import { answered, sleep } from '../sip/staff-support.ts';
import { CAPTURE_REMOTE_AUDIO as CAPTURE, startUiBox } from './browser.ts';

const CSV = readFileSync(new URL('../fixtures/contacts/journey.csv', import.meta.url));


/** Share of loud windows where a tone of `hz` is one part of a two-tone mix. */
const partShare = (pcm: ArrayLike<number>, hz: number): number => toneShare(pcm, hz, 0.2);

const BROWSER_ARGS = (mic: string): string[] => [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  `--use-file-for-fake-audio-capture=${mic}`,
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];

/** A box with the UI's user taking calls, a list, and a campaign whose message is a 1000 Hz recording (appointment reminder flow). */
async function walkSetup(t: ExecutionContext) {
  const dir = mkdtempSync(join(tmpdir(), 'vba-walk-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const mic = toneWav(join(dir, 'mic.wav'), 1200, 120, 48000);
  const ui = await startUiBox(t, { extraArgs: BROWSER_ARGS(mic) });
  const { page, box, username } = ui;
  t.is((await box.api.send('PUT', `/api/users/${username}/staff`, { takeCalls: true })).status, 200);
  const rec = await box.api.send<{ id: string }>('POST', '/api/recordings?name=Tone&filename=tone.wav', readFileSync(toneWav(join(dir, 'message.wav'), 1000, 8)));
  t.is(rec.status, 201, rec.text);
  const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=journey.csv', CSV);
  const list = await box.api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Patients', country: 'FR' });
  t.is(list.status, 201, list.text);
  const made = await box.api.send<{ id: number }>('POST', '/api/campaigns', {
    name: 'Reminders', listId: list.body.list.id,
    config: {
      message: rec.body.id, tts: null, menu: { optOut: '9' }, callerId: '+33162000000', trunks: ['sandbox'],
      schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] }, ringTimeoutMs: 20000, maxAttempts: 1, amd: false,
      flow: { template: 'appointment-reminder', lang: 'en' },
    },
  });
  t.is(made.status, 201, made.text);
  const id = made.body.id;
  // The softphone takes calls, then the campaign's page offers "Call my browser".
  await page.goto(`${box.base}/campaigns/${id}`);
  await page.getByTestId('softphone').getByRole('button', { name: 'Take calls' }).click();
  await page.getByTestId('softphone-status').filter({ hasText: 'Available' }).waitFor({ timeout: 15_000 });
  const reply = page.waitForResponse((r) => r.url().endsWith(`/api/campaigns/${id}/call-my-browser`), { timeout: 240_000 });
  await page.getByTestId('call-my-browser').getByRole('button', { name: 'Call my browser' }).click();
  // No click on Answer: the page asked for this call (the box renders the flow's texts first: over a minute when the machine is busy).
  await page.getByTestId('softphone-timer').waitFor({ timeout: 150_000 });
  return { page, box, username, id, reply };
}

test.serial('call my browser: the softphone answers by itself, hears the campaign\'s message, walks the menu with the keypad, and the path is shown', async (t) => {
  t.timeout(330_000);
  const { page, box, username, id, reply } = await walkSetup(t);
  t.regex(await page.getByTestId('softphone-call').innerText(), /Your campaign's call[\s\S]*Reminders/);
  t.true(await page.evaluate(CAPTURE) as boolean, 'the softphone plays the remote track');
  await sleep(3000);
  const heard = await page.evaluate('window.__heard') as number[];
  // The menu follows the 8 s message; the key goes in while it is read.
  await sleep(7000);
  await page.getByTestId('softphone-key-1').click();

  const r = await (await reply).json() as BrowserWalkReply;
  const messageShare = toneShare(heard, 1000);
  t.log(`the browser heard the message's 1000 Hz in ${(messageShare * 100).toFixed(0)}% of its loud windows (${(heard.length / 8000).toFixed(1)} s captured); path ${r.steps.map((s) => `${s.id}:${s.via}`).join(' ')}`);
  t.true(messageShare > 0.5, `message: ${messageShare}`);
  t.is(r.keys, '1');
  t.is(r.contact, 'sample');
  t.deepEqual(r.steps.map((s) => s.id), ['message', 'choice', 'confirm', 'confirmed']);
  t.is(r.answers.appointment, 'confirmed');
  t.false(r.optedOut);

  // The page shows the path; nothing of it is kept in the campaign's results; the call is audited.
  const report = page.getByTestId('walk-report');
  await report.waitFor({ timeout: 10_000 });
  t.regex(await page.getByTestId('walk-keys').innerText(), /Keys pressed: 1/);
  t.is(await page.getByTestId('walk-path').locator('li').count(), 4);
  t.is((await box.api.get<{ runs: number }>(`/api/campaigns/${id}/answers`)).body.runs, 0);
  const audit = await box.api.get<Array<{ action: string; actor: string; subject: string | null }>>('/api/compliance/audit?limit=1000');
  t.true(audit.body.some((e) => e.action === 'flow.call-browser' && e.actor === `staff:${username}` && e.subject === String(id)), audit.text);
});

test.serial('call my browser: the opt-out key ends the call as a real one would, says what a real call would do, and adds nobody to the do-not-call list', async (t) => {
  t.timeout(330_000);
  const { page, box, reply } = await walkSetup(t);
  // The opt-out key works in every step; it goes in while the message plays.
  await sleep(3000);
  await page.getByTestId('softphone-key-9').click();
  const r = await (await reply).json() as BrowserWalkReply;
  t.is(r.outcome, 'opted-out');
  t.true(r.optedOut);
  t.is(r.keys, '9');
  await page.getByTestId('walk-report').waitFor({ timeout: 10_000 });
  t.regex(await page.getByTestId('walk-report').innerText(), /In a real call, this would add the number to the do-not-call list\. This was a test, so nothing was added\./);
  t.is(box.app.db.prepare('SELECT COUNT(*) FROM suppressions').pluck().get(), 0, 'no suppression written');
});

test.serial('listen-in: the admin presses Listen on a live call\'s row and hears both sides; the callee never hears the admin', async (t) => {
  t.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'vba-listen-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const mic = toneWav(join(dir, 'mic.wav'), 1200, 120, 48000);
  const callee = await startBaresip({ source: toneWav(join(dir, 'callee.wav'), 1300, 60) });
  t.teardown(() => callee.stop());
  const sipPort = await freePort();
  const ui = await startUiBox(t, {
    box: {
      settings: (s) => {
        s.sip.port = sipPort;
        s.trunks.push(trunkDefaults({ name: 'office', host: '127.0.0.1', port: Number(/:(\d+)/.exec(callee.uri)![1]), allowedSources: ['127.0.0.1'], optionsIntervalSec: 0 }));
        s.defaultTrunk = 'office';
      },
    },
    extraArgs: BROWSER_ARGS(mic),
  });
  const { page, box, username } = ui;
  t.is((await box.api.send('PUT', `/api/users/${username}/staff`, { takeCalls: true })).status, 200);
  t.is((await box.api.send('PUT', '/api/staff/settings', { staff: { listenIn: true } })).status, 200);

  // A live call: the box calls the callee and plays it 700 Hz (the part the dialer does is a one-liner:
  // the doors test lists a real campaign call the same way).
  const call = box.app.engine.dial({ to: callee.uri, from: '+33142000001', trunk: 'office', ringTimeoutMs: 10_000 });
  await answered(call, 15_000);
  const unlist = box.app.liveCalls.add(call, { kind: 'campaign', campaignId: 1, campaignName: 'Spring survey', numberTail: '5678', since: Date.now() });
  t.teardown(unlist);
  const pcmu = join(dir, 'prompt.ul');
  const pcma = join(dir, 'prompt.al');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', '-t', 'raw', pcmu, 'synth', '30', 'sine', '700', 'vol', '0.4']);
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'a-law', '-t', 'raw', pcma, 'synth', '30', 'sine', '700', 'vol', '0.4']);
  void call.play({ id: 'p700', pcmu, pcma });

  await page.reload();
  await page.getByTestId('softphone').getByRole('button', { name: 'Take calls' }).click();
  await page.getByTestId('softphone-status').filter({ hasText: 'Available' }).waitFor({ timeout: 15_000 });
  await page.getByTestId('live-calls').getByRole('button', { name: /Live calls \(1\)/ }).click();
  const row = page.getByTestId('live-call').filter({ hasText: 'Spring survey' });
  t.regex(await row.innerText(), /…5678/);
  await row.getByTestId('listen').click();

  // The softphone answers by itself, says what it is, and offers no keypad, mute or hold.
  await page.getByTestId('softphone-timer').waitFor({ timeout: 20_000 });
  t.regex(await page.getByTestId('softphone-call').innerText(), /Listening in/);
  t.is(await page.getByTestId('softphone-call').getByRole('button', { name: 'Keypad' }).count(), 0);
  t.true(await page.evaluate(CAPTURE) as boolean);
  await sleep(4000);
  const heard = await page.evaluate('window.__heard') as number[];
  await page.getByTestId('softphone-hangup').click();
  await sleep(500);
  await call.hangup();
  await sleep(800); // baresip closes its recording when the call ends

  const calleeTone = partShare(heard, 1300);
  const promptTone = partShare(heard, 700);
  const calleeHeardAdmin = partShare(readPcm8k(callee.receivedRecordings()[0]!), 1200);
  t.log(`the admin heard the callee's 1300 Hz in ${(calleeTone * 100).toFixed(0)}% and the box's 700 Hz in ${(promptTone * 100).toFixed(0)}% of loud windows; the callee heard the admin's 1200 Hz in ${(calleeHeardAdmin * 100).toFixed(0)}%`);
  t.true(calleeTone > 0.3, `callee side: ${calleeTone}`);
  t.true(promptTone > 0.3, `box side: ${promptTone}`);
  t.true(calleeHeardAdmin < 0.05, `the callee heard the admin: ${calleeHeardAdmin}`);

  // Audited: who listened to which call, the start and the end.
  const audit = await box.api.get<Array<{ action: string; actor: string; subject: string | null; details: Record<string, unknown> }>>('/api/compliance/audit?limit=1000');
  const start = audit.body.find((e) => e.action === 'call.listen');
  const end = audit.body.find((e) => e.action === 'call.listen-end');
  t.like(start, { actor: `staff:${username}`, subject: `call:${call.id}` });
  t.like(end, { actor: `staff:${username}`, subject: `call:${call.id}` });
  t.is(end?.details.endedBy, 'listener');
  t.true(Number(end?.details.listenedMs) >= 3000, JSON.stringify(end));
});

// Issue 16, must-show 1, on the embedded engine: transfer to a browser, audio both ways. Chromium, with a
// fake microphone playing 1200 Hz, logs in to the web UI of a real box, and its softphone panel (sip.js over
// the box's WebSocket /api/sip) goes available. The box calls baresip through a trunk; baresip answers
// with a 1300 Hz tone and presses 1, and the box transfers it to the staff group the browser's user is in.
// The panel rings with the contact card; the staff member clicks Answer. Then the callee's recording holds
// the browser's tone, and the browser's received audio (its remote track through WebAudio) holds the
// callee's. The attempt-side record says connected, taken by that user. (The drachtio engine's side of this
// is not built yet: see the closing note of issue 16.)
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trunkDefaults } from '../../core/trunk-defaults.ts';
import { readPcm8k, toneShare, toneWav } from '../peers/audio.ts';
import { startBaresip } from '../peers/baresip.ts';
import { freePort } from '../peers/sipp.ts';
import { answered, sleep } from '../sip/staff-support.ts';
import { CAPTURE_REMOTE_AUDIO as CAPTURE, startUiBox } from './browser.ts';


test('a callee who presses 1 is transferred to a browser softphone: it rings with the contact card, is answered, and each side hears the other', async (t) => {
  t.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'vba-softphone-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const mic = toneWav(join(dir, 'mic.wav'), 1200, 60, 48000);
  const callee = await startBaresip({ source: toneWav(join(dir, 'callee.wav'), 1300, 60), keypad: true });
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
    extraArgs: [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-audio-capture=${mic}`,
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  const { page, box, username } = ui;
  // The admin lets the UI's user take calls and puts them in a group (the API's actions, audited).
  const staff = await box.api.send('PUT', `/api/users/${username}/staff`, { takeCalls: true });
  t.is(staff.status, 200, staff.text);
  const group = await box.api.send('PUT', '/api/staff/settings', { staff: { groups: [{ name: 'office', members: [username], strategy: 'ring-all' }] } });
  t.is(group.status, 200, group.text);

  // The softphone panel goes available: sip.js registers over the box's WebSocket with the web session.
  await page.reload();
  const panel = page.getByTestId('softphone');
  await panel.getByRole('button', { name: 'Take calls' }).click();
  await page.getByTestId('softphone-status').filter({ hasText: 'Available' }).waitFor({ timeout: 15_000 });
  t.true((box.app.engine.staffEndpoints?.() ?? []).some((e) => e.user === username && e.kind === 'browser'), 'the browser is a registered staff endpoint');

  // The box calls the callee through the trunk; the callee presses 1 ("speak to someone").
  const call = box.app.engine.dial({ to: callee.uri, from: '+33142000001', trunk: 'office', ringTimeoutMs: 10_000 });
  await answered(call, 15_000);
  const key = call.collect({ max: 1, timeoutMs: 10_000 });
  await sleep(500);
  await callee.sendDigits('1');
  t.is(await key, '1');
  const transfer = box.app.transfers.transfer(call, {
    step: { id: 'agent', verb: 'transfer', to: 'office', waitMs: 30_000, whisper: false, noAnswer: 'later' }, answers: { satisfaction: '4' },
  }, { actor: 'campaign:1', campaignId: 1, name: 'Ann Smith', number: '+33612345678', source: 'Spring survey', callerId: '+33142000001', trunk: 'office' });

  // The panel rings with who it is; the staff member answers.
  const card = page.getByTestId('softphone-call');
  await card.waitFor({ timeout: 20_000 });
  t.regex(await card.innerText(), /Ann Smith[\s\S]*…5678[\s\S]*Spring survey[\s\S]*satisfaction[\s\S]*4/);
  await page.getByTestId('softphone-answer').click();
  await page.getByTestId('softphone-timer').waitFor({ timeout: 15_000 });
  t.true(await page.evaluate(CAPTURE) as boolean, 'the softphone plays the remote track');
  await sleep(4000);
  const heard = await page.evaluate('window.__heard') as number[];

  // The browser hangs up; the transfer's record is complete.
  await page.getByTestId('softphone-hangup').click();
  const r = await transfer;
  t.is(r.outcome, 'connected');
  t.is(r.takenBy, username);
  t.true(r.talkMs >= 3000, `talked ${r.talkMs} ms`);
  await call.hangup();

  // baresip closes its recording when the call ends: wait until its WAV header says so, not a fixed time
  // Only the recording's last 2.5 s (inside the 3 s or more of the bridge): before the bridge the callee
  // heard the prompt and the hold music, for as long as the softphone took to ring and answer, which a
  // loaded machine stretches (the share of the whole recording fell with it).
  const calleePcm = readPcm8k((await callee.closedRecordings())[0]!);
  const calleeHeard = toneShare(calleePcm.subarray(Math.max(0, calleePcm.length - 20_000)), 1200);
  const browserHeard = toneShare(heard, 1300);
  t.log(`the callee heard the browser's 1200 Hz in ${(calleeHeard * 100).toFixed(0)}% of its loud windows; the browser heard the callee's 1300 Hz in ${(browserHeard * 100).toFixed(0)}% (${(heard.length / 8000).toFixed(1)} s captured)`);
  t.true(calleeHeard > 0.5, `callee: ${calleeHeard}`);
  t.true(browserHeard > 0.5, `browser: ${browserHeard}`);
});

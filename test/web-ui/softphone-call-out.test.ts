// Issue 16: staff calling out from the browser softphone, on the embedded engine. Chromium, with a fake
// microphone playing 1200 Hz, logs in to a real box's web UI; its softphone (sip.js over the box's
// WebSocket /api/sip) goes available and dials a number from the panel's "Call a number" field, as people
// dial it in France. Off (the default): the box refuses, and the panel shows the reason the box gave. On:
// the number passes the campaigns' compliance gate and goes out through the trunk to sipp, which sends back
// what it hears: the browser hears its own tone after a trip through its WebRTC leg, the bridge, the trunk
// and back (audio both ways). Both calls are audited as the browser's, with who dialled and never the number.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dncHash } from '../../appliance/compliance/number-hash.ts';
import { trunkDefaults } from '../../core/trunk-defaults.ts';
import { toneShare, toneWav } from '../peers/audio.ts';
import { freePort, startSippUas } from '../peers/sipp.ts';
import { sleep } from '../sip/staff-support.ts';
import { CAPTURE_REMOTE_AUDIO as CAPTURE, startUiBox } from './browser.ts';

const OWN = '+33142000001';
// A Tuesday, 11:00 in Paris: inside the French legal calling hours (Code de la consommation art. D.223-9).
const TUESDAY_11H_PARIS = Date.parse('2026-12-08T10:00:00Z');
const started = Date.now();


interface AuditRow { actor: string; subject: string | null; details: string }

test('the browser softphone calls a number: refused with the box\'s reason while staff calls out are off; on, it goes out through the trunk with audio both ways; both audited as the browser\'s', async (t) => {
  t.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'vba-softphone-out-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const mic = toneWav(join(dir, 'mic.wav'), 1200, 60, 48000);
  // The far end on the trunk: answers, sends back what it hears (-rtp_echo), hangs up after 8 s.
  const trunk = await startSippUas({ scenario: 'uas-bye-after.xml', calls: 1, timeoutSec: 90, args: ['-d', '8000', '-rtp_echo', '-mp', 'auto'] });
  t.teardown(() => { void trunk.stop(0); });
  const sipPort = await freePort();
  const ui = await startUiBox(t, {
    box: {
      now: () => TUESDAY_11H_PARIS + (Date.now() - started),
      settings: (s) => {
        s.box.country = 'FR';
        s.sip.port = sipPort;
        s.trunks.push(trunkDefaults({ name: 'office', host: '127.0.0.1', port: trunk.port, allowedSources: ['127.0.0.1'], optionsIntervalSec: 0 }));
        s.defaultTrunk = 'office';
        s.callerIds = [{ number: OWN, label: 'Front desk', verified: true }];
        s.compliance.pack = 'fr';
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
  const audit = (action: string): AuditRow[] => box.app.db.prepare('SELECT actor, subject, details FROM audit_log WHERE action = ? ORDER BY seq').all(action) as AuditRow[];
  const staff = await box.api.send('PUT', `/api/users/${username}/staff`, { takeCalls: true });
  t.is(staff.status, 200, staff.text);

  await page.reload();
  const panel = page.getByTestId('softphone');
  await panel.getByRole('button', { name: 'Take calls' }).click();
  await page.getByTestId('softphone-status').filter({ hasText: 'Available' }).waitFor({ timeout: 15_000 });

  // 1. Off (the default): the box refuses, and the panel says why.
  await panel.getByLabel('Call a number').fill('06 12 34 56 78');
  await panel.getByRole('button', { name: 'Call', exact: true }).click();
  const refusal = page.getByTestId('softphone-refusal');
  await refusal.waitFor({ timeout: 15_000 });
  t.is(await refusal.innerText(), 'The box did not place the call: Forbidden (staff calls out are off)');
  const refused = audit('staff.call-out-refused');
  t.is(refused.length, 1);
  t.like(refused[0], { actor: `staff:${username}`, subject: `number:${dncHash('+33612345678')}` });
  t.like(JSON.parse(refused[0]!.details), { kind: 'browser', reason: 'outbound-off' });
  t.is(audit('staff.call-out').length, 0);
  await page.getByTestId('softphone-call').getByRole('button', { name: 'Close' }).click();

  // 2. On: out through the trunk, bridged to the browser's WebRTC leg.
  t.is((await box.api.send('PUT', '/api/staff/settings', { staff: { outboundCalls: true } })).status, 200);
  await panel.getByLabel('Call a number').fill('06 12 34 56 78');
  await panel.getByRole('button', { name: 'Call', exact: true }).click();
  await page.getByTestId('softphone-timer').waitFor({ timeout: 20_000 });
  t.true(await page.evaluate(CAPTURE) as boolean, 'the softphone plays the remote track');
  await sleep(4000);
  const heard = await page.evaluate('window.__heard') as number[];
  const r = await trunk.stop(30_000);
  t.is(r.exitCode, 0, r.errors);
  // The far end hung up: the box ends the browser's call with BYE.
  await page.getByTestId('softphone-call').getByRole('heading', { name: 'Call ended' }).waitFor({ timeout: 10_000 });

  const share = toneShare(heard, 1200);
  t.log(`the browser heard its 1200 Hz tone back through the box and the trunk in ${(share * 100).toFixed(0)}% of its loud windows (${(heard.length / 8000).toFixed(1)} s captured)`);
  t.true(share > 0.5, `heard: ${share}`);
  const placed = audit('staff.call-out');
  t.is(placed.length, 1);
  t.like(placed[0], { actor: `staff:${username}`, subject: `number:${dncHash('+33612345678')}` });
  t.like(JSON.parse(placed[0]!.details), { kind: 'browser', trunk: 'office', callerId: OWN, door: 'phone' });
  const all = JSON.stringify(box.app.db.prepare("SELECT * FROM audit_log WHERE action LIKE 'staff.call-out%'").all());
  t.false(all.includes('612345678'), 'no number in clear in the audit log');
});

// Issue 16: staff calling out through the box, on a whole box with real peers. baresip is alice's desk
// phone, registered from the LAN range; it dials a number as people dial it in France. Off (the default):
// refused 403 with the reason. On: a number on the do-not-call list is refused with that reason (the
// campaigns' gate); an allowed one goes out through the trunk to sipp, which echoes the audio back: the
// desk phone hears its own tone after a trip through the box, the trunk and back (audio both ways
// through the bridge). Each call, placed or refused, is audited with who dialled it and never the number.
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trunkDefaults } from '../../core/trunk-defaults.ts';
import { dncHash } from '../../appliance/compliance/number-hash.ts';
import { startTestBox } from '../support/appliance.ts';
import { readPcm8k, toneShare, toneWav } from '../peers/audio.ts';
import { freePort, startSippUas } from '../peers/sipp.ts';
import { deskPhone, sleep, staffUser, until } from './desk-phone.ts';

const OWN = '+33142000001';
// A Tuesday, 11:00 in Paris: inside the French legal calling hours (Code de la consommation art. D.223-9).
const TUESDAY_11H_PARIS = Date.parse('2026-12-08T10:00:00Z');
const started = Date.now();

interface AuditRow { actor: string; action: string; subject: string | null; details: string }

test.serial('a desk phone calls out: refused while off; on, a do-not-call number is refused with the reason and an allowed one goes out through the trunk with audio both ways; all audited', async (t) => {
  t.timeout(120_000);
  // The far end on the trunk: answers, sends back what it hears (-rtp_echo), hangs up after 4 s.
  const trunk = await startSippUas({ scenario: 'uas-bye-after.xml', calls: 1, timeoutSec: 90, args: ['-d', '4000', '-rtp_echo', '-mp', 'auto'] });
  t.teardown(() => { void trunk.stop(0); });
  const sipPort = await freePort();
  const box = await startTestBox({
    now: () => TUESDAY_11H_PARIS + (Date.now() - started),
    settings: (s) => {
      s.box.country = 'FR';
      s.sip.port = sipPort;
      s.trunks.push(trunkDefaults({ name: 'office', host: '127.0.0.1', port: trunk.port, allowedSources: ['127.0.0.1'], optionsIntervalSec: 0 }));
      s.defaultTrunk = 'office';
      // baresip signals from 127.0.0.3 but sends its RTP from 127.0.0.1: both are in the office's range here.
      s.staff.deskPhoneRanges = ['127.0.0.0/30'];
      s.callerIds = [{ number: OWN, label: 'Front desk', verified: true }];
      s.compliance.pack = 'fr';
    },
  });
  t.teardown(() => box.stop());
  await staffUser(t, box, 'alice');

  const dir = mkdtempSync(join(tmpdir(), 'vba-call-out-'));
  const desk = await deskPhone(t, box, 'alice', sipPort, { keypad: true, source: toneWav(join(dir, 'tone-700.wav'), 700, 30) });
  const audit = (action: string): AuditRow[] => box.app.db.prepare('SELECT actor, action, subject, details FROM audit_log WHERE action = ? ORDER BY seq').all(action) as AuditRow[];

  // 1. Off (the default): refused, with the reason as the phrase.
  await desk.dial(`sip:0612345678@127.0.0.1:${sipPort}`);
  await desk.waitForLog(/403 Forbidden \(staff calls out are off\)/, 15_000);
  t.true(await until(() => audit('staff.call-out-refused').length === 1, 5000));
  const off = audit('staff.call-out-refused')[0]!;
  t.like(off, { actor: 'staff:alice', subject: `number:${dncHash('+33612345678')}` });
  t.like(JSON.parse(off.details), { reason: 'outbound-off', door: 'phone', kind: 'desk-phone' });

  // 2. On, and the number on the do-not-call list: the campaigns' gate refuses it.
  t.is((await box.api.send('PUT', '/api/staff/settings', { staff: { outboundCalls: true } })).status, 200);
  t.is((await box.api.send('POST', '/api/compliance/dnc', { number: '06 99 00 00 01', reason: 'asked on the phone' })).status < 300, true);
  await desk.dial(`sip:0699000001@127.0.0.1:${sipPort}`);
  await desk.waitForLog(/403 Forbidden \(number on the do-not-call list\)/, 15_000);
  t.true(await until(() => audit('staff.call-out-refused').length === 2, 5000));
  const dnc = audit('staff.call-out-refused')[1]!;
  t.like(dnc, { actor: 'staff:alice', subject: `number:${dncHash('+33699000001')}` });
  t.like(JSON.parse(dnc.details), { reason: 'dnc-internal' });

  // 3. On, and an allowed number: out through the trunk, bridged to the desk phone.
  await desk.dial(`sip:0612345678@127.0.0.1:${sipPort}`);
  const r = await trunk.stop(30_000);
  t.is(r.exitCode, 0, r.errors);
  t.true(await until(() => desk.receivedRecordings().length >= 1, 5000), desk.log().slice(-2000));
  await sleep(1000); // baresip closes its file when the call ends
  const heard = toneShare(readPcm8k(desk.receivedRecordings().at(-1)!), 700);
  t.log(`the desk phone heard its 700 Hz tone back through the trunk in ${(heard * 100).toFixed(0)}% of its loud windows`);
  t.true(heard > 0.5, `heard: ${heard}`);
  const placed = audit('staff.call-out');
  t.is(placed.length, 1);
  t.like(placed[0], { actor: 'staff:alice', subject: `number:${dncHash('+33612345678')}` });
  t.like(JSON.parse(placed[0]!.details), { trunk: 'office', callerId: OWN, purpose: 'informational', door: 'phone' });
  const all = JSON.stringify(box.app.db.prepare("SELECT * FROM audit_log WHERE action LIKE 'staff.call-out%'").all());
  t.false(all.includes('612345678') || all.includes('699000001'), 'no number in clear in the audit log');
});

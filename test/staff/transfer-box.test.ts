// Must-shows 2 and 3 of issue 16, the domain's side, on a whole box: an admin makes a user take calls
// with a desk phone secret and puts them in a staff group (through the API's actions); baresip registers
// as that desk phone from the LAN range (the StaffDirectory the box gives its engine admits it); a callee
// on the trunk (sipp) is transferred to the group, the desk phone answers and the two are bridged; the
// attempt-side record says connected, who took it, the wait and the talk time. A transfer to an external
// number that is not the organisation's is refused at run time with an audit entry. (Needs the engine's
// side of the seam: staff registration, dialStaff, bridge.)
import test from 'ava';
import { trunkDefaults } from '../../core/trunk-defaults.ts';
import type { Call } from '../../core/call-port.ts';
import { startTestBox } from '../support/appliance.ts';
import { freePort, startSippUas } from '../peers/sipp.ts';
import { deskPhone, sleep, staffUser, until } from './desk-phone.ts';


test.serial('a callee on the trunk is transferred to a desk phone of the staff group; a non-own external number is refused at run time and audited', async (t) => {
  const callee = await startSippUas({ scenario: 'uas-answer.xml', calls: 1, timeoutSec: 60 });
  t.teardown(() => { void callee.stop(0); });
  const sipPort = await freePort();
  const box = await startTestBox({
    settings: (s) => {
      s.sip.port = sipPort;
      s.trunks.push(trunkDefaults({ name: 'office', host: '127.0.0.1', port: callee.port, allowedSources: ['127.0.0.1'], optionsIntervalSec: 0 }));
      s.defaultTrunk = 'office';
      s.staff.deskPhoneRanges = ['127.0.0.3/32'];
    },
  });
  t.teardown(() => box.stop());
  await staffUser(t, box, 'alice');
  const group = await box.api.send('PUT', '/api/staff/settings', { staff: { groups: [{ name: 'desk', members: ['alice'], strategy: 'ring-all' }] } });
  t.is(group.status, 200, group.text);

  // The desk phone registers from the LAN range with its secret (the box keeps only its HA1).
  const desk = await deskPhone(t, box, 'alice', sipPort);

  const call: Call = box.app.engine.dial({ to: '+33612345678', from: '+33142000001', trunk: 'office', ringTimeoutMs: 10_000 });
  await new Promise<void>((resolve) => { if (call.state === 'answered') resolve(); else call.once('answered', () => resolve()); });
  const transfer = box.app.transfers.transfer(call, {
    step: { id: 'agent', verb: 'transfer', to: 'desk', waitMs: 15_000, whisper: false, noAnswer: 'later' }, answers: { satisfaction: '4' },
  }, { actor: 'campaign:1', campaignId: 1, name: 'Ann Smith', number: '+33612345678', source: 'campaign test', callerId: '+33142000001', trunk: 'office' });
  // The desk phone answers on its own; they talk two seconds, then the callee's side ends.
  t.true(await until(() => /Call established|call answered|established/i.test(desk.log()), 15_000), 'the desk phone took the call');
  await sleep(2000);
  await call.hangup();
  const r = await transfer;
  t.is(r.outcome, 'connected');
  t.is(r.takenBy, 'alice');
  t.true(r.waitMs < 15_000, `waited ${r.waitMs} ms`);
  t.true(r.talkMs >= 1500, `talked ${r.talkMs} ms`);

  const refused = await box.app.transfers.transfer(call, { step: { id: 'out', verb: 'transfer', to: '+12025550123', waitMs: 10_000, noAnswer: 'later' }, answers: {} },
    { actor: 'campaign:1', campaignId: 1, name: null, number: '+33612345678', source: 'campaign test', callerId: '+33142000001', trunk: 'office' });
  t.is(refused.outcome, 'refused');
  const audit = box.app.db.prepare("SELECT actor, details FROM audit_log WHERE action = 'transfer.refused'").get() as { actor: string; details: string } | undefined;
  t.like(audit, { actor: 'campaign:1' });
  t.false(audit!.details.includes('2025550123'));
});

test.serial('a transfer to one of the organisation\'s own numbers goes out through the trunk and is connected', async (t) => {
  // The trunk (sipp) answers both the callee and the organisation's other office.
  const trunk = await startSippUas({ scenario: 'uas-answer.xml', calls: 2, timeoutSec: 60 });
  t.teardown(() => { void trunk.stop(0); });
  const box = await startTestBox({
    settings: (s) => {
      s.trunks.push(trunkDefaults({ name: 'office', host: '127.0.0.1', port: trunk.port, allowedSources: ['127.0.0.1'], optionsIntervalSec: 0 }));
      s.defaultTrunk = 'office';
    },
  });
  t.teardown(() => box.stop());
  const own = await box.api.send('PUT', '/api/staff/settings', { staff: { transferNumbers: ['+33142000099'] } });
  t.is(own.status, 200, own.text);
  const call: Call = box.app.engine.dial({ to: '+33612345678', from: '+33142000001', trunk: 'office', ringTimeoutMs: 10_000 });
  await new Promise<void>((resolve) => { if (call.state === 'answered') resolve(); else call.once('answered', () => resolve()); });
  const transfer = box.app.transfers.transfer(call, { step: { id: 'hq', verb: 'transfer', to: '+33142000099', waitMs: 10_000, whisper: false, noAnswer: 'later' }, answers: {} },
    { actor: 'campaign:1', campaignId: 1, name: null, number: '+33612345678', source: 'campaign test', callerId: '+33142000001', trunk: 'office' });
  await sleep(3000);
  await call.hangup();
  const r = await transfer;
  t.is(r.outcome, 'connected');
  t.regex(r.takenBy ?? '', /^external:/, 'taken by the number, kept only as its hash');
  t.false(JSON.stringify(r).includes('2000099'));
  t.is((box.app.db.prepare("SELECT COUNT(*) n FROM audit_log WHERE action = 'transfer.refused'").get() as { n: number }).n, 0, 'not refused');
});

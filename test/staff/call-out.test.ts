// Issue 16: the decision on a number a staff member dials through the box, over a real store and the real
// packs: off by default; then the same gate as a campaign call (pack chosen, verified caller ID, legal
// calling hours of the pack, the internal do-not-call list), and a number typed as dialled in France.
import test from 'ava';
import { defaultSettings } from '../../appliance/config/defaults.ts';
import { StaffCallOutService, type StaffCallPlan, type StaffCallRefusal } from '../../appliance/staff/call-out.ts';
import { dncHash } from '../../appliance/compliance/number-hash.ts';
import { DncRepo } from '../../appliance/store/compliance-dnc-repo.ts';
import type { Settings } from '../../core/settings-types.ts';
import { trunkDefaults } from '../../core/trunk-defaults.ts';
import { silentLogger } from '../../core/log.ts';
import { memoryStore } from '../compliance/fixtures.ts';

// Tuesday 8 December 2026, 11:00 and 21:00 in Paris (Code de la consommation art. D.223-9: weekdays 10-13 h and 14-20 h).
const IN_HOURS = Date.parse('2026-12-08T10:00:00Z');
const EVENING = Date.parse('2026-12-08T20:00:00Z');

function setup(change: (s: Settings) => void = () => undefined, at = IN_HOURS) {
  const s = defaultSettings();
  s.box.country = 'FR';
  s.users.push({ username: 'alice', passwordHash: 'x', role: 'operator', takeCalls: true });
  s.trunks.push(trunkDefaults({ name: 'office', host: '127.0.0.1', port: 5070 }));
  s.defaultTrunk = 'office';
  s.callerIds = [{ number: '+33142000001', label: 'Front desk', verified: true }];
  s.compliance.pack = 'fr';
  s.staff.outboundCalls = true;
  change(s);
  const db = memoryStore();
  let now = at;
  const svc = new StaffCallOutService({ engine: { on: () => undefined, off: () => undefined, dial: () => { throw new Error('no calls here'); } } as never, settings: () => s, db, logger: silentLogger(), now: () => now });
  return { svc, db, s, setNow: (n: number) => { now = n; } };
}

const refusal = (r: StaffCallPlan | StaffCallRefusal): StaffCallRefusal => {
  if (!('sip' in r)) throw new Error(`expected a refusal, got ${JSON.stringify(r)}`);
  return r;
};

test('off by default: refused 403 with the reason as the phrase', (t) => {
  const { svc } = setup((s) => { s.staff.outboundCalls = defaultSettings().staff.outboundCalls; });
  t.like(refusal(svc.decide('alice', '0612345678')), { sip: 403, phrase: 'Forbidden (staff calls out are off)', reason: 'outbound-off' });
});

test('on: a number typed as dialled in France goes out on the default trunk with the verified caller ID, in the legal hours', (t) => {
  const { svc } = setup();
  const plan = svc.decide('alice', '06 12 34 56 78');
  t.like(plan, { e164: '+33612345678', callerId: '+33142000001', trunk: 'office' });
  t.regex((plan as StaffCallPlan).packVersion, /fr/);
});

test('on: outside the pack\'s legal calling hours, refused (a person is waiting: no "try later")', (t) => {
  const { svc } = setup(() => undefined, EVENING);
  t.like(refusal(svc.decide('alice', '0612345678')), { sip: 403, reason: 'outside-legal-window', phrase: 'Forbidden (outside the legal calling hours)' });
});

test('on: a number on the internal do-not-call list is refused with that reason', (t) => {
  const { svc, db } = setup();
  new DncRepo(db).add({ numberHash: dncHash('+33699000001'), source: 'staff', reason: 'asked on the phone', actor: 'staff:admin', now: IN_HOURS });
  t.like(refusal(svc.decide('alice', '0699000001')), { sip: 403, reason: 'dnc-internal', phrase: 'Forbidden (number on the do-not-call list)' });
});

test('on: no pack chosen, no verified caller ID, no real trunk, a user who does not take calls, not a number: each refused', (t) => {
  t.like(refusal(setup((s) => { s.compliance.pack = null; }).svc.decide('alice', '0612345678')), { reason: 'no-compliance-pack' });
  t.like(refusal(setup((s) => { s.callerIds[0]!.verified = false; }).svc.decide('alice', '0612345678')), { reason: 'no-caller-id' });
  t.like(refusal(setup((s) => { s.trunks = []; s.defaultTrunk = null; }).svc.decide('alice', '0612345678')), { reason: 'no-trunk' });
  t.like(refusal(setup((s) => { s.users[0]!.takeCalls = false; }).svc.decide('alice', '0612345678')), { reason: 'not-a-staff-user' });
  t.like(refusal(setup().svc.decide('alice', '12')), { sip: 484, reason: 'not-a-number' });
});

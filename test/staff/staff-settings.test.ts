// Staff settings (issue 16): defaults keep staff calls out and listen-in off; checks name the key at
// fault; the StaffDirectory the engine asks answers HA1 only for a user who takes calls, in the realm it
// was set in; the actions keep the desk phone's secret only as its HA1 and audit no secret.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../core/log.ts';
import { AppError } from '../../core/errors.ts';
import type { Settings } from '../../core/settings-types.ts';
import { defaultSettings } from '../../appliance/config/defaults.ts';
import { checkSettings, SettingsStore } from '../../appliance/config/settings.ts';
import { SettingsStaffDirectory } from '../../appliance/staff/directory.ts';
import { digestHa1 } from '../../appliance/staff/ha1.ts';
import { inRanges } from '../../appliance/staff/ranges.ts';
import { ActionRunner } from '../../appliance/actions/run.ts';
import { ACTIONS } from '../../appliance/actions/registry.ts';
import { openStore } from '../../appliance/store/db.ts';
import { listAudit } from '../../appliance/store/compliance-audit-repo.ts';
import { redactSettings } from '../../appliance/http/settings-doc.ts';

function withStaff(): Settings {
  const s = defaultSettings();
  s.users = [
    { username: 'ann', passwordHash: '$argon2id$x', role: 'admin', takeCalls: true, deskPhone: { realm: 'voice-broadcast-box', ha1: digestHa1('ann', 'voice-broadcast-box', 'a long desk secret') } },
    { username: 'bob', passwordHash: '$argon2id$x', role: 'viewer', deskPhone: { realm: 'voice-broadcast-box', ha1: digestHa1('bob', 'voice-broadcast-box', 'another secret!') } },
  ];
  return s;
}

test('by default staff endpoints may not call out, nobody listens in, no desk phone range and no external transfer number', (t) => {
  const s = defaultSettings();
  t.like(s.staff, { outboundCalls: false, listenIn: false, deskPhoneRanges: [], transferNumbers: [], groups: [] });
  t.deepEqual(checkSettings(s), []);
});

test('settings checks name the key at fault: unknown member, a member who does not take calls, a bad range, clashing keys, an unknown inbound group', (t) => {
  const s = withStaff();
  s.staff.groups = [{ name: 'desk', members: ['ann', 'bob', 'zoe'], strategy: 'ring-all' }];
  s.staff.deskPhoneRanges = ['192.168.1.0/24', 'the office', '10.0.0.0/33'];
  s.inbound.staffKey = '9';
  s.inbound.staffGroup = 'sales';
  const keys = checkSettings(s).map((e) => e.key);
  t.deepEqual(keys.sort(), ['inbound.staffGroup', 'inbound.staffKey', 'staff.deskPhoneRanges.1', 'staff.deskPhoneRanges.2', 'staff.groups.0.members.1', 'staff.groups.0.members.2'].sort());
  const bad = defaultSettings() as unknown as { staff: { transferNumbers: string[] } };
  bad.staff.transferNumbers = ['0142000100'];
  t.true(checkSettings(bad).some((e) => e.key === 'staff.transferNumbers.0'));
});

test('the StaffDirectory gives HA1 only for a user who takes calls, in the realm it was set in; ranges as set', (t) => {
  const s = withStaff();
  s.staff.deskPhoneRanges = ['192.168.1.0/24'];
  const d = new SettingsStaffDirectory(() => s);
  t.is(d.deskPhoneHa1('ann', 'voice-broadcast-box'), digestHa1('ann', 'voice-broadcast-box', 'a long desk secret'));
  t.is(d.deskPhoneHa1('ann', 'other-realm'), null);
  t.is(d.deskPhoneHa1('bob', 'voice-broadcast-box'), null, 'bob does not take calls');
  t.is(d.deskPhoneHa1('zoe', 'voice-broadcast-box'), null);
  t.deepEqual(d.deskPhoneRanges(), ['192.168.1.0/24']);
  t.true(d.mayTakeCalls('ann'));
  t.false(d.mayTakeCalls('bob'));
  // A change holds at once: the engine asks on every REGISTER.
  s.users[0]!.takeCalls = false;
  t.is(d.deskPhoneHa1('ann', 'voice-broadcast-box'), null);
  t.true(inRanges('192.168.1.40', s.staff.deskPhoneRanges));
  t.false(inRanges('192.168.2.40', s.staff.deskPhoneRanges));
});

test('a desk phone\'s HA1 is redacted when the settings are shown', (t) => {
  const shown = JSON.stringify(redactSettings(withStaff()));
  t.false(shown.includes(digestHa1('ann', 'voice-broadcast-box', 'a long desk secret')));
});

test('user.staff keeps the desk phone secret only as its HA1 and audits no secret; staff.settings is audited by what changed, refusals name the key', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'staff-actions-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = openStore({ dir });
  t.teardown(() => db.close());
  const store = new SettingsStore(SettingsStore.pathIn(dir));
  await store.load();
  await store.update((d) => { d.users = [{ username: 'ann', passwordHash: '$argon2id$v=19$x', role: 'admin' }]; });
  const runner = new ActionRunner({ db, now: Date.now, logger: silentLogger(), country: () => 'FR', settings: { stored: () => store.stored(), update: (c) => store.update(c) } }, ACTIONS);
  const admin = { door: 'http' as const, user: 'ann', role: 'admin' as const };
  const r = await runner.run<{ takeCalls: boolean; deskPhone: boolean }>(admin, 'user.staff', { username: 'ann', takeCalls: true, deskPhonePassword: 'a long desk secret' });
  t.like(r, { takeCalls: true, deskPhone: true });
  const file = readFileSync(store.file, 'utf8');
  t.false(file.includes('a long desk secret'));
  t.true(file.includes(digestHa1('ann', 'voice-broadcast-box', 'a long desk secret')));
  await runner.run(admin, 'staff.settings', { staff: { groups: [{ name: 'desk', members: ['ann'], strategy: 'longest-idle' }], listenIn: true }, inbound: { staffGroup: 'desk' } });
  t.like(store.get().staff, { listenIn: true, outboundCalls: false });
  const e = await t.throwsAsync(runner.run(admin, 'staff.settings', { staff: { deskPhoneRanges: ['the office'] } }), { instanceOf: AppError });
  t.is(e.fields?.[0]?.key, 'staff.deskPhoneRanges.0');
  // A user who stops taking calls leaves the groups (the settings stay valid).
  await t.throwsAsync(runner.run(admin, 'user.staff', { username: 'ann', deskPhonePassword: 'short' }));
  const off = await runner.run<{ leftGroups: string[] }>(admin, 'user.staff', { username: 'ann', takeCalls: false });
  t.deepEqual(off.leftGroups, ['desk']);
  const audit = listAudit(db);
  t.false(JSON.stringify(audit).includes('a long desk secret'));
  t.like(audit.find((a) => a.action === 'user.staff')!.details, { takeCalls: true, deskPhone: true, deskPhoneSecretChanged: true });
  const changed = audit.find((a) => a.action === 'staff.settings')!.details as { changed: string[]; listenIn: boolean };
  t.true(changed.listenIn);
  t.true(changed.changed.some((k) => k.startsWith('staff.groups')));
  t.truthy(audit.find((a) => a.action === 'staff.settings-refused'));
});

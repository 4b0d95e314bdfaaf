// CampaignService.remove on a real SQLite store: what may go (nothing on record) and what must stay
// (running or paused, attempts, compliance blocks), and the deletion undone when its audit entry fails.
import test from 'ava';
import { CampaignService } from '../../appliance/campaigns/service.ts';
import { defaultSettings } from '../../appliance/config/defaults.ts';
import { trunkDefaults } from '../../core/trunk-defaults.ts';
import { isAppError } from '../../core/errors.ts';
import { addList, memoryStore } from '../compliance/fixtures.ts';

function setup() {
  const db = memoryStore();
  const { listId } = addList(db, 'l', [1, 2].map((i) => ({ e164: `+3361234567${i}`, lineType: 'mobile', zones: ['Europe/Paris'], tzSource: 'country' })));
  const settings = defaultSettings();
  settings.trunks = [trunkDefaults({ name: 't', host: '127.0.0.1', channels: 2 })];
  const service = new CampaignService({ db, settings: () => settings, recordingExists: () => true, now: () => 1000 });
  const create = (name: string) => service.create({ name, listId, config: { message: 'm', callerId: '+33123456789', trunks: ['t'] } }).id;
  const count = (table: string, id: number) => db.prepare(`SELECT COUNT(*) FROM ${table} WHERE ${table === 'campaigns' ? 'id' : 'campaign_id'} = ?`).pluck().get(id) as number;
  return { db, service, create, count };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isAppError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

test('a campaign started and stopped before any call goes with its contacts snapshot', (t) => {
  const { service, create, count } = setup();
  const id = create('c');
  service.start(id);
  service.stop(id);
  t.is(count('campaign_contacts', id), 2);
  t.is(service.remove(id).name, 'c');
  t.is(count('campaigns', id), 0);
  t.is(count('campaign_contacts', id), 0);
  t.regex(codeOf(() => service.remove(id)), /^E_NOT_FOUND/);
});

test('running or paused, with an attempt, or with a contact blocked by compliance: refused and kept', (t) => {
  const { db, service, create, count } = setup();
  const running = create('running');
  service.start(running);
  t.regex(codeOf(() => service.remove(running)), /^E_CAMPAIGN_IN_USE: campaign "running" is running; stop it before deleting it/);
  service.pause(running);
  t.regex(codeOf(() => service.remove(running)), /is paused; stop it/);

  const called = create('called');
  service.start(called);
  const [due] = service.repo.due(called, 2000, 1);
  service.repo.beginAttempt({ campaignId: called, contactId: due!.contactId, e164: due!.e164, trunk: 't', callerId: '+33123456789', now: 2000 });
  service.stop(called);
  t.regex(codeOf(() => service.remove(called)), /E_CAMPAIGN_IN_USE: .* 1 call attempt on record/);

  const blocked = create('blocked');
  service.start(blocked);
  for (const c of service.repo.due(blocked, 2000, 10)) service.repo.block(blocked, c.contactId, 'dnc', 2000, () => undefined);
  db.prepare("UPDATE campaigns SET status = 'completed' WHERE id = ?").run(blocked);
  t.regex(codeOf(() => service.remove(blocked)), /2 contacts blocked by compliance on record/);
  for (const id of [running, called, blocked]) t.is(count('campaigns', id), 1);
});

test('a draft whose audit entry cannot be written is not deleted', (t) => {
  const { service, create, count } = setup();
  const id = create('draft');
  t.throws(() => service.remove(id, () => { throw new Error('disk full'); }), { message: 'disk full' });
  t.is(count('campaigns', id), 1);
  let seen = '';
  service.remove(id, (c) => { seen = c.status; });
  t.is(seen, 'draft');
  t.is(count('campaigns', id), 0);
});

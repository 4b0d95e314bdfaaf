import test from 'ava';
import { openStore } from '../../appliance/store/db.ts';
import { CampaignsRepo } from '../../appliance/store/campaigns-repo.ts';
import { parseCampaignConfig } from '../../appliance/campaigns/model.ts';
import { campaignTimeline } from '../../appliance/campaigns/report-timeline.ts';

function setup() {
  const db = openStore({ dir: ':memory:' });
  db.prepare("INSERT INTO lists (id, name, status, country, created_at) VALUES (1, 'l', 'ready', 'FR', '2026-01-01')").run();
  const c = new CampaignsRepo(db).create('c', 1, parseCampaignConfig({ message: 'm', callerId: '+33123456789', trunks: ['t'] }));
  const add = (endedAt: number | null, outcome: string, state = 'final') => db.prepare(
    "INSERT INTO attempts (campaign_id, contact_id, e164, state, intent_at, ended_at, outcome) VALUES (?, 1, '+33612345678', ?, 0, ?, ?)").run(c.id, state, endedAt, outcome);
  return { db, id: c.id, add };
}

test('finished attempts are counted per bucket and outcome, with empty buckets kept', (t) => {
  const { db, id, add } = setup();
  add(100_000, 'human');
  add(100_500, 'busy');
  add(104_000, 'human');
  add(130_000, 'no-answer');
  add(null, 'human', 'intent');
  const tl = campaignTimeline(db, id, 10);
  // 30 s of span in at most 10 buckets: 5 s buckets from 100 000.
  t.is(tl.bucketMs, 5_000);
  t.deepEqual(tl.buckets, [100_000, 105_000, 110_000, 115_000, 120_000, 125_000, 130_000]);
  t.deepEqual(tl.series.human, [2, 0, 0, 0, 0, 0, 0]);
  t.deepEqual(tl.series.busy, [1, 0, 0, 0, 0, 0, 0]);
  t.deepEqual(tl.series['no-answer'], [0, 0, 0, 0, 0, 0, 1]);
});

test('a campaign without finished attempts has an empty timeline', (t) => {
  const { db, id } = setup();
  t.deepEqual(campaignTimeline(db, id), { campaignId: id, bucketMs: 1_000, buckets: [], series: {} });
});

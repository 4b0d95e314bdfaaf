import test from 'ava';
import { openStore } from '../../appliance/store/db.ts';
import { draftEstimate } from '../../appliance/campaigns/draft-estimate.ts';

const trunks = [{ name: 'a', enabled: true, channels: 4 }, { name: 'b', enabled: true, channels: 8 }, { name: 'off', enabled: false, channels: 30 }];

test('a draft takes contacts x mean call / channels, 30 s a call when the box has no history', (t) => {
  const db = openStore({ dir: ':memory:' });
  // 100 contacts on 4 channels (trunk a), 30 s each: 750 s; the cps cap (100 / 2 = 50 s) is not the limit.
  t.deepEqual(draftEstimate(db, { maxConcurrent: 10, cps: 2, trunks: ['a', 'off'] }, trunks, 100), { contacts: 100, etaMs: 750_000, channels: 4, meanCallMs: 30_000, measured: false });
  // maxConcurrent caps the channels of a and b (12) at 10.
  t.is(draftEstimate(db, { maxConcurrent: 10, cps: 2, trunks: ['a', 'b'] }, trunks, 100).etaMs, 300_000);
  // A slow cps is the limit: 100 calls at 0.1 per second.
  t.is(draftEstimate(db, { maxConcurrent: 10, cps: 0.1, trunks: ['a', 'b'] }, trunks, 100).etaMs, 1_000_000);
  t.is(draftEstimate(db, { maxConcurrent: 10, cps: 2, trunks: ['a'] }, trunks, 0).etaMs, 0);
});

test('the mean call comes from the box’s recent calls when there are some', (t) => {
  const db = openStore({ dir: ':memory:' });
  const ins = db.prepare("INSERT INTO attempts (campaign_id, contact_id, e164, state, intent_at, ended_at) VALUES (1, 1, '+33612345678', ?, ?, ?)");
  ins.run('final', 0, 10_000);
  ins.run('final', 0, 20_000);
  ins.run('intent', 0, null);
  const e = draftEstimate(db, { maxConcurrent: 10, cps: 5, trunks: ['b'] }, trunks, 16);
  t.is(e.meanCallMs, 15_000);
  t.true(e.measured);
  t.is(e.etaMs, 30_000);
});

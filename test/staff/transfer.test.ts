// The transfer's logic (issue 16) against a test double of the call port: who is rung and in what order,
// the whisper before the bridge, the bounded wait with music and the fallback right after it, the
// opt-out key while waiting, and an external number refused at run time with an audit entry unless it
// is one of the organisation's own numbers. The same behaviour with real peers: transfer-box.test.ts.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../core/log.ts';
import type { PromptRef } from '../../core/call-port.ts';
import type { Settings } from '../../core/settings-types.ts';
import { defaultSettings } from '../../appliance/config/defaults.ts';
import { openStore, type Db } from '../../appliance/store/db.ts';
import { listAudit } from '../../appliance/store/compliance-audit-repo.ts';
import type { TransferStep } from '../../appliance/flows/model.ts';
import { ringWaves, TransferService, type TransferContext } from '../../appliance/staff/transfer.ts';
import { whisperText } from '../../appliance/staff/whisper.ts';
import { endpoint, FakeLeg, FakeStaffEngine } from './fake-legs.ts';

const prompt = (id: string): PromptRef => ({ id, pcmu: `/x/${id}.pcmu`, pcma: `/x/${id}.pcma` });
const CTX: TransferContext = { actor: 'campaign:7', campaignId: 7, name: 'Ann Smith', number: '+33612345678', source: 'campaign Spring survey', callerId: '+33142000001', trunk: 'office', tag: 'a1' };

function settings(): Settings {
  const s = defaultSettings();
  s.users = ['ann', 'bob', 'cid', 'dan'].map((u) => ({ username: u, passwordHash: '$argon2id$x', role: 'operator' as const, takeCalls: u !== 'dan' }));
  s.staff.groups = [{ name: 'desk', members: ['ann', 'bob', 'cid', 'dan'], strategy: 'ring-all' }];
  s.staff.transferNumbers = ['+33142000100'];
  return s;
}

function setup(t: { teardown(f: () => void): void }): { engine: FakeStaffEngine; service: TransferService; db: Db; s: Settings; spoken: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'transfer-'));
  const db = openStore({ dir });
  t.teardown(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });
  const engine = new FakeStaffEngine();
  const s = settings();
  const spoken: string[] = [];
  const service = new TransferService({
    engine, settings: () => s, db, logger: silentLogger(), now: Date.now, holdMusic: () => prompt('hold-music'),
    speak: async (text) => { spoken.push(text); return prompt('whisper'); },
  });
  return { engine, service, db, s, spoken };
}

const step = (o: Partial<TransferStep> = {}): TransferStep => ({ id: 'agent', verb: 'transfer', to: 'desk', waitMs: 5000, noAnswer: 'later', ...o });

test.serial('ring-all: every available member rings (not the busy one, not one who does not take calls); the first to answer hears the whisper, then is bridged', async (t) => {
  const { engine, service, spoken } = setup(t);
  engine.endpoints = [endpoint('ann', 1000), endpoint('bob', 2000), endpoint('cid', 500, true), endpoint('dan', 100)];
  // Bob answers after 300 ms; the conversation lasts 400 ms after the bridge, then he hangs up.
  engine.onStaffDial = (user, leg) => {
    if (user !== 'bob') return;
    setTimeout(() => leg.answer(), 300);
    leg.onBridged = () => setTimeout(() => leg.end('remote'), 400);
  };
  const callee = new FakeLeg('callee', true);
  const r = await service.transfer(callee, { step: step(), answers: { satisfaction: '4' } }, CTX);
  t.deepEqual(engine.staffDials.map((d) => d.req.user).sort(), ['ann', 'bob']);
  t.is(r.outcome, 'connected');
  t.is(r.takenBy, 'bob');
  // Bob's answer (300 ms) ended the wait, not its 5 s deadline; timers only run late, never early.
  t.true(r.waitMs >= 250 && r.waitMs < 5000, `waited ${r.waitMs} ms`);
  t.true(r.talkMs >= 350, `talked ${r.talkMs} ms`);
  const bob = engine.staffDials.find((d) => d.req.user === 'bob')!.leg;
  const ann = engine.staffDials.find((d) => d.req.user === 'ann')!.leg;
  t.is(ann.state, 'ended', 'the other member stops ringing');
  t.deepEqual(bob.played.map((p) => p.id), ['whisper']);
  t.is(callee.bridgedWith, bob);
  t.regex(spoken[0]!, /Call from Ann Smith, campaign Spring survey\. Answers so far: satisfaction: 4\./);
  t.true(callee.played.every((p) => p.id === 'hold-music'), 'the callee heard the music while it rang');
  // The staff display and the contact card never carry the whole number.
  const dial = engine.staffDials[0]!.req;
  t.is(dial.display, 'Ann Smith (…5678)');
  t.false(decodeURIComponent(dial.headers!['X-Contact-Card']!).includes('612345678'));
});

test.serial('nobody answers: the wait ends on time, the ringing and the music stop at once, the outcome is no-answer', async (t) => {
  const { engine, service } = setup(t);
  engine.endpoints = [endpoint('ann', 1000), endpoint('bob', 2000)];
  const callee = new FakeLeg('callee', true, 2000);
  const started = Date.now();
  const r = await service.transfer(callee, { step: step({ waitMs: 800 }), answers: {}, optOutKey: '9' }, CTX);
  const over = Date.now() - started;
  t.is(r.outcome, 'no-answer');
  t.is(r.takenBy, null);
  // On time, by order rather than by wall time: not before the 800 ms wait, and before the 2 s music
  // (timers of one loop fire in deadline order, however late a loaded machine runs them).
  t.true(over >= 790, `the transfer was over after ${over} ms`);
  t.true(engine.staffDials.every((d) => d.leg.state === 'ended'));
  const music = callee.played.at(-1)!;
  t.false(music.completed!, 'the music was cut, not played to its end');
  t.true(music.endedAt! <= started + over, 'the music stopped before the transfer was over');
});

test.serial('no member available: no-staff at once, nobody rung, no music', async (t) => {
  const { engine, service } = setup(t);
  engine.endpoints = [endpoint('ann', 1000, true)];
  const callee = new FakeLeg('callee', true);
  const r = await service.transfer(callee, { step: step(), answers: {} }, CTX);
  t.is(r.outcome, 'no-staff');
  t.is(engine.staffDials.length, 0);
  t.is(callee.played.length, 0);
});

test.serial('longest-idle: members are rung one at a time, the one idle longest first', (t) => {
  const idle: Record<string, number> = { ann: 3000, bob: 1000, cid: 2000 };
  t.deepEqual(ringWaves(['ann', 'bob', 'cid'], 'longest-idle', (u) => idle[u]!), [['bob'], ['cid'], ['ann']]);
  t.deepEqual(ringWaves(['ann', 'bob'], 'ring-all', () => 0), [['ann', 'bob']]);
  t.deepEqual(ringWaves([], 'ring-all', () => 0), []);
});

test.serial('longest-idle: after a call, its taker goes to the end of the line', async (t) => {
  const { engine, service, s } = setup(t);
  s.staff.groups[0]!.strategy = 'longest-idle';
  engine.endpoints = [endpoint('ann', 1000), endpoint('bob', 2000)];
  engine.onStaffDial = (_user, leg) => setTimeout(() => { leg.answer(); setTimeout(() => leg.end('remote'), 300); }, 50);
  const first = await service.transfer(new FakeLeg('c1', true), { step: step({ whisper: false }), answers: {} }, CTX);
  t.is(first.takenBy, 'ann', 'ann registered first: idle longest');
  const second = await service.transfer(new FakeLeg('c2', true), { step: step({ whisper: false }), answers: {} }, CTX);
  t.is(second.takenBy, 'bob', 'ann just had a call');
});

test.serial('the opt-out key while waiting ends the transfer as opted-out', async (t) => {
  const { engine, service } = setup(t);
  engine.endpoints = [endpoint('ann', 1000)];
  const callee = new FakeLeg('callee', true);
  callee.pressDuringPlay = '9';
  const r = await service.transfer(callee, { step: step(), answers: {}, optOutKey: '9' }, CTX);
  t.is(r.outcome, 'opted-out');
  t.is(engine.staffDials[0]!.leg.state, 'ended');
});

test.serial('the callee hanging up while it rings: caller-hung-up, the staff legs stop', async (t) => {
  const { engine, service } = setup(t);
  engine.endpoints = [endpoint('ann', 1000)];
  const callee = new FakeLeg('callee', true);
  setTimeout(() => callee.end('remote'), 300);
  const r = await service.transfer(callee, { step: step(), answers: {} }, CTX);
  t.is(r.outcome, 'caller-hung-up');
  t.is(engine.staffDials[0]!.leg.state, 'ended');
});

test.serial('an external number not on the organisation\'s list is refused at run time, with an audit entry, and nothing is dialled (Rising Eagle)', async (t) => {
  const { engine, service, db } = setup(t);
  const callee = new FakeLeg('callee', true);
  const r = await service.transfer(callee, { step: step({ to: '+12025550123' }), answers: {} }, CTX);
  t.is(r.outcome, 'refused');
  t.is(engine.dials.length, 0);
  const entry = listAudit(db).find((e) => e.action === 'transfer.refused');
  t.truthy(entry);
  t.is(entry!.actor, 'campaign:7');
  t.like(entry!.details, { reason: 'not-an-own-number', step: 'agent', campaignId: 7 });
  t.false(JSON.stringify(entry).includes('2025550123'), 'the number is hashed in the audit log');
});

test.serial('one of the organisation\'s own numbers goes out through the campaign\'s trunk with its caller ID', async (t) => {
  const { engine, service } = setup(t);
  const callee = new FakeLeg('callee', true);
  const r = await (async () => {
    const p = service.transfer(callee, { step: step({ to: '+33142000100', whisper: false }), answers: {} }, CTX);
    engine.dials[0]!.leg.onBridged = () => setTimeout(() => engine.dials[0]!.leg.end('remote'), 200);
    return p;
  })();
  t.like(engine.dials[0]!.req, { to: '+33142000100', from: '+33142000001', trunk: 'office' });
  t.is(r.outcome, 'connected');
  t.regex(r.takenBy!, /^external:[0-9a-f]{12}$/);
});

test.serial('the whisper names a contact without a name by the last digits of the number only', (t) => {
  const text = whisperText({ name: null, number: '+33612345678', source: 'a call back' }, { comment: 'recording:3200ms' });
  t.is(text, 'Call from the number ending 5 6 7 8, a call back. Answers so far: comment: a spoken answer. Connecting now.');
});

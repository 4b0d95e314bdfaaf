// The inbound flow's logic (issue 16) against a test double of an incoming call and a real SQLite store:
// who hears what, the do-not-call key recorded like an outbound opt-out (suppression and outbox event in
// one transaction), the staff key only during opening hours, calls to other numbers refused. The same
// with sipp as the trunk: inbound-box.test.ts.
import test from 'ava';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../core/log.ts';
import type { CallEngineEvents, IncomingCall, PromptRef } from '../../core/call-port.ts';
import type { Settings } from '../../core/settings-types.ts';
import { defaultSettings } from '../../appliance/config/defaults.ts';
import { openStore, type Db } from '../../appliance/store/db.ts';
import { dncHash } from '../../appliance/compliance/number-hash.ts';
import { InboundService } from '../../appliance/inbound/inbound-service.ts';
import { INBOUND_TEXTS } from '../../appliance/inbound/inbound-flow.ts';
import { isOpen } from '../../appliance/inbound/opening-hours.ts';
import type { TransferRecord, TransferRequest } from '../../appliance/flows/session.ts';
import { FakeLeg } from '../staff/fake-legs.ts';

const CALLER = '+33612345678';
const OWN = '+33142000001';
const DAY = 24 * 3600 * 1000;
// Thursday 3 December 2026, 10:00 in Paris.
const NOW = Date.parse('2026-12-03T09:00:00Z');

class FakeIncoming extends FakeLeg implements IncomingCall {
  rejected: number | null = null;
  answered = false;
  constructor(readonly from: string, readonly to: string, private readonly keys: string[], readonly trunk = 'office') {
    super('incoming', false, 50);
  }
  override async answer(): Promise<void> {
    this.answered = true;
    this.state = 'answered';
  }
  async reject(code: number): Promise<void> {
    this.rejected = code;
    this.end('local');
  }
  override collect(): Promise<string> {
    return Promise.resolve(this.keys.shift() ?? '');
  }
}

interface Box { db: Db; s: Settings; service: InboundService; transfers: TransferRequest[]; engine: EventEmitter<CallEngineEvents> }

function box(t: { teardown(f: () => void): void }, o: { transfer?: TransferRecord } = {}): Box {
  const dir = mkdtempSync(join(tmpdir(), 'inbound-'));
  const db = openStore({ dir });
  t.teardown(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });
  const s = defaultSettings();
  s.callerIds = [{ number: OWN, label: 'Front desk', verified: true }];
  s.users = [{ username: 'ann', passwordHash: '$argon2id$x', role: 'operator', takeCalls: true }];
  s.staff.groups = [{ name: 'desk', members: ['ann'], strategy: 'ring-all' }];
  s.inbound.staffGroup = 'desk';
  s.inbound.openingHours = [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '17:00' }];
  const transfers: TransferRequest[] = [];
  const engine = new EventEmitter<CallEngineEvents>();
  const prompt = (id: string): PromptRef => ({ id, pcmu: `/x/${id}`, pcma: `/x/${id}` });
  const service = new InboundService({
    engine, db, logger: silentLogger(), settings: () => s, now: () => NOW,
    speak: async (text) => prompt(`tts:${text}`),
    campaignMessage: async (recent) => prompt(`message-of-campaign-${recent.campaignId}`),
    transfer: { transfer: async (_callee, req) => { transfers.push(req); return o.transfer ?? { outcome: 'no-answer', waitMs: 30_000, talkMs: 0, takenBy: null }; } },
  });
  return { db, s, service, transfers, engine };
}

/** Campaign 1 called CALLER `daysAgo` days ago. */
function calledBefore(db: Db, daysAgo: number): void {
  db.prepare("INSERT INTO campaigns (id, name, list_id, status, config, created_at) VALUES (1, 'Flu shots', 1, 'completed', '{}', '2026-11-01')").run();
  db.prepare("INSERT INTO campaign_contacts (campaign_id, contact_id, e164, timezones, fields, state) VALUES (1, 5, ?, '[\"Europe/Paris\"]', '{\"name\":\"Ann Smith\"}', 'done')").run(CALLER);
  db.prepare("INSERT INTO attempts (campaign_id, contact_id, e164, state, intent_at, outcome) VALUES (1, 5, ?, 'final', ?, 'no-answer')").run(CALLER, NOW - daysAgo * DAY);
}

test('a number called yesterday hears the greeting, then that campaign\'s message again; the do-not-call key suppresses it with its outbox event', async (t) => {
  const { db, service } = box(t);
  calledBefore(db, 1);
  const call = new FakeIncoming(CALLER, OWN, ['9']);
  const r = await service.handle(call);
  t.true(call.answered);
  t.deepEqual(call.played.map((p) => p.id), [
    'tts:You are calling us back. Thank you.', `tts:${INBOUND_TEXTS.missed}`, 'message-of-campaign-1',
    `tts:${INBOUND_TEXTS.optOut('9')} ${INBOUND_TEXTS.staff('0')}`, `tts:${INBOUND_TEXTS.optOutAck}`,
  ]);
  t.like(r, { outcome: 'opted-out', campaignId: 1 });
  const suppressed = db.prepare('SELECT source, campaign_id FROM suppressions WHERE number_hash = ?').get(dncHash(CALLER)) as { source: string; campaign_id: number } | undefined;
  t.like(suppressed, { source: 'keypress', campaign_id: 1 });
  const event = db.prepare("SELECT payload FROM outbox WHERE type = 'optout'").get() as { payload: string } | undefined;
  t.truthy(event);
  t.like(JSON.parse(event!.payload), { numberHash: dncHash(CALLER), channel: 'keypress', digit: '9', campaignId: 1 });
  t.false(event!.payload.includes('612345678'), 'the event carries the hash only');
  const row = db.prepare('SELECT outcome, number_hash, campaign_id, path FROM inbound_calls').get() as { outcome: string; number_hash: string; campaign_id: number; path: string };
  t.like(row, { outcome: 'opted-out', number_hash: dncHash(CALLER), campaign_id: 1 });
  t.deepEqual(JSON.parse(row.path), ['greeting', 'missed', 'message', 'menu']);
});

test('a number called longer ago than the setting\'s days hears no campaign message', async (t) => {
  const { db, s, service } = box(t);
  s.inbound.recentDays = 7;
  calledBefore(db, 8);
  const call = new FakeIncoming(CALLER, OWN, ['']);
  const r = await service.handle(call);
  t.like(r, { outcome: 'heard-greeting', campaignId: null });
  t.false(call.played.some((p) => p.id.startsWith('message-of')));
  t.is(db.prepare('SELECT COUNT(*) FROM suppressions').pluck().get(), 0);
});

test('during opening hours the staff key transfers to the staff group; the transfer is kept with the call', async (t) => {
  const { db, service, transfers } = box(t, { transfer: { outcome: 'connected', waitMs: 4200, talkMs: 65_000, takenBy: 'ann' } });
  const call = new FakeIncoming(CALLER, OWN, ['0']);
  const r = await service.handle(call);
  t.is(transfers.length, 1);
  t.like(transfers[0]!.step, { verb: 'transfer', to: 'desk', noAnswer: 'nobody' });
  t.like(r, { outcome: 'transfer-connected', transfer: { takenBy: 'ann' } });
  t.like(db.prepare('SELECT transfer_outcome, transfer_wait_ms, transfer_talk_ms, transfer_taken_by FROM inbound_calls').get(), { transfer_outcome: 'connected', transfer_wait_ms: 4200, transfer_talk_ms: 65_000, transfer_taken_by: 'ann' });
});

test('nobody answering the transfer: the caller hears that nobody is available (the fallback), not silence', async (t) => {
  const { service } = box(t);
  const call = new FakeIncoming(CALLER, OWN, ['0']);
  const r = await service.handle(call);
  t.is(call.played.at(-1)!.id, `tts:${INBOUND_TEXTS.nobody}`);
  t.is(r!.outcome, 'transfer-no-answer');
});

test('outside opening hours no person is offered, and the staff key does nothing', async (t) => {
  const { s, service, transfers } = box(t);
  s.inbound.openingHours = [{ days: [6], from: '10:00', to: '12:00' }];
  const call = new FakeIncoming(CALLER, OWN, ['0', '']);
  await service.handle(call);
  t.is(transfers.length, 0);
  t.true(call.played.some((p) => p.id === `tts:${INBOUND_TEXTS.optOut('9')}`));
});

test('a call to a number that is not the box\'s is refused (404) and leaves nothing; inbound off refuses with 480', async (t) => {
  const { db, s, service } = box(t);
  const other = new FakeIncoming(CALLER, '+33142999999', []);
  t.is(await service.handle(other), null);
  t.is(other.rejected, 404);
  s.inbound.enabled = false;
  const off = new FakeIncoming(CALLER, OWN, []);
  await service.handle(off);
  t.is(off.rejected, 480);
  t.is(db.prepare('SELECT COUNT(*) FROM inbound_calls').pluck().get(), 0);
});

test('an anonymous caller is not offered the do-not-call key (there is no number to suppress)', async (t) => {
  const { db, service } = box(t);
  const call = new FakeIncoming('anonymous', OWN, ['9', '']);
  await service.handle(call);
  t.false(call.played.some((p) => p.id.includes('do not want us to call')));
  t.is(db.prepare('SELECT COUNT(*) FROM suppressions').pluck().get(), 0);
});

test('the service answers the engine\'s incoming event once started, and no longer once stopped', async (t) => {
  const { engine, service } = box(t);
  service.start();
  t.is(engine.listenerCount('incoming'), 1);
  await service.stop();
  t.is(engine.listenerCount('incoming'), 0);
});

test('opening hours are read in the box\'s time zone', (t) => {
  const hours = [{ days: [4], from: '09:00', to: '17:00' }];
  t.true(isOpen(hours, NOW, 'Europe/Paris'));
  t.false(isOpen(hours, NOW, 'America/New_York'), '04:00 in New York');
  t.false(isOpen(hours, NOW + 8 * 3600 * 1000, 'Europe/Paris'), '18:00');
});

// The dialer running campaigns' flows (a real SQLite store in a folder, the real compliance gate, a
// fake engine whose calls are scripted people, a fake clock). Must-shows 3 and 4 of issue 15: the opt-out
// key in a flow ends `opted-out` with a suppression written with the attempt; a callee who chooses
// "tomorrow morning" is called again inside that window of their local time, not before, across a restart.
import test from 'ava';
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Call, CallEngine, CallEngineEvents, DialRequest, PromptRef } from '../../core/call-port.ts';
import { Dialer } from '../../appliance/campaigns/dialer.ts';
import { parseCampaignConfig } from '../../appliance/campaigns/model.ts';
import { localParts } from '../../appliance/campaigns/schedule.ts';
import { createComplianceGate } from '../../appliance/compliance/gate.ts';
import { dncHash } from '../../appliance/compliance/number-hash.ts';
import { silentLogger } from '../../core/log.ts';
import { CampaignsRepo } from '../../appliance/store/campaigns-repo.ts';
import { answerStats, attemptFlow } from '../../appliance/store/answers-repo.ts';
import { resultsTable } from '../../appliance/campaigns/export.ts';
import { CampaignService } from '../../appliance/campaigns/service.ts';
import { defaultSettings } from '../../appliance/config/defaults.ts';
import { trunkDefaults } from '../../core/trunk-defaults.ts';
import { AppError } from '../../core/errors.ts';
import { openStore, type Db } from '../../appliance/store/db.ts';
import { ScriptedCall } from './support.ts';
import { FakeTimerClock } from '../support/fake-time.ts';


async function settle(): Promise<void> {
  for (let i = 0; i < 6; i++) await new Promise((r) => setImmediate(r));
}

/** Each dial gets the next person's keys for that number. */
class PeopleEngine extends EventEmitter<CallEngineEvents> implements CallEngine {
  readonly name = 'embedded' as const;
  readonly dials: Array<{ to: string; at: number }> = [];
  constructor(private readonly clock: FakeTimerClock, private readonly people: Map<string, string[][]>, private readonly optOutKey: string) {
    super();
  }
  async start(): Promise<void> {}
  dial(request: DialRequest): Call {
    const n = this.dials.filter((d) => d.to === request.to).length;
    this.dials.push({ to: request.to, at: this.clock.now() });
    const keys = this.people.get(request.to)?.[n] ?? [];
    return new ScriptedCall([...keys], { dialled: true, optOutKey: this.optOutKey });
  }
  trunks() {
    return [];
  }
  activeCalls(): number {
    return 0;
  }
  async close(): Promise<void> {}
}

const prompt: PromptRef = { id: 'p', pcmu: '/dev/null', pcma: '/dev/null' };

function seedList(db: Db, numbers: string[]): void {
  db.prepare("INSERT INTO lists (id, name, status, country, created_at) VALUES (1, 'list', 'ready', 'FR', '2026-01-01')").run();
  numbers.forEach((e164, i) => {
    db.prepare("INSERT INTO contacts (list_id, e164, line_type, timezones, tz_source, name, fields, row, created_at) VALUES (1, ?, 'mobile', '[\"Europe/Paris\"]', 'country', ?, '{}', ?, '2026-01-01')")
      .run(e164, `Contact ${i + 1}`, i + 2);
  });
}

function dialer(db: Db, clock: FakeTimerClock, engine: CallEngine, answersRoot?: string): Dialer {
  return new Dialer({
    db, engine, logger: silentLogger(), clock, idleMs: 60_000,
    prompt: () => prompt,
    textPrompt: () => ({ prompt }),
    ...(answersRoot ? { answersRoot } : {}),
    trunkLimits: () => ({ channels: 10, cps: 100 }),
    gate: createComplianceGate({ db, pack: () => 'none' }),
    canDial: () => ({ ok: true }),
  });
}

function startCampaign(db: Db, clock: FakeTimerClock, template: string): number {
  const repo = new CampaignsRepo(db);
  const cfg = parseCampaignConfig({ message: 'm', callerId: '+33123456789', trunks: ['t'], amd: false, menu: { optOut: '9' }, flow: { template } });
  const c = repo.create('flows', 1, cfg);
  repo.startFromList(c.id, clock.now(), () => undefined);
  return c.id;
}

test('"tomorrow morning" is called again inside 09:00-12:00 of the callee\'s time, not before, across a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vba-flows-'));
  // Monday 7 December 2026, 15:00 in Paris.
  const clock = new FakeTimerClock(Date.parse('2026-12-07T14:00:00Z'));
  const people = new Map([['+33612345001', [['3', '2'], ['1']]]]);
  const engine = new PeopleEngine(clock, people, '9');
  let db = openStore({ dir });
  seedList(db, ['+33612345001']);
  const id = startCampaign(db, clock, 'appointment-reminder');
  let d = dialer(db, clock, engine);
  await d.start();
  await clock.advanceTo(clock.now() + 5000);
  t.is(engine.dials.length, 1);
  const first = db.prepare('SELECT id, outcome FROM attempts WHERE campaign_id = ?').get(id) as { id: number; outcome: string };
  t.is(first.outcome, 'human');
  t.deepEqual(attemptFlow(db, first.id)?.answers.map((a) => [a.name, a.value]), [['appointment', 'move'], ['callback_slot', 'tomorrow_morning']]);
  t.deepEqual(attemptFlow(db, first.id)?.path, ['message', 'choice', 'move', 'slot', 'end']);

  // The box restarts in the evening: a new store handle and a new dialer, same folder.
  await clock.advanceTo(Date.parse('2026-12-07T19:00:00Z'));
  await d.stop(0);
  db.close();
  db = openStore({ dir });
  d = dialer(db, clock, engine);
  await d.start();
  await clock.advanceTo(Date.parse('2026-12-08T07:59:59Z'));
  t.is(engine.dials.length, 1, 'not called again before 09:00 Tuesday in Paris');
  await clock.advanceTo(Date.parse('2026-12-08T08:00:30Z'));
  t.is(engine.dials.length, 2, 'called again once the slot opens');
  const again = localParts(engine.dials[1]!.at, 'Europe/Paris');
  t.is(again.date, '2026-12-08');
  t.true(again.minutes >= 9 * 60 && again.minutes < 12 * 60, `called at ${again.minutes} minutes past midnight, Paris time`);
  const outcomes = db.prepare('SELECT outcome FROM attempts WHERE campaign_id = ? ORDER BY id').pluck().all(id);
  t.deepEqual(outcomes, ['human', 'confirmed'], 'the second call confirmed the appointment');
  await d.stop(0);
  db.close();
});

test('the opt-out key during a survey question ends `opted-out`, the number suppressed with the attempt', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vba-flows-'));
  const clock = new FakeTimerClock(Date.parse('2026-12-07T10:00:00Z'));
  // Answers question 1, then presses the opt-out key at question 2.
  const engine = new PeopleEngine(clock, new Map([['+33612345001', [['4', '9']]], ['+33612345002', [['5', '4', '3']]]]), '9');
  const db = openStore({ dir });
  seedList(db, ['+33612345001', '+33612345002']);
  const id = startCampaign(db, clock, 'satisfaction-survey');
  const d = dialer(db, clock, engine, dir);
  await d.start();
  await clock.advanceTo(clock.now() + 5000);
  const rows = db.prepare('SELECT id, e164, outcome, dtmf FROM attempts WHERE campaign_id = ? ORDER BY e164').all(id) as Array<{ id: number; e164: string; outcome: string; dtmf: string }>;
  t.deepEqual(rows.map((r) => r.outcome), ['opted-out', 'confirmed']);
  const optedOut = attemptFlow(db, rows[0]!.id)!;
  t.deepEqual(optedOut.path, ['message', 'q1', 'q2']);
  t.deepEqual(optedOut.answers.map((a) => [a.name, a.value]), [['q1', '4']]);
  const suppressed = db.prepare('SELECT COUNT(*) FROM suppressions WHERE number_hash = ?').pluck().get(dncHash('+33612345001'));
  t.is(suppressed, 1, 'the number is suppressed');
  const events = db.prepare("SELECT type FROM outbox WHERE payload LIKE ? ORDER BY seq").pluck().all(`%${rows[0]!.id}%`);
  t.true(events.includes('attempt.outcome'));
  const finished = attemptFlow(db, rows[1]!.id)!;
  t.deepEqual(finished.answers.filter((a) => a.name.startsWith('q')).map((a) => [a.name, a.value]), [['q1', '5'], ['q2', '4'], ['q3', '3']]);
  await d.stop(0);
  db.close();
});

test('answers in reports: one export column per named answer, each question\'s distribution and where people stopped', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vba-flows-'));
  const clock = new FakeTimerClock(Date.parse('2026-12-07T10:00:00Z'));
  const engine = new PeopleEngine(clock, new Map([
    ['+33612345001', [['4', '5', '5']]],
    ['+33612345002', [['4', '2', '1']]],
    ['+33612345003', [['5', '9']]],
  ]), '9');
  const db = openStore({ dir });
  seedList(db, ['+33612345001', '+33612345002', '+33612345003']);
  const id = startCampaign(db, clock, 'satisfaction-survey');
  const d = dialer(db, clock, engine, dir);
  await d.start();
  await clock.advanceTo(clock.now() + 5000);
  await d.stop(0);

  const table = resultsTable(db, id, 'en', 'Europe/Paris');
  const headers = table.columns.map((c) => c.header);
  t.deepEqual(headers.slice(-4), ['Answer q1', 'Answer q2', 'Answer q3', 'Answer comment']);
  const rows = [...table.rows].map((r) => r.slice(-4));
  t.deepEqual(rows, [['4', '5', '5', 'recording:2500ms'], ['4', '2', '1', 'recording:2500ms'], ['5', null, null, null]]);
  const fr = resultsTable(db, id, 'fr', 'Europe/Paris');
  t.is(fr.columns.at(-4)?.header, 'Réponse q1');

  const stats = answerStats(db, id, ['message', 'q1', 'q2', 'q3', 'comment', 'thanks']);
  t.is(stats.runs, 3);
  t.deepEqual(stats.answers.find((a) => a.name === 'q1'), { name: 'q1', total: 3, values: [{ value: '4', count: 2 }, { value: '5', count: 1 }] });
  t.deepEqual(stats.answers.find((a) => a.name === 'comment'), { name: 'comment', total: 2, values: [{ value: 'recorded', count: 2 }] });
  t.deepEqual(stats.steps.map((s) => [s.id, s.reached, s.endedHere]), [
    ['message', 3, 0], ['q1', 3, 0], ['q2', 3, 1], ['q3', 2, 0], ['comment', 2, 0], ['thanks', 2, 2],
  ]);
  db.close();
});

test('a campaign whose flow takes the opt-out key, or names a step it lacks, is refused at create with the step named', (t) => {
  const db = openStore({ dir: ':memory:' });
  seedList(db, ['+33612345001']);
  const settings = defaultSettings();
  settings.trunks.push(trunkDefaults({ name: 't', host: '127.0.0.1', port: 5090 }));
  const service = new CampaignService({ db, settings: () => settings, recordingExists: (rid) => rid === 'm' });
  const base = { message: 'm', callerId: '+33123456789', trunks: ['t'], amd: false, menu: { optOut: '2' } };
  const taken = t.throws(() => service.create({ name: 'a', listId: 1, config: { ...base, flow: { version: 1, steps: [{ id: 'ask', verb: 'menu', options: { 1: 'bye', 2: 'bye' } }, { id: 'bye', verb: 'hangup' }] } } }), { instanceOf: AppError });
  t.is(taken.code, 'E_FLOW_INVALID');
  t.is(taken.fields?.[0]?.key, 'flow.steps[0].options.2');
  t.regex(taken.message, /step "ask"/);
  const missing = t.throws(() => service.create({ name: 'b', listId: 1, config: { ...base, flow: { version: 1, steps: [{ id: 'hello', verb: 'play', prompt: { recording: 'm' }, next: 'ask' }] } } }), { instanceOf: AppError });
  t.is(missing.fields?.[0]?.key, 'flow.steps[0].next');
  // A template with the campaign's own opt-out key is made around it and accepted.
  const ok = service.create({ name: 'c', listId: 1, config: { ...base, flow: { template: 'appointment-reminder', lang: 'fr' } } });
  t.is(ok.config.flow?.template, 'appointment-reminder');
  t.false(JSON.stringify(ok.config.flow).includes('"2":'), 'no menu of it takes key 2');
  t.throws(() => service.create({ name: 'd', listId: 1, config: { ...base, flow: { template: 'satisfaction-survey' } } }), { message: /opt-out key 2/ });
  db.close();
});

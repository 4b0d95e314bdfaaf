// A campaign's flow with a transfer, run by the dialer (real SQLite store, the real compliance gate,
// scripted people, a fake clock, and a test double of the transfer port): the attempt keeps the
// transfer's outcome, wait, talk time and who took it; nobody answering runs the fallback (a callback
// booked); the report and the export show the transfers. With real peers: test/staff/transfer-box.test.ts.
import test from 'ava';
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Call, CallEngine, CallEngineEvents, DialRequest, PromptRef } from '../../core/call-port.ts';
import { Dialer, type TransferPort } from '../../appliance/campaigns/dialer.ts';
import { parseCampaignConfig } from '../../appliance/campaigns/model.ts';
import { createComplianceGate } from '../../appliance/compliance/gate.ts';
import { silentLogger } from '../../core/log.ts';
import { CampaignsRepo } from '../../appliance/store/campaigns-repo.ts';
import { attemptFlow } from '../../appliance/store/answers-repo.ts';
import { campaignReport } from '../../appliance/campaigns/reports.ts';
import { resultsTable } from '../../appliance/campaigns/export.ts';
import { openStore } from '../../appliance/store/db.ts';
import type { TransferRecord } from '../../appliance/flows/session.ts';
import type { TransferContext } from '../../appliance/staff/transfer.ts';
import { ScriptedCall } from './support.ts';
import { FakeTimerClock } from '../support/fake-time.ts';

class People extends EventEmitter<CallEngineEvents> implements CallEngine {
  readonly name = 'embedded' as const;
  constructor(private readonly keys: Map<string, string[]>) { super(); }
  async start(): Promise<void> {}
  dial(r: DialRequest): Call { return new ScriptedCall([...(this.keys.get(r.to) ?? [])], { dialled: true, optOutKey: '9' }); }
  trunks() { return []; }
  activeCalls(): number { return 0; }
  async close(): Promise<void> {}
}

const prompt: PromptRef = { id: 'p', pcmu: '/dev/null', pcma: '/dev/null' };
const FLOW = {
  version: 1,
  steps: [
    { id: 'message', verb: 'play', prompt: { message: true }, next: 'choice' },
    { id: 'choice', verb: 'menu', prompt: { tts: 'Press 1 to speak with us.' }, options: { 1: 'agent' }, noInput: 'end', invalid: 'end' },
    { id: 'agent', verb: 'transfer', to: 'desk', waitMs: 20_000, noAnswer: 'later', next: 'end' },
    { id: 'later', verb: 'callback', name: 'slot', prompt: { tts: 'Press 1 to be called tomorrow morning.' }, options: [{ key: '1', dayOffset: 1, from: '09:00', to: '12:00', label: 'tomorrow_morning' }], next: 'end' },
    { id: 'end', verb: 'hangup' },
  ],
};

test('the attempt keeps the transfer (outcome, wait, talk, taker); nobody answering books the fallback callback; report and export show it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vba-transfer-'));
  const clock = new FakeTimerClock(Date.parse('2026-12-07T10:00:00Z'));
  const db = openStore({ dir });
  db.prepare("INSERT INTO lists (id, name, status, country, created_at) VALUES (1, 'list', 'ready', 'FR', '2026-01-01')").run();
  ['+33612345001', '+33612345002'].forEach((e164, i) => {
    db.prepare("INSERT INTO contacts (list_id, e164, line_type, timezones, tz_source, name, fields, row, created_at) VALUES (1, ?, 'mobile', '[\"Europe/Paris\"]', 'country', ?, '{}', ?, '2026-01-01')").run(e164, `Contact ${i + 1}`, i + 2);
  });
  const asked: TransferContext[] = [];
  const transfer: TransferPort = {
    transfer: async (_callee, req, ctx): Promise<TransferRecord> => {
      asked.push(ctx);
      t.is(req.step.id, 'agent');
      return ctx.number === '+33612345001' ? { outcome: 'connected', waitMs: 3200, talkMs: 95_000, takenBy: 'ann' } : { outcome: 'no-answer', waitMs: 20_000, talkMs: 0, takenBy: null };
    },
  };
  const repo = new CampaignsRepo(db);
  const c = repo.create('transfers', 1, parseCampaignConfig({ message: 'm', callerId: '+33123456789', trunks: ['t'], amd: false, menu: { optOut: '9' }, flow: FLOW }));
  repo.startFromList(c.id, clock.now(), () => undefined);
  const d = new Dialer({
    db, engine: new People(new Map([['+33612345001', ['1']], ['+33612345002', ['1', '1']]])), logger: silentLogger(), clock, idleMs: 60_000,
    prompt: () => prompt, textPrompt: () => ({ prompt }), trunkLimits: () => ({ channels: 10, cps: 100 }),
    gate: createComplianceGate({ db, pack: () => 'none' }), canDial: () => ({ ok: true }), transfer,
  });
  await d.start();
  await clock.advanceTo(clock.now() + 5000);
  await d.stop(0);
  const rows = db.prepare('SELECT id, e164, outcome, transfer_outcome, transfer_wait_ms, transfer_talk_ms, transfer_taken_by FROM attempts ORDER BY e164').all() as Array<Record<string, unknown>>;
  t.like(rows[0], { outcome: 'human', transfer_outcome: 'connected', transfer_wait_ms: 3200, transfer_talk_ms: 95_000, transfer_taken_by: 'ann' });
  t.like(rows[1], { outcome: 'human', transfer_outcome: 'no-answer', transfer_wait_ms: 20_000, transfer_talk_ms: 0, transfer_taken_by: null });
  t.deepEqual(attemptFlow(db, rows[1]!.id as number)?.path, ['message', 'choice', 'agent', 'later', 'end'], 'nobody answered: the callback step ran');
  t.is(db.prepare("SELECT state FROM campaign_contacts WHERE e164 = '+33612345002'").pluck().get(), 'waiting', 'the callback is the next attempt');
  t.like(asked[0], { actor: `campaign:${c.id}`, campaignId: c.id, name: 'Contact 1', source: 'campaign transfers', callerId: '+33123456789', trunk: 't' });

  const report = campaignReport(db, c.id);
  t.deepEqual(report.transfers, { total: 2, byOutcome: { connected: 1, 'no-answer': 1 }, byTaker: { ann: 1 }, avgWaitMs: 11_600, avgTalkMs: 95_000 });
  const table = resultsTable(db, c.id, 'fr', 'Europe/Paris');
  const headers = table.columns.map((x) => x.header);
  t.deepEqual(headers.slice(-5), ['Transfert', 'Transfert (code)', 'Attente (s)', 'Conversation (s)', 'Pris par']);
  const cells = [...table.rows].map((r) => r.slice(-5));
  t.deepEqual(cells, [['mis en relation', 'connected', 3.2, 95, 'ann'], ['personne n\'a répondu', 'no-answer', 20, 0, null]]);
  db.close();
});

test('a campaign without transfers has no transfer columns and no transfer summary', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vba-transfer-'));
  const db = openStore({ dir });
  db.prepare("INSERT INTO lists (id, name, status, country, created_at) VALUES (1, 'list', 'ready', 'FR', '2026-01-01')").run();
  const c = new CampaignsRepo(db).create('plain', 1, parseCampaignConfig({ message: 'm', callerId: '+33123456789', trunks: ['t'] }));
  t.false(resultsTable(db, c.id, 'en', 'Europe/Paris').columns.some((x) => x.header.startsWith('Transfer')));
  t.is(campaignReport(db, c.id).transfers, undefined);
  db.close();
});

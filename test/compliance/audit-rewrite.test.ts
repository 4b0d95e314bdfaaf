// Issue 18, point 5: an attacker who can rewrite the database (drop the guards, edit rows) but not the
// box's identity folder or the fleet. The box publishes its audit head to the fleet over a real
// mosquitto (`audit.head` events) and keeps the head the broker acknowledged; then each careful rewrite
// (recompute the chain after an edit, cut its tail, drop the table) is reported by
// `appliance audit verify`, through the real executable, with a non-zero exit and the reason.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openStore } from '../../appliance/store/db.ts';
import { appendAudit, auditHead } from '../../appliance/store/compliance-audit-repo.ts';
import { recordOptOut } from '../../appliance/compliance/opt-out.ts';
import { defaultSettings } from '../../appliance/config/defaults.ts';
import { silentLogger } from '../../core/log.ts';
import { FleetAgent } from '../../appliance/fleet/agent.ts';
import { Mosquitto, fleetClient, waitFor } from '../fleet/mosquitto.ts';
import { Requester, inAnHour } from '../fleet/helpers.ts';
import { FleetCa } from '../../provisioning/fleet-ca.ts';
import { fleetTool } from '../../provisioning/fleet-tool.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const verify = (dir: string, ...extra: string[]) => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'appliance.js'), 'audit', 'verify', '--data', dir, ...extra], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout + r.stderr };
};

interface Row { seq: number; at: number; actor: string; action: string; subject: string | null; details: string }
/** Recompute every hash after an edit, as someone who read the source would (with the key if they have it). */
function recompute(db: Database.Database, key: Buffer | null): void {
  let prev = '0'.repeat(64);
  const rows = db.prepare('SELECT seq, at, actor, action, subject, details FROM audit_log ORDER BY seq').all() as Row[];
  for (const r of rows) {
    const content = `${prev}\n${JSON.stringify([r.seq, r.at, r.actor, r.action, r.subject, r.details])}`;
    const hash = (key ? createHmac('sha256', key) : createHash('sha256')).update(content).digest('hex');
    db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ?, keyed = ? WHERE seq = ?').run(prev, hash, key ? 1 : 0, r.seq);
    prev = hash;
  }
  db.prepare("UPDATE meta SET value = ? WHERE key = 'audit.head'").run(rows.length ? `${rows.at(-1)!.seq}:${prev}` : '');
}

function attack(dir: string, fn: (db: Database.Database) => void): void {
  const db = new Database(join(dir, 'appliance.db'));
  db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
  fn(db);
  db.close();
}

test('the fleet holds the audit head, and recomputing, cutting or dropping the chain is reported by audit verify', async (t) => {
  t.timeout(120_000);
  const tmp = mkdtempSync(join(tmpdir(), 'audit-rewrite-'));
  const dir = join(tmp, 'box');
  const broker = await Mosquitto.create();
  t.teardown(async () => { await broker.dispose(); rmSync(tmp, { recursive: true, force: true }); });

  // A box with a history: staff actions and opt-outs pressed on calls.
  const db = openStore({ dir });
  appendAudit(db, { actor: 'staff:ann', action: 'campaign.start', subject: 'campaign:1' });
  for (const n of ['+33612000001', '+33612000002', '+33612000003']) recordOptOut(db, { e164: n, channel: 'keypress', campaignId: 1, digit: '9' });
  const key = statSync(join(dir, 'identity', 'audit.key'));
  t.is(key.mode & 0o777, 0o600, 'the audit key is owner-only');
  t.false(readFileSync(join(dir, 'appliance.db')).includes(readFileSync(join(dir, 'identity', 'audit.key'), 'utf8').match(/"key":"([^"]+)"/)![1]!), 'the key is not in the database');

  // The fleet side listens to the box's events; the agent publishes the head at start and when it moves.
  const boxId = 'box-audit';
  const fleet = await fleetClient(broker.url, 'fleet-audit');
  t.teardown(() => fleet.endAsync(true));
  const heads: Array<{ type: string; seq: number; payload: { seq: number; count: number; hash: string } }> = [];
  fleet.on('message', (_topic, payload) => {
    const ev = JSON.parse(payload.toString()) as { type: string; seq: number; payload: { seq: number; count: number; hash: string } };
    if (ev.type === 'audit.head') heads.push(ev);
  });
  await fleet.subscribeAsync(`fleet/v1/${boxId}/events`, { qos: 1 });
  // The fleet tool keeps the heads it collects; its persistent session queues what arrives while it is away.
  const fleetCa = new FleetCa(join(tmp, 'fleet'));
  await fleetCa.init({ serverNames: ['127.0.0.1'] });
  const tool = async (...args: string[]): Promise<{ code: number; out: string[] }> => {
    const out: string[] = [];
    const code = await fleetTool([args[0]!, '--dir', fleetCa.dir, '--broker', broker.url, ...args.slice(1)], (l) => out.push(l), (l) => out.push(l));
    return { code, out };
  };
  t.is((await tool('heads', '--wait-ms', '300')).code, 0);
  const settings = defaultSettings();
  settings.fleet = { enabled: true, url: broker.url, boxId };
  const agent = new FleetAgent({ db, settings: () => settings, logger: silentLogger(), boxId, version: 't', dataDir: dir, reconnectMs: 200, outboxPollMs: 50, auditHeadIntervalMs: 200 });
  await agent.start();
  await waitFor(() => heads.length >= 1, 10_000, 'the first audit.head event');
  t.like(heads[0]!.payload, { seq: 4, count: 4, hash: auditHead(db)!.hash });
  appendAudit(db, { actor: 'staff:ann', action: 'campaign.stop', subject: 'campaign:1' });
  recordOptOut(db, { e164: '+33612000004', channel: 'keypress', campaignId: 1, digit: '9' });
  await waitFor(() => heads.some((h) => h.payload.seq === 6), 10_000, 'the head after the chain moved');
  // What the fleet holds: collected by the tool after the fact, from its queued session.
  const held = await tool('heads', '--box', boxId, '--wait-ms', '1500');
  t.is(held.code, 0, held.out.join('\n'));
  const fleetCopy = held.out.at(-1)!;
  t.like(JSON.parse(fleetCopy), { seq: 6, hash: heads.find((h) => h.payload.seq === 6)!.payload.hash });
  t.like((await fleetCa.auditHeads())[boxId], { seq: 6 });
  t.is(verify(dir, '--fleet-head', JSON.stringify(heads.find((h) => h.payload.seq === 6))).code, 0, 'the event itself is accepted too');
  const ackFile = join(dir, 'identity', 'audit-head.json');
  await waitFor(() => existsSync(ackFile) && (JSON.parse(readFileSync(ackFile, 'utf8')) as { seq: number }).seq === 6, 10_000, 'the acknowledged head on the box');
  // The fleet can also ask the box to check itself against the head it holds.
  const req = new Requester(fleet, boxId);
  await req.ready();
  const head6 = heads.find((h) => h.payload.seq === 6)!.payload;
  await req.send('check', { id: 'check', expiresAt: inAnHour(), type: 'audit.verify', data: { seq: 6, hash: head6.hash } });
  t.like(await req.answer('check'), { status: 'ok', data: { ok: true, entries: 6, head: `6:${head6.hash}` } });
  await req.send('forged', { id: 'forged', expiresAt: inAnHour(), type: 'audit.verify', data: { seq: 6, hash: 'f'.repeat(64) } });
  const forged = await req.answer('forged');
  t.is(forged.status, 'error');
  t.regex(String(forged.error), /audit log broken: entry 6: head-rewritten/);
  await agent.stop();
  db.close();

  const intact = verify(dir, '--fleet-head', fleetCopy);
  t.is(intact.code, 0, intact.out);
  t.regex(intact.out, /intact: 6 entries.*matches the acknowledged head 6 and the fleet's head 6/);

  const copy = (name: string, o: { withoutAck?: boolean } = {}): string => {
    const d = join(tmp, name);
    cpSync(dir, d, { recursive: true });
    if (o.withoutAck) rmSync(join(d, 'identity', 'audit-head.json'));
    return d;
  };

  // 1. Recompute the chain after an edit (the second opt-out's digit), without the key.
  const edited = copy('recomputed');
  attack(edited, (x) => { x.exec(`UPDATE audit_log SET details = replace(details, '"9"', '"1"') WHERE seq = 3`); recompute(x, null); });
  let r = verify(edited);
  t.is(r.code, 1, r.out);
  t.regex(r.out, /BROKEN/);
  t.regex(r.out, /entry 1: unkeyed-entry — written without the key, but every entry from 1 on is keyed/);
  t.regex(r.out, /entry 6: head-rewritten — entry 6 is not the one in the head the fleet's broker acknowledged/);
  // ... even with the key stolen and the acknowledged head removed, the fleet's copy tells.
  const stolen = copy('recomputed-with-key', { withoutAck: true });
  const k = Buffer.from((JSON.parse(readFileSync(join(stolen, 'identity', 'audit.key'), 'utf8')) as { key: string }).key, 'base64');
  attack(stolen, (x) => { x.exec(`UPDATE audit_log SET details = replace(details, '"9"', '"1"') WHERE seq = 3`); recompute(x, k); });
  t.is(verify(stolen).code, 0, 'with the key and nothing outside the box, a rewrite cannot be seen locally');
  r = verify(stolen, '--fleet-head', fleetCopy);
  t.is(r.code, 1, r.out);
  t.regex(r.out, /entry 6: head-rewritten — entry 6 is not the one in the fleet's copy of the head: the chain was rewritten/);

  // 2. Cut the tail (the last opt-out's entry and the one before), head fixed up.
  const cut = copy('cut');
  attack(cut, (x) => { x.exec('DELETE FROM audit_log WHERE seq > 4'); recompute(x, k); });
  r = verify(cut);
  t.is(r.code, 1, r.out);
  t.regex(r.out, /truncated — the chain ends at entry 4, but the head the fleet's broker acknowledged .* is entry 6/);
  t.regex(r.out, /missing-entries — 4 opt-out\(s\) are recorded but the log has 3/);
  const cutNoAck = copy('cut-no-ack', { withoutAck: true });
  attack(cutNoAck, (x) => { x.exec('DELETE FROM audit_log WHERE seq > 4'); x.exec("DELETE FROM suppression_history WHERE rowid = (SELECT max(rowid) FROM suppression_history)"); recompute(x, k); });
  r = verify(cutNoAck, '--fleet-head', fleetCopy);
  t.is(r.code, 1, r.out);
  t.regex(r.out, /truncated — the chain ends at entry 4, but the fleet's copy of the head is entry 6/);

  // 3. Drop the table; then drop it and put an empty one back.
  const dropped = copy('dropped');
  attack(dropped, (x) => x.exec('DROP TABLE audit_log'));
  r = verify(dropped);
  t.is(r.code, 1, r.out);
  t.regex(r.out, /table-missing — the audit_log table is gone/);
  t.regex(r.out, /empty-chain — the log is empty, but 0 call attempt\(s\) and 4 opt-out\(s\) are recorded/);
  const emptied = copy('emptied', { withoutAck: true });
  attack(emptied, (x) => {
    x.exec("DROP TABLE audit_log; CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, subject TEXT, details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, keyed INTEGER NOT NULL DEFAULT 0); DELETE FROM meta WHERE key = 'audit.head'");
  });
  r = verify(emptied);
  t.is(r.code, 1, r.out);
  t.regex(r.out, /empty-chain/);
});

// Issue 17, must-show 1: mosquitto, the fleet manager and two real boxes on their sandboxes. An
// opt-out recorded on box A (staff, through its HTTP API) is suppressed on box B within 2 s; with box B
// offline, within 2 s of B's return. Only the hash travels; the relayed opt-out does not bounce back.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Mosquitto } from '../fleet/mosquitto.ts';
import { dncHash } from '../../appliance/compliance/number-hash.ts';
import { FleetManager } from '../../fleet-manager/service.ts';
import { boxApp, type Proc } from './procs.ts';
import { STORAGES, storageTarget, useStorages } from './storages.ts';

useStorages();

class BoxClient {
  private cookie = '';
  private csrf = '';
  constructor(readonly base: string) {}
  static async login(base: string, password: string): Promise<BoxClient> {
    const c = new BoxClient(base);
    const r = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    if (r.status !== 200) throw new Error(`login on ${base}: ${r.status} ${await r.text()}`);
    c.cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
    c.csrf = ((await (await fetch(`${base}/api/session`, { headers: { cookie: c.cookie } })).json()) as { csrfToken: string }).csrfToken;
    return c;
  }
  async optOut(number: string): Promise<{ numberHash: string; added: boolean }> {
    const r = await fetch(`${this.base}/api/compliance/dnc`, { method: 'POST', headers: { cookie: this.cookie, 'x-csrf-token': this.csrf, 'content-type': 'application/json' }, body: JSON.stringify({ number, reason: 'asked not to be called again' }) });
    if (r.status !== 200) throw new Error(`opt-out: ${r.status} ${await r.text()}`);
    return await r.json() as { numberHash: string; added: boolean };
  }
  async dnc(): Promise<Array<{ numberHash: string; source: string }>> {
    const r = await fetch(`${this.base}/api/compliance/dnc?limit=1000`, { headers: { cookie: this.cookie } });
    return ((await r.json()) as { entries: Array<{ numberHash: string; source: string }> }).entries;
  }
}

for (const kind of STORAGES) test.serial(`${kind}: an opt-out on box A is suppressed on box B within 2 s, and within 2 s of B coming back when it was away`, async (t) => {
  t.timeout(180_000);
  const broker = await Mosquitto.create();
  const dir = mkdtempSync(join(tmpdir(), 'fm-relay-'));
  const { target, dispose } = await storageTarget(kind);
  const procs: Proc[] = [];
  const fm = new FleetManager({ db: target, broker: { url: broker.url, clientId: `fm-relay-${kind}` }, logger: pino({ level: 'warn' }), tickMs: 500 });
  t.teardown(async () => {
    for (const p of procs) await p.end('SIGKILL');
    await fm.stop();
    await broker.dispose();
    await dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  await fm.start();

  const start = async (boxId: string): Promise<{ proc: Proc; info: { base: string; password: string | null } }> => {
    const proc = boxApp(join(dir, boxId), broker.url, boxId);
    procs.push(proc);
    return { proc, info: await proc.json<{ base: string; password: string | null }>((v) => typeof v.base === 'string', 90_000) };
  };
  const [a, b] = await Promise.all([start('box-a'), start('box-b')]);
  const boxA = await BoxClient.login(a.info.base, a.info.password!);
  let boxB = await BoxClient.login(b.info.base, b.info.password!);
  // Both boxes said hello to the fleet (the manager knows them, so both are in its organisation).
  const known = async (): Promise<number> => (await fm.store!.boxes()).filter((x) => x.online).length;
  for (let i = 0; i < 200 && (await known()) < 2; i++) await new Promise((r) => setTimeout(r, 100));
  t.is(await known(), 2, 'both boxes are online at the fleet manager');

  // 1. Both online.
  const first = '+33612345678';
  const pressed = Date.now();
  const added = await boxA.optOut(first);
  t.is(added.numberHash, dncHash(first));
  let seenAfter = -1;
  while (Date.now() - pressed < 10_000) {
    if ((await boxB.dnc()).some((e) => e.numberHash === added.numberHash)) { seenAfter = Date.now() - pressed; break; }
    await new Promise((r) => setTimeout(r, 50));
  }
  t.log(`box B suppressed the number ${seenAfter} ms after the opt-out on box A`);
  t.true(seenAfter >= 0 && seenAfter <= 2000, `suppressed on B after ${seenAfter} ms`);
  t.like((await boxB.dnc()).find((e) => e.numberHash === added.numberHash), { source: 'fleet' });

  // 2. Box B away (a clean stop: its session stays on the broker), an opt-out on A, then B returns.
  await b.proc.end('SIGTERM');
  for (let i = 0; i < 100 && (await fm.store!.boxes()).find((x) => x.boxId === 'box-b')?.online; i++) await new Promise((r) => setTimeout(r, 100));
  const second = '+33698765432';
  const away = await boxA.optOut(second);
  // The manager has stored it and queued the command for B, which cannot answer yet.
  for (let i = 0; i < 100 && (await fm.store!.openDeliveries('box-b')).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  t.deepEqual((await fm.store!.openDeliveries('box-b')).map((d) => d.type), ['dnc.add']);
  await new Promise((r) => setTimeout(r, 1000));

  const again = boxApp(join(dir, 'box-b'), broker.url, 'box-b');
  procs.push(again);
  const back = await again.json<{ base: string }>((v) => typeof v.base === 'string', 90_000);
  const returned = Date.now();
  boxB = await BoxClient.login(back.base, b.info.password!);
  let seenBack = -1;
  while (Date.now() - returned < 10_000) {
    if ((await boxB.dnc()).some((e) => e.numberHash === away.numberHash)) { seenBack = Date.now() - returned; break; }
    await new Promise((r) => setTimeout(r, 50));
  }
  t.log(`box B suppressed the second number ${seenBack} ms after it came back`);
  t.true(seenBack >= 0 && seenBack <= 2000, `suppressed on B ${seenBack} ms after its return`);

  // Each relayed command was answered once; nothing bounced back to A; no number in clear at the fleet.
  for (let i = 0; i < 100 && (await fm.store!.openDeliveries('box-b')).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  const rows = (await fm.store!.sql.query<{ command_id: string; box_id: string; status: string }>('SELECT command_id, box_id, status FROM deliveries ORDER BY created_at')).rows;
  t.deepEqual(rows.map((r) => [r.box_id, r.status]), [['box-b', 'ok'], ['box-b', 'ok']]);
  t.true(rows.every((r) => /^optout:box-a:\d+$/.test(r.command_id)), 'ids derived from the source box and seq');
  t.deepEqual((await boxA.dnc()).map((e) => e.source).sort(), ['staff', 'staff'], 'A got nothing back');
  const dump = JSON.stringify((await fm.store!.sql.query('SELECT payload FROM events')).rows);
  t.false(dump.includes('612345678') || dump.includes('698765432'), 'no number in clear in the fleet database');
});

// One door for every action: a whole box (sandbox, HTTP API) with its fleet agent on a real mosquitto.
// The test walks the action registry and, for every action, through every door the action is open on,
// does it once so that it succeeds and once so that it is refused: each leaves its audit entry with
// the actor (staff:<user>, fleet:<command id>), so the audit log does not depend on the door.
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACTIONS } from '../../appliance/actions/registry.ts';
import type { Door } from '../../appliance/actions/action.ts';
import { listAudit, type AuditEntry } from '../../appliance/store/compliance-audit-repo.ts';
import { startTestBox, type TestBox } from '../support/appliance.ts';
import { fleetClient, Mosquitto } from '../fleet/mosquitto.ts';
import { Requester, inAnHour } from '../fleet/helpers.ts';
import { makeOwnCertificate, newOwnKey } from '../../appliance/http/tls/own-certificate.ts';
import { lanNames } from '../../appliance/http/tls/lan-names.ts';

const BOX = 'box-doors';

interface Ctx {
  box: TestBox;
  req: Requester;
  listId: number;
  /** A fresh draft campaign (each life-cycle step needs one in the right state). */
  draft(): Promise<number>;
}

type Outcome = { ok: boolean; text: string };
/** How one action is asked through one door: the happy path and a refusal. */
type Driver = { success(c: Ctx): Promise<Outcome>; refusal(c: Ctx): Promise<Outcome> };

const http = (r: { status: number; text: string }): Outcome => ({ ok: r.status < 300, text: `${r.status} ${r.text}` });

async function fleet(c: Ctx, type: string, data: unknown): Promise<Outcome & { id: string }> {
  const id = `cmd-${randomUUID()}`;
  await c.req.send(id, { id, type, expiresAt: inAnHour(), data });
  const a = await c.req.answer(id);
  return { ok: a.status === 'ok', text: JSON.stringify(a), id };
}

const config = { message: null, tts: { text: 'Bonjour, ceci est un rappel.', voice: 'fr' }, callerId: '+33162000000', trunks: ['sandbox'], schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] }, ringTimeoutMs: 5000, maxAttempts: 1 };

/** Campaign life cycle: each step needs a campaign in the state before it. */
async function campaignIn(c: Ctx, state: 'draft' | 'running' | 'paused'): Promise<number> {
  const id = await c.draft();
  if (state === 'draft') return id;
  const s = await c.box.api.send('POST', `/api/campaigns/${id}/start`);
  if (s.status !== 200) throw new Error(`start: ${s.text}`);
  if (state === 'running') return id;
  const p = await c.box.api.send('POST', `/api/campaigns/${id}/pause`);
  if (p.status !== 200) throw new Error(`pause: ${p.text}`);
  return id;
}

const before: Record<string, 'draft' | 'running' | 'paused'> = { start: 'draft', pause: 'running', resume: 'paused', stop: 'running' };

function lifeCycle(verb: 'start' | 'pause' | 'resume' | 'stop'): Partial<Record<Door, Driver>> {
  return {
    http: {
      success: async (c) => http(await c.box.api.send('POST', `/api/campaigns/${await campaignIn(c, before[verb]!)}/${verb}`)),
      refusal: async (c) => http(await c.box.api.send('POST', `/api/campaigns/999999/${verb}`)),
    },
    fleet: {
      success: async (c) => fleet(c, `campaign.${verb}`, { campaignId: await campaignIn(c, before[verb]!) }),
      refusal: async (c) => fleet(c, `campaign.${verb}`, { campaignId: 999999 }),
    },
  };
}

let phone = 0;
const nextNumber = (): string => `+3314200${String(1000 + ++phone)}`;

const DRIVERS: Record<string, Partial<Record<Door, Driver>>> = {
  'campaign.create': {
    http: {
      success: async (c) => http(await c.box.api.send('POST', '/api/campaigns', { name: `c-${randomUUID().slice(0, 8)}`, listId: c.listId, config })),
      refusal: async (c) => http(await c.box.api.send('POST', '/api/campaigns', { name: 'bad', listId: c.listId, config: { ...config, callerId: 'nobody' } })),
    },
  },
  'campaign.update': {
    http: {
      success: async (c) => http(await c.box.api.send('PUT', `/api/campaigns/${await c.draft()}`, { ...config, cps: 1 })),
      refusal: async (c) => http(await c.box.api.send('PUT', `/api/campaigns/${await campaignIn(c, 'running')}`, { ...config, cps: 1 })),
    },
  },
  'campaign.duplicate': {
    http: {
      success: async (c) => http(await c.box.api.send('POST', `/api/campaigns/${await c.draft()}/duplicate`, { name: 'a copy' })),
      refusal: async (c) => http(await c.box.api.send('POST', '/api/campaigns/999999/duplicate', { name: 'a copy' })),
    },
  },
  'campaign.delete': {
    http: {
      success: async (c) => http(await c.box.api.send('DELETE', `/api/campaigns/${await c.draft()}`)),
      refusal: async (c) => http(await c.box.api.send('DELETE', `/api/campaigns/${await campaignIn(c, 'running')}`)),
    },
  },
  'campaign.start': lifeCycle('start'),
  'campaign.pause': lifeCycle('pause'),
  'campaign.resume': lifeCycle('resume'),
  'campaign.stop': lifeCycle('stop'),
  'dnc.add': {
    http: {
      success: async (c) => http(await c.box.api.send('POST', '/api/compliance/dnc', { number: nextNumber(), reason: 'asked on the phone' })),
      refusal: async (c) => http(await c.box.api.send('POST', '/api/compliance/dnc', { number: 'hello' })),
    },
    fleet: {
      success: async (c) => fleet(c, 'dnc.add', { number: nextNumber(), reason: 'opt-out on another box' }),
      refusal: async (c) => fleet(c, 'dnc.add', { number: 'hello' }),
    },
  },
  'dnc.remove': {
    http: {
      success: async (c) => {
        const n = nextNumber();
        await c.box.api.send('POST', '/api/compliance/dnc', { number: n });
        return http(await c.box.api.send('POST', '/api/compliance/dnc/remove', { number: n, reason: 'entered by mistake' }));
      },
      refusal: async (c) => http(await c.box.api.send('POST', '/api/compliance/dnc/remove', { number: 'hello', reason: 'entered by mistake' })),
    },
    fleet: {
      success: async (c) => fleet(c, 'dnc.remove', { number: nextNumber(), reason: 'entered by mistake' }),
      refusal: async (c) => fleet(c, 'dnc.remove', { number: 'hello', reason: 'entered by mistake' }),
    },
  },
  'settings.update': {
    http: {
      success: async (c) => http(await c.box.api.send('PUT', '/api/settings', { box: { name: `Branch ${++phone}` } }, { 'content-type': 'application/merge-patch+json' })),
      refusal: async (c) => http(await c.box.api.send('PUT', '/api/settings', { http: { port: 'eighty' } }, { 'content-type': 'application/merge-patch+json' })),
    },
  },
  'certificate.install': {
    http: {
      success: async (c) => http(await c.box.api.send('POST', '/api/tls/certificate', await certificatePair())),
      refusal: async (c) => http(await c.box.api.send('POST', '/api/tls/certificate', { cert: (await certificatePair()).cert, key: newOwnKey() })),
    },
    fleet: {
      success: async (c) => fleet(c, 'certificate.install', await certificatePair()),
      refusal: async (c) => fleet(c, 'certificate.install', { cert: (await certificatePair()).cert, key: newOwnKey() }),
    },
  },
  'certificate.use-own': {
    // Each success removes the installed certificate, so the refusal after it finds none to remove.
    http: {
      success: async (c) => { await installedCertificate(c); return http(await c.box.api.send('POST', '/api/tls/use-own')); },
      refusal: async (c) => http(await c.box.api.send('POST', '/api/tls/use-own')),
    },
    fleet: {
      success: async (c) => { await installedCertificate(c); return fleet(c, 'certificate.use-own', {}); },
      refusal: async (c) => fleet(c, 'certificate.use-own', {}),
    },
  },
  'settings.desired': {
    fleet: {
      success: async (c) => fleet(c, 'config.desired', { version: ++phone, settings: { box: { name: 'From the fleet' } } }),
      refusal: async (c) => fleet(c, 'config.desired', { version: ++phone, settings: { users: [] } }),
    },
  },
};

/** A certificate and its key as an admin or the fleet would bring them (here made like the box's own). */
async function certificatePair(): Promise<{ cert: string; key: string }> {
  const key = newOwnKey();
  return { cert: await makeOwnCertificate({ keyPem: key, names: lanNames({}, 'office-box'), boxName: 'IT', now: Date.now() }), key };
}

async function installedCertificate(c: Ctx): Promise<void> {
  const r = await c.box.api.send('POST', '/api/tls/certificate', await certificatePair());
  if (r.status !== 200) throw new Error(`install: ${r.text}`);
}

function entriesSince(c: Ctx, seq: number): AuditEntry[] {
  return listAudit(c.box.app.db, { afterSeq: seq, limit: 1000 });
}

function lastSeq(c: Ctx): number {
  return (c.box.app.db.prepare('SELECT COALESCE(MAX(seq), 0) FROM audit_log').pluck().get() as number);
}

test('every action, through every door it is open on, is audited with its actor, done or refused', async (t) => {
  t.timeout(180_000);
  const broker = await Mosquitto.create();
  t.teardown(() => broker.dispose());
  const dataDir = mkdtempSync(join(tmpdir(), 'vba-doors-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const box = await startTestBox({
    dataDir, sandbox: { seed: 5, timeScale: 0.1, mix: 'no-answer=1' },
    settings: (s) => {
      s.fleet = { enabled: true, url: broker.url, boxId: BOX };
      s.compliance.pack = 'none';
    },
  });
  t.teardown(() => box.stop());
  const client = await fleetClient(broker.url, 'fleet-side-doors');
  t.teardown(() => client.endAsync(true));
  const req = new Requester(client, BOX);
  await req.ready();

  const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=c.csv', Buffer.from('phone,name\n+33142000001,Ann\n+33142000002,Bob\n'));
  const list = await box.api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'patients', country: 'FR', mapping: { phone: 'phone' } });
  t.is(list.status, 201, list.text);
  const ctx: Ctx = {
    box, req, listId: list.body.list.id,
    draft: async () => {
      const r = await box.api.send<{ id: number }>('POST', '/api/campaigns', { name: `c-${randomUUID().slice(0, 8)}`, listId: list.body.list.id, config });
      if (r.status !== 201) throw new Error(r.text);
      return r.body.id;
    },
  };

  // Every action has drivers for exactly the doors it is open on: a new action cannot skip this test.
  t.deepEqual(Object.keys(DRIVERS).sort(), ACTIONS.map((a) => a.name).sort());
  let checked = 0;
  for (const action of ACTIONS) {
    t.deepEqual(Object.keys(DRIVERS[action.name]!).sort(), [...action.doors].sort(), `${action.name}: doors`);
    for (const door of action.doors) {
      const driver = DRIVERS[action.name]![door]!;
      for (const kind of ['success', 'refusal'] as const) {
        const seq = lastSeq(ctx);
        const r = await driver[kind](ctx);
        t.is(r.ok, kind === 'success', `${action.name} through ${door} (${kind}): ${r.text}`);
        const name = kind === 'success' ? action.name : `${action.name}-refused`;
        const actor = door === 'http' ? 'staff:admin' : `fleet:${(r as { id?: string }).id}`;
        const found = entriesSince(ctx, seq).filter((e) => e.action === name && e.actor === actor);
        t.is(found.length, 1, `${action.name} through ${door} (${kind}): one "${name}" entry by ${actor}; saw ${JSON.stringify(entriesSince(ctx, seq).map((e) => [e.action, e.actor]))}`);
        checked++;
      }
    }
  }
  t.is(checked, ACTIONS.reduce((n, a) => n + a.doors.length * 2, 0));
});

test('a desired configuration from the fleet that changes the compliance pack is audited with the old and the new pack', async (t) => {
  t.timeout(60_000);
  const broker = await Mosquitto.create();
  t.teardown(() => broker.dispose());
  const box = await startTestBox({ settings: (s) => { s.fleet = { enabled: true, url: broker.url, boxId: BOX }; } });
  t.teardown(() => box.stop());
  const set = await box.api.send('PUT', '/api/settings', { compliance: { pack: 'fr' } }, { 'content-type': 'application/merge-patch+json' });
  t.is(set.status, 200, set.text);
  const client = await fleetClient(broker.url, 'fleet-side-pack');
  t.teardown(() => client.endAsync(true));
  const req = new Requester(client, BOX);
  await req.ready();
  const id = `cmd-${randomUUID()}`;
  await req.send(id, { id, type: 'config.desired', expiresAt: inAnHour(), data: { version: 7, settings: { compliance: { pack: 'uk' } } } });
  const answer = await req.answer(id);
  t.is(answer.status, 'ok', JSON.stringify(answer));
  t.is(box.app.settingsStore.get().compliance.pack, 'uk');
  const entry = listAudit(box.app.db, { limit: 1000 }).find((e) => e.action === 'settings.desired');
  t.truthy(entry);
  t.is(entry!.actor, `fleet:${id}`);
  t.like(entry!.details, { door: 'fleet', version: 7, pack: { from: 'fr', to: 'uk' } });
  t.true((entry!.details as { changed: string[] }).changed.includes('compliance.pack'));

  // The retained document is a door too: a rejected one is a refusal on record, named after its topic.
  await client.publishAsync(`fleet/v1/${BOX}/config/desired`, JSON.stringify({ version: 8, settings: { fleet: { url: 'mqtt://elsewhere' } } }), { qos: 1, retain: true });
  const deadline = Date.now() + 10_000;
  let refused: AuditEntry | undefined;
  while (!(refused = listAudit(box.app.db, { limit: 1000 }).find((e) => e.action === 'settings.desired-refused')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  t.truthy(refused, 'the rejected retained document is audited');
  t.is(refused!.actor, 'fleet:config/desired');
  t.like(refused!.details, { door: 'fleet', code: 'E_FLEET_CONFIG' });
  t.is(box.app.settingsStore.get().compliance.pack, 'uk', 'the last good configuration stays in force');
});

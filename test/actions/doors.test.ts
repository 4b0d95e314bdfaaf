// One door for every action: a whole box (sandbox, HTTP API) with its fleet agent on a real mosquitto,
// and the command line on the same state folder. The test walks the action registry and, for every
// action, through every door the action is open on, does it once so that it succeeds and once so that
// it is refused: each leaves its audit entry with the actor (staff:<user>, fleet:<command id>, cli),
// so the audit log does not depend on the door.
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as cli } from '../../appliance/cli.ts';
import { ACTIONS } from '../../appliance/actions/registry.ts';
import type { Door } from '../../appliance/actions/action.ts';
import { listAudit, type AuditEntry } from '../../appliance/store/compliance-audit-repo.ts';
import { openStore } from '../../appliance/store/db.ts';
import { startTestBox, type TestBox } from '../support/appliance.ts';
import { fleetClient, Mosquitto } from '../fleet/mosquitto.ts';
import { Requester, inAnHour } from '../fleet/helpers.ts';
import { makeOwnCertificate, newOwnKey } from '../../appliance/http/tls/own-certificate.ts';
import { lanNames } from '../../appliance/http/tls/lan-names.ts';
import { startBaresip } from '../peers/baresip.ts';
import WebSocket from 'ws';
import { sipPackage } from '../../sip/embedded/sip-types.ts';

const BOX = 'box-doors';

interface Ctx {
  box: TestBox;
  req: Requester;
  listId: number;
  /** A LAN web server with a contact file, for the fleet's list.import. */
  lan: string;
  /** A folder for files the command line imports. */
  files: string;
  /** A second state folder with no box running on it, for the command line's user changes (they need the box stopped). */
  stopped: string;
  /** A fresh draft campaign (each life-cycle step needs one in the right state). */
  draft(): Promise<number>;
}

/**
 * `actor`: when the one who acted is not the door's usual actor (a user changing their own password);
 * `audit`: the entries the request wrote, when it acted on another state folder than the box's.
 */
type Outcome = { ok: boolean; text: string; actor?: string; audit?: AuditEntry[] };
/** How one action is asked through one door: the happy path and a refusal. */
type Driver = { success(c: Ctx): Promise<Outcome>; refusal(c: Ctx): Promise<Outcome> };

const http = (r: { status: number; text: string }): Outcome => ({ ok: r.status < 300, text: `${r.status} ${r.text}` });

async function fleet(c: Ctx, type: string, data: unknown): Promise<Outcome & { id: string }> {
  const id = `cmd-${randomUUID()}`;
  await c.req.send(id, { id, type, expiresAt: inAnHour(), data });
  const a = await c.req.answer(id);
  return { ok: a.status === 'ok', text: JSON.stringify(a), id };
}

/** Waits until the audit log has an entry `action` by `actor` (a fleet import is audited when it has run, after its first answer). */
async function audited(c: Ctx, action: string, actor: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (c.box.app.db.prepare('SELECT 1 FROM audit_log WHERE action = ? AND actor = ?').get(action, actor)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs `appliance <args>` in this process, on the box's own state folder, as an operator would beside the running box. */
async function command(c: Ctx, args: string[]): Promise<Outcome> {
  const lines: string[] = [];
  const code = await cli([...args, '--data', c.box.dataDir, '--json'], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  return { ok: code === 0, text: `exit ${code}: ${lines.join(' | ').slice(0, 400)}` };
}

/** `appliance <args>` on the stopped box's folder; the outcome carries the audit entries it wrote there. */
async function commandStopped(c: Ctx, args: string[]): Promise<Outcome> {
  const seq = (): number => {
    const db = openStore({ dir: c.stopped });
    try {
      return db.prepare('SELECT COALESCE(MAX(seq), 0) FROM audit_log').pluck().get() as number;
    } finally {
      db.close();
    }
  };
  const from = seq();
  const lines: string[] = [];
  const code = await cli([...args, '--data', c.stopped, '--json'], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  const db = openStore({ dir: c.stopped });
  try {
    return { ok: code === 0, text: `exit ${code}: ${lines.join(' | ').slice(0, 400)}`, audit: listAudit(db, { afterSeq: from, limit: 100 }) };
  } finally {
    db.close();
  }
}

async function cliUser(c: Ctx, role = 'viewer'): Promise<string> {
  const name = `u-${unique()}`;
  const r = await commandStopped(c, ['user', 'add', name, '--role', role, '--password-file', join(c.files, 'password')]);
  if (!r.ok) throw new Error(`cli user: ${r.text}`);
  return name;
}

/** A short 8 kHz PCM WAV (a tone), as a person would upload it. */
function wav(): Buffer {
  const rate = 8000;
  const samples = rate / 2;
  const b = Buffer.alloc(44 + samples * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + samples * 2, 4); b.write('WAVE', 8); b.write('fmt ', 12);
  b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22); b.writeUInt32LE(rate, 24); b.writeUInt32LE(rate * 2, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34);
  b.write('data', 36); b.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return b;
}

/** Logs in as another user (a session of their own), for the actions a user does on themselves. */
async function loginAs(c: Ctx, username: string, password: string): Promise<(method: string, path: string, body: unknown) => Promise<{ status: number; text: string }>> {
  const r = await fetch(`${c.box.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  const s = (await (await fetch(`${c.box.base}/api/session`, { headers: { cookie } })).json()) as { csrfToken: string };
  return async (method, path, body) => {
    const res = await fetch(c.box.base + path, { method, headers: { cookie, 'x-csrf-token': s.csrfToken, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, text: await res.text() };
  };
}

const unique = (): string => randomUUID().slice(0, 8);

/**
 * A new user who takes calls, logged in, with a softphone registered over the box's SIP WebSocket (the
 * test plays sip.js's part): it declines (603) every call the box rings it with.
 */
async function softphoneUser(c: Ctx, role: 'operator' | 'admin'): Promise<{ user: string; send: (method: string, path: string, body: unknown) => Promise<{ status: number; text: string }>; rung: () => Promise<void>; close(): void }> {
  const user = `u-${unique()}`;
  if ((await c.box.api.send('POST', '/api/users', { username: user, password: PASSWORD, role })).status !== 201) throw new Error('softphone user');
  if ((await c.box.api.send('PUT', `/api/users/${user}/staff`, { takeCalls: true })).status !== 200) throw new Error('takes calls');
  const r = await fetch(`${c.box.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user, password: PASSWORD }) });
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  const s = (await (await fetch(`${c.box.base}/api/session`, { headers: { cookie } })).json()) as { csrfToken: string };
  const ws = new WebSocket(`${c.box.base.replace('http', 'ws')}/api/sip`, 'sip', { headers: { cookie } });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  // The box rings this phone once its WebRTC leg has gathered (the offer is in the INVITE): a test that
  // ends the call or the socket before then races the leg's ICE set-up, which leaves a socket open in
  // werift (see the closing note of stop 15), and this file's process would never end.
  let ringing: () => void = () => {};
  const invited = new Promise<void>((r) => { ringing = r; });
  ws.on('message', (d) => {
    const m = sipPackage.parse(String(d));
    if (m && 'method' in m && m.method === 'INVITE') {
      ringing();
      const rs = sipPackage.makeResponse(m, 603, 'Decline');
      rs.headers.to = { ...rs.headers.to!, params: { ...rs.headers.to!.params, tag: 'declined' } };
      ws.send(sipPackage.stringify(rs));
    }
  });
  const registered = new Promise((resolve) => ws.once('message', resolve));
  ws.send(['REGISTER sip:box.invalid SIP/2.0', 'Via: SIP/2.0/WSS c.invalid;branch=z9hG4bKdoors1', 'Max-Forwards: 70', `To: <sip:${user}@box.invalid>`,
    `From: <sip:${user}@box.invalid>;tag=r1`, `Call-ID: doors-${user}`, 'CSeq: 1 REGISTER', 'Contact: <sip:ph@c.invalid;transport=ws>;expires=600', 'Content-Length: 0', '', ''].join('\r\n'));
  await registered;
  return {
    user,
    send: async (method, path, body) => {
      const res = await fetch(c.box.base + path, { method, headers: { cookie, 'x-csrf-token': s.csrfToken, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, text: await res.text() };
    },
    rung: () => Promise.race([invited, new Promise<void>((r) => setTimeout(r, 20_000).unref())]),
    close: () => ws.close(),
  };
}
const PASSWORD = 'correct horse battery';

async function newUser(c: Ctx): Promise<string> {
  const name = `u-${unique()}`;
  const r = await c.box.api.send('POST', '/api/users', { username: name, password: PASSWORD, role: 'viewer' });
  if (r.status !== 201) throw new Error(`user: ${r.text}`);
  return name;
}

async function newList(c: Ctx): Promise<number> {
  const up = await c.box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=c.csv', Buffer.from('phone,name\n+33142000001,Ann\n'));
  const r = await c.box.api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: `l-${unique()}`, country: 'FR', mapping: { phone: 'phone' } });
  if (r.status !== 201) throw new Error(`list: ${r.text}`);
  return r.body.list.id;
}

async function newRecording(c: Ctx): Promise<string> {
  const r = await c.box.api.send<{ id: string }>('POST', '/api/recordings/tts', { text: 'This is a test.', voice: 'en' });
  if (r.status !== 201) throw new Error(`recording: ${r.text}`);
  return r.body.id;
}

let callerIdSeq = 0;
async function newCallerId(c: Ctx): Promise<string> {
  const number = `+3316300${String(1000 + ++callerIdSeq)}`;
  const r = await c.box.api.send('POST', '/api/compliance/caller-ids', { number, label: 'Front desk' });
  if (r.status !== 201) throw new Error(`caller ID: ${r.text}`);
  return number;
}

const consent = (number: string) => ({
  number, seller: 'Acme', purpose: 'marketing', method: 'recording', givenAt: '2026-01-05T10:00:00Z', disclosureText: 'Yes, you may call me', disclosureVersion: 'v1', source: 'call 12',
});

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
  'user.add': {
    cli: {
      success: async (c) => commandStopped(c, ['user', 'add', `u-${unique()}`, '--role', 'operator', '--password-file', join(c.files, 'password')]),
      refusal: async (c) => commandStopped(c, ['user', 'add', `u-${unique()}`, '--role', 'boss', '--password-file', join(c.files, 'password')]),
    },
    http: {
      success: async (c) => http(await c.box.api.send('POST', '/api/users', { username: `u-${unique()}`, password: PASSWORD, role: 'viewer' })),
      refusal: async (c) => http(await c.box.api.send('POST', '/api/users', { username: 'admin', password: PASSWORD, role: 'viewer' })),
    },
  },
  // Issue 16: staff who take calls, their desk phones, the inbound flow.
  'staff.settings': {
    http: {
      success: async (c) => http(await c.box.api.send('PUT', '/api/staff/settings', { staff: { transferNumbers: ['+33142000100'], deskPhoneRanges: ['192.168.1.0/24'] }, inbound: { recentDays: 5 } })),
      refusal: async (c) => http(await c.box.api.send('PUT', '/api/staff/settings', { staff: { deskPhoneRanges: ['the office'] } })),
    },
  },
  'user.staff': {
    http: {
      success: async (c) => http(await c.box.api.send('PUT', `/api/users/${await newUser(c)}/staff`, { takeCalls: true, deskPhonePassword: 'a long desk phone secret' })),
      refusal: async (c) => http(await c.box.api.send('PUT', '/api/users/nobody/staff', { takeCalls: true })),
    },
  },
  'user.update': {
    cli: {
      // A forgotten password reset by the command line, the box stopped.
      success: async (c) => commandStopped(c, ['user', 'set', await cliUser(c), '--password-file', join(c.files, 'password')]),
      refusal: async (c) => commandStopped(c, ['user', 'set', 'nobody', '--role', 'viewer']),
    },
    http: {
      success: async (c) => http(await c.box.api.send('PUT', `/api/users/${await newUser(c)}`, { role: 'operator', password: 'another long one' })),
      refusal: async (c) => http(await c.box.api.send('PUT', '/api/users/nobody', { role: 'viewer' })),
    },
  },
  'user.delete': {
    cli: {
      success: async (c) => commandStopped(c, ['user', 'delete', await cliUser(c)]),
      refusal: async (c) => commandStopped(c, ['user', 'delete', 'nobody']),
    },
    http: {
      success: async (c) => http(await c.box.api.send('DELETE', `/api/users/${await newUser(c)}`)),
      refusal: async (c) => http(await c.box.api.send('DELETE', '/api/users/nobody')),
    },
  },
  'user.password': {
    http: {
      success: async (c) => {
        const name = await newUser(c);
        const as = await loginAs(c, name, PASSWORD);
        return { ...http(await as('PUT', '/api/users/me/password', { currentPassword: PASSWORD, newPassword: 'a brand new one' })), actor: `staff:${name}` };
      },
      refusal: async (c) => http(await c.box.api.send('PUT', '/api/users/me/password', { currentPassword: 'not my password', newPassword: 'a brand new one' })),
    },
  },
  'list.import': {
    http: {
      success: async (c) => {
        const up = await c.box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=c.csv', Buffer.from('phone,name\n+33142000001,Ann\n'));
        return http(await c.box.api.send('POST', '/api/lists', { uploadId: up.body.uploadId, name: `l-${unique()}`, country: 'FR', mapping: { phone: 'phone' } }));
      },
      refusal: async (c) => http(await c.box.api.send('POST', '/api/lists', { uploadId: 'no-such-upload', name: `l-${unique()}` })),
    },
    fleet: {
      success: async (c) => {
        const r = await fleet(c, 'list.import', { url: `${c.lan}/contacts.csv`, list: `from head office ${unique()}` });
        await audited(c, 'list.import', `fleet:${r.id}`);
        return r;
      },
      // A public address: refused before anything is fetched.
      refusal: async (c) => fleet(c, 'list.import', { url: 'http://8.8.8.8/contacts.csv', list: 'elsewhere' }),
    },
    cli: {
      success: async (c) => {
        const file = join(c.files, `${unique()}.csv`);
        writeFileSync(file, 'phone,name\n+33142000003,Cy\n+33142000004,Di\n');
        return command(c, ['import', file, '--list', `cli ${unique()}`, '--country', 'FR']);
      },
      refusal: async (c) => command(c, ['import', join(c.files, 'missing.csv'), '--list', `cli ${unique()}`]),
    },
  },
  'list.delete': {
    http: {
      success: async (c) => http(await c.box.api.send('DELETE', `/api/lists/${await newList(c)}`)),
      refusal: async (c) => http(await c.box.api.send('DELETE', '/api/lists/999999')),
    },
  },
  'recording.upload': {
    http: {
      success: async (c) => http(await c.box.api.send('POST', '/api/recordings?name=Greeting&filename=greeting.wav', wav())),
      refusal: async (c) => http(await c.box.api.send('POST', '/api/recordings?name=Noise&filename=noise.wav', Buffer.from('this is not audio at all'))),
    },
  },
  'recording.tts': {
    http: {
      success: async (c) => http(await c.box.api.send('POST', '/api/recordings/tts', { text: 'Your appointment is tomorrow.', voice: 'en' })),
      refusal: async (c) => http(await c.box.api.send('POST', '/api/recordings/tts', { text: 'Hello {first_name}.', voice: 'en' })),
    },
  },
  'recording.rename': {
    http: {
      success: async (c) => http(await c.box.api.send('PUT', `/api/recordings/${await newRecording(c)}`, { name: 'Renamed' })),
      refusal: async (c) => http(await c.box.api.send('PUT', '/api/recordings/nope', { name: 'Renamed' })),
    },
  },
  'recording.delete': {
    http: {
      success: async (c) => http(await c.box.api.send('DELETE', `/api/recordings/${await newRecording(c)}`)),
      refusal: async (c) => http(await c.box.api.send('DELETE', '/api/recordings/nope')),
    },
  },
  'callerid.add': {
    http: {
      success: async (c) => http(await c.box.api.send('POST', '/api/compliance/caller-ids', { number: `+3316300${String(5000 + ++callerIdSeq)}`, label: 'Main line' })),
      refusal: async (c) => http(await c.box.api.send('POST', '/api/compliance/caller-ids', { number: 'hello', label: 'Main line' })),
    },
  },
  'callerid.relabel': {
    http: {
      success: async (c) => http(await c.box.api.send('PUT', `/api/compliance/caller-ids/${encodeURIComponent(await newCallerId(c))}`, { label: 'Reception' })),
      refusal: async (c) => http(await c.box.api.send('PUT', `/api/compliance/caller-ids/${encodeURIComponent('+33163999999')}`, { label: 'Reception' })),
    },
  },
  'callerid.remove': {
    http: {
      success: async (c) => http(await c.box.api.send('DELETE', `/api/compliance/caller-ids/${encodeURIComponent(await newCallerId(c))}`)),
      refusal: async (c) => http(await c.box.api.send('DELETE', `/api/compliance/caller-ids/${encodeURIComponent('+33163999999')}`)),
    },
  },
  'callerid.verify-start': {
    http: {
      success: async (c) => http(await c.box.api.send('POST', `/api/compliance/caller-ids/${encodeURIComponent(await newCallerId(c))}/verify`, {})),
      refusal: async (c) => http(await c.box.api.send('POST', `/api/compliance/caller-ids/${encodeURIComponent('+33163999999')}/verify`, {})),
    },
  },
  'dnc.import': {
    http: {
      success: async (c) => http(await c.box.api.send('POST', '/api/compliance/dnc/import', { text: `phone\n${nextNumber()}\n${nextNumber()}\n`, reason: 'shop list' })),
      refusal: async (c) => http(await c.box.api.send('POST', '/api/compliance/dnc/import', { text: `${nextNumber()}\n`, reason: 'x' })),
    },
  },
  'registry.import': {
    http: {
      success: async (c) => http(await c.box.api.send('PUT', '/api/compliance/registries/fr-bloctel', { text: `${nextNumber()}\n`, downloadedAt: new Date(Date.now() - 86_400_000).toISOString() })),
      refusal: async (c) => http(await c.box.api.send('PUT', '/api/compliance/registries/fr-bloctel', { text: '', downloadedAt: new Date(Date.now() + 86_400_000).toISOString() })),
    },
  },
  'consent.record': {
    http: {
      success: async (c) => http(await c.box.api.send('POST', '/api/compliance/consents', consent(nextNumber()))),
      refusal: async (c) => http(await c.box.api.send('POST', '/api/compliance/consents', consent('hello'))),
    },
  },
  'consent.revoke': {
    http: {
      success: async (c) => {
        const n = nextNumber();
        await c.box.api.send('POST', '/api/compliance/consents', consent(n));
        return http(await c.box.api.send('POST', '/api/compliance/consents/revoke', { number: n, seller: 'Acme', channel: 'reply STOP' }));
      },
      refusal: async (c) => http(await c.box.api.send('POST', '/api/compliance/consents/revoke', { number: 'hello', channel: 'reply STOP' })),
    },
  },
  'call.place': {
    cli: {
      // Dialled straight to the sandbox's SIP port; whatever the far end answers, the command reports the outcome.
      success: async (c) => {
        const play = join(c.files, 'message.wav');
        writeFileSync(play, wav());
        return command(c, ['call', `sip:doors@127.0.0.1:${c.box.app.sandboxPort}`, '--play', play, '--ring-timeout', '2']);
      },
      refusal: async (c) => {
        const play = join(c.files, 'message.wav');
        writeFileSync(play, wav());
        return command(c, ['call', 'call-mum', '--play', play]);
      },
    },
  },
  'trunk.test-call': {
    http: {
      // Answered when the call has ended (the sandbox does not answer here: its 480 after 2 s), audited before it was placed.
      success: async (c) => http(await c.box.api.send('POST', '/api/trunks/sandbox/test-call', { to: '+33612345678', recordingId: await newRecording(c) })),
      refusal: async (c) => http(await c.box.api.send('POST', '/api/trunks/nope/test-call', { to: '+33612345678', recordingId: 'nope' })),
    },
  },
  // flow editor (issue 15): one call to the sandbox, answered with the path; a campaign that does not exist is refused.
  'flow.try': {
    http: {
      success: async (c) => http(await c.box.api.send('POST', `/api/campaigns/${await c.draft()}/try`, { callee: 'listener' })),
      refusal: async (c) => http(await c.box.api.send('POST', '/api/campaigns/999999/try', { callee: 'listener' })),
    },
  },
  // issue 16: a user whose softphone (the test plays its SIP over the box's WebSocket) declines the call
  // the box rings it with; refused for the admin, whose softphone is not taking calls.
  'flow.call-browser': {
    http: {
      success: async (c) => {
        const phone = await softphoneUser(c, 'operator');
        try {
          const r = await phone.send('POST', `/api/campaigns/${await c.draft()}/call-my-browser`, {});
          if (r.status < 300) await phone.rung();
          return { ...http(r), actor: `staff:${phone.user}` };
        } finally {
          phone.close();
        }
      },
      refusal: async (c) => http(await c.box.api.send('POST', `/api/campaigns/${await c.draft()}/call-my-browser`, {})),
    },
  },
  // An admin listens to a live call, where the settings allow it (the test's softphone declines the ring); refused while they do not.
  'call.listen': {
    http: {
      success: async (c) => {
        await c.box.api.send('PUT', '/api/staff/settings', { staff: { listenIn: true } });
        const phone = await softphoneUser(c, 'admin');
        try {
          // This box's sandbox answers nobody: the live call is one to baresip (answering), listed as the dialer lists its calls.
          const callee = await startBaresip({});
          try {
            const call = c.box.app.engine.dial({ to: callee.uri, from: '+33162000000', ringTimeoutMs: 10_000 });
            await new Promise<void>((resolve, reject) => { call.once('answered', () => resolve()); void call.done.then(() => reject(new Error('the callee did not answer'))); });
            const unlist = c.box.app.liveCalls.add(call, { kind: 'campaign', campaignId: 1, campaignName: 'doors', numberTail: '0001', since: Date.now() });
            const r = http(await phone.send('POST', `/api/calls/${call.id}/listen`, {}));
            if (r.ok) await phone.rung();
            await call.hangup();
            unlist();
            return { ...r, actor: `staff:${phone.user}` };
          } finally {
            await callee.stop();
          }
        } finally {
          phone.close();
          await c.box.api.send('PUT', '/api/staff/settings', { staff: { listenIn: false } });
        }
      },
      refusal: async (c) => http(await c.box.api.send('POST', '/api/calls/no-such-call/listen', {})),
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
  t.timeout(300_000);
  const lan: Server = createServer((_rq, res) => { res.writeHead(200, { 'content-type': 'text/csv' }); res.end('phone,name\n+33142000005,Eve\n+33142000006,Fay\n'); });
  await new Promise<void>((r) => lan.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => lan.close(() => r())));
  const broker = await Mosquitto.create();
  t.teardown(() => broker.dispose());
  const dataDir = mkdtempSync(join(tmpdir(), 'vba-doors-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const box = await startTestBox({
    // Nobody answers; the network gives up on an unanswered call after 2 s (480) instead of 3 min, so the
    // trunk test call ends well before its own 30 s ring timeout.
    dataDir, sandbox: { seed: 5, timeScale: 0.1, mix: 'no-answer=1', timings: { noAnswerCapMs: 2000 } },
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
  const files = mkdtempSync(join(tmpdir(), 'vba-doors-files-'));
  t.teardown(() => rmSync(files, { recursive: true, force: true }));
  writeFileSync(join(files, 'password'), `${PASSWORD}\n`);
  const stopped = mkdtempSync(join(tmpdir(), 'vba-doors-stopped-'));
  t.teardown(() => rmSync(stopped, { recursive: true, force: true }));
  const ctx: Ctx = {
    box, req, listId: list.body.list.id, files, stopped, lan: `http://127.0.0.1:${(lan.address() as AddressInfo).port}`,
    draft: async () => {
      const r = await box.api.send<{ id: number }>('POST', '/api/campaigns', { name: `c-${randomUUID().slice(0, 8)}`, listId: list.body.list.id, config });
      if (r.status !== 201) throw new Error(r.text);
      return r.body.id;
    },
  };

  // The stopped box has an admin (a box always keeps one), made by the command line.
  const root = await commandStopped(ctx, ['user', 'add', 'root', '--role', 'admin', '--password-file', join(files, 'password')]);
  t.true(root.ok, root.text);

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
        const actor = r.actor ?? (door === 'http' ? 'staff:admin' : door === 'cli' ? 'cli' : `fleet:${(r as { id?: string }).id}`);
        const written = r.audit ?? entriesSince(ctx, seq);
        const found = written.filter((e) => e.action === name && e.actor === actor);
        t.is(found.length, 1, `${action.name} through ${door} (${kind}): one "${name}" entry by ${actor}; saw ${JSON.stringify(written.map((e) => [e.action, e.actor]))}`);
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

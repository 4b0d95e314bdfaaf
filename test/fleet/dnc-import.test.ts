// Fleet commands that change the box's data: do-not-call entries added (by number or by hash, as an
// opt-out made on another box) and removed, and a contact list fetched from a URL on the LAN.
import test, { type ExecutionContext } from 'ava';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './mosquitto.ts';
import { fleetSetup, inAnHour } from './helpers.ts';
import { DncRepo } from '../../appliance/store/compliance-dnc-repo.ts';
import { dncHash } from '../../appliance/compliance/number-hash.ts';
import { OutboxRepo } from '../../appliance/store/outbox-repo.ts';
import { isPrivateAddress } from '../../appliance/fleet/lan-fetch.ts';

const setup = (t: ExecutionContext, boxId: string) => fleetSetup(t, boxId, { start: true });

async function listServer(t: ExecutionContext, body: string): Promise<string> {
  const server: Server = createServer((rq, res) => {
    if (rq.url === '/moved.csv') { res.writeHead(302, { location: '/contacts.csv' }); res.end(); return; }
    res.writeHead(200, { 'content-type': 'text/csv', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('dnc.add suppresses a number (channel fleet, an optout event) and runs once per id; a hash alone works too', async (t) => {
  t.timeout(30_000);
  const { box, req } = await setup(t, 'box-dnc');
  const cmd = { id: 'dnc-1', expiresAt: inAnHour(), type: 'dnc.add', data: { number: '06 12 34 56 78', reason: 'consent revoked at head office' } };
  await req.send('a', cmd);
  const first = await req.answer('a');
  t.deepEqual(first, { data: { numberHash: dncHash('+33612345678'), added: true, consentsRevoked: 0 }, status: 'ok', error: null, transaction: 'dnc-1' });
  await req.send('b', cmd);
  t.deepEqual(await req.answer('b'), first);
  const dnc = new DncRepo(box.db);
  t.true(dnc.isSuppressed(dncHash('+33612345678')));
  t.like(dnc.list()[0], { source: 'fleet', reason: 'consent revoked at head office', actor: 'fleet:dnc-1' });

  const otherBox = dncHash('+33700000001');
  await req.send('c', { id: 'dnc-2', expiresAt: inAnHour(), type: 'dnc.add', data: { numberHash: otherBox } });
  t.like(await req.answer('c'), { status: 'ok', data: { numberHash: otherBox, added: true } });
  t.true(dnc.isSuppressed(otherBox));
  t.is(dnc.count(), 2);

  await req.send('d', { id: 'dnc-3', expiresAt: inAnHour(), type: 'dnc.add', data: { number: '+33612345678', numberHash: otherBox } });
  t.regex((await req.answer('d')).error!, /either "number" or "numberHash"/);
  await req.send('e', { id: 'dnc-4', expiresAt: inAnHour(), type: 'dnc.add', data: { number: 'call me maybe' } });
  t.like(await req.answer('e'), { status: 'error', data: { code: 'E_REQUEST_INVALID' } });
  // The opt-outs went into the outbox (and from there to the events topic): only hashes, never the number.
  await waitFor(() => new OutboxRepo(box.db).pending(10).length === 0, 10_000, 'the optout events to be published');
});

test('dnc.remove needs the number and a reason, and lifts the suppression', async (t) => {
  t.timeout(30_000);
  const { box, req } = await setup(t, 'box-undnc');
  await req.send('add', { id: 'add-1', expiresAt: inAnHour(), type: 'dnc.add', data: { number: '+33612345679' } });
  t.is((await req.answer('add')).status, 'ok');
  await req.send('no-reason', { id: 'rm-0', expiresAt: inAnHour(), type: 'dnc.remove', data: { number: '+33612345679' } });
  t.regex((await req.answer('no-reason')).error!, /data\.reason/);
  await req.send('by-hash', { id: 'rm-1', expiresAt: inAnHour(), type: 'dnc.remove', data: { numberHash: dncHash('+33612345679'), reason: 'renewed consent' } });
  t.regex((await req.answer('by-hash')).error!, /needs the number itself/);
  await req.send('rm', { id: 'rm-2', expiresAt: inAnHour(), type: 'dnc.remove', data: { number: '+33612345679', reason: 'renewed consent in writing' } });
  t.deepEqual((await req.answer('rm')).data, { numberHash: dncHash('+33612345679'), removed: true });
  t.false(new DncRepo(box.db).isSuppressed(dncHash('+33612345679')));
});

test('list.import fetches a CSV from the LAN, reports progress and the result; repeating the id tells how it ended', async (t) => {
  t.timeout(40_000);
  const { box, req } = await setup(t, 'box-import');
  const rows = ['Name,Phone', ...Array.from({ length: 300 }, (_, i) => `Person ${i},06${String(10_000_000 + i).padStart(8, '0')}`), 'Broken,12'];
  const base = await listServer(t, rows.join('\n') + '\n');
  await req.send('imp', { id: 'imp-1', expiresAt: inAnHour(), type: 'list.import', data: { url: `${base}/contacts.csv`, list: 'From head office' } });
  t.like(await req.answer('imp'), { status: 'ok', data: { state: 'accepted', list: 'From head office' } });
  await waitFor(() => (req.answers.get('imp') ?? []).some((a) => (a.data as { state?: string }).state === 'done' || a.status === 'error'), 30_000, 'the import to end');
  const all = req.answers.get('imp')!;
  t.true(all.some((a) => (a.data as { state?: string }).state === 'running'), 'progress messages came');
  const done = all.at(-1)!;
  t.like(done, { status: 'ok', transaction: 'imp-1', data: { state: 'done', list: 'From head office', rows: 301, accepted: 300, rejected: 1 } });
  const count = box.db.prepare('SELECT COUNT(*) FROM contacts c JOIN lists l ON l.id = c.list_id WHERE l.name = ?').pluck().get('From head office');
  t.is(count, 300);
  await req.send('again', { id: 'imp-1', expiresAt: inAnHour(), type: 'list.import', data: { url: `${base}/contacts.csv`, list: 'From head office' } });
  t.deepEqual(await req.answer('again'), done);
});

test('list.import refuses public hosts, other schemes, redirects and files over the limit', async (t) => {
  t.timeout(30_000);
  const { req } = await setup(t, 'box-import-no');
  const base = await listServer(t, 'Name,Phone\nA,0612345678\n');
  await req.send('public', { id: 'i-1', expiresAt: inAnHour(), type: 'list.import', data: { url: 'http://8.8.8.8/list.csv', list: 'x' } });
  t.like(await req.answer('public'), { status: 'error', data: { state: 'refused', code: 'E_FORBIDDEN' } });
  t.regex((await req.answer('public')).error!, /not on the LAN/);
  await req.send('ftp', { id: 'i-2', expiresAt: inAnHour(), type: 'list.import', data: { url: 'ftp://127.0.0.1/list.csv', list: 'x' } });
  t.regex((await req.answer('ftp')).error!, /data\.url/);
  await req.send('big', { id: 'i-3', expiresAt: inAnHour(), type: 'list.import', data: { url: `${base}/contacts.csv`, list: 'y', maxBytes: 10 } });
  await waitFor(() => (req.answers.get('big') ?? []).some((a) => a.status === 'error'), 10_000, 'the size refusal');
  t.like(req.answers.get('big')!.at(-1), { status: 'error', data: { state: 'failed', code: 'E_TOO_LARGE' } });
  await req.send('moved', { id: 'i-4', expiresAt: inAnHour(), type: 'list.import', data: { url: `${base}/moved.csv`, list: 'z' } });
  await waitFor(() => (req.answers.get('moved') ?? []).some((a) => a.status === 'error'), 10_000, 'the redirect refusal');
  t.regex(req.answers.get('moved')!.at(-1)!.error!, /redirect/);
});

test('private and loopback addresses are told from public and link-local ones', (t) => {
  for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.1', '192.168.1.10', '::1', 'fd12:3456::1', '::ffff:192.168.0.2', '::ffff:c0a8:2']) t.true(isPrivateAddress(a), a);
  for (const a of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '2001:db8::1', '::ffff:8.8.8.8', 'not-an-ip', '169.254.1.1', 'fe80::1']) t.false(isPrivateAddress(a), a);
});

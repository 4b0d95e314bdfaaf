// Deleting a campaign: a draft (or one stopped before any call) goes whole and leaves an audit entry;
// a running or paused one, or one that has placed calls, is refused with E_CAMPAIGN_IN_USE and stays;
// a viewer may not delete; an unknown id is not found.
import test from 'ava';
import { startTestBox, type TestBox } from '../../support/appliance.ts';
import { listAudit } from '../../../appliance/store/compliance-audit-repo.ts';

interface ApiError { error: { code: string; message: string } }

/** A second session, as another user logs in through the UI. */
async function loginAs(box: TestBox, username: string, password: string) {
  const r = await fetch(`${box.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status}`);
  const { csrfToken } = (await r.json()) as { csrfToken: string };
  const headers = { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0]!, 'x-csrf-token': csrfToken };
  return async (method: string, path: string) => {
    const res = await fetch(box.base + path, { method, headers });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as unknown, text };
  };
}

test('a draft is deleted with its audit entry; a paused campaign or one with calls on record is refused and stays', async (t) => {
  t.timeout(60_000);
  const box = await startTestBox({ sandbox: { seed: 5, timeScale: 0.1, mix: 'no-answer=1' } });
  t.teardown(() => box.stop());
  const ok = (r: { status: number; text: string }, status = 200): void => { t.is(r.status, status, r.text); };
  ok(await box.api.send('POST', '/api/users', { username: 'olga', password: 'operator passphrase 1', role: 'operator' }), 201);
  ok(await box.api.send('POST', '/api/users', { username: 'vic', password: 'viewer passphrase 1', role: 'viewer' }), 201);
  const operator = await loginAs(box, 'olga', 'operator passphrase 1');
  const viewer = await loginAs(box, 'vic', 'viewer passphrase 1');

  const csv = 'phone,name\n+33142000001,Ann\n+33142000002,Bob\n+33142000003,Cid\n';
  const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=c.csv', Buffer.from(csv));
  const list = await box.api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'patients', country: 'FR', mapping: { phone: 'phone' } });
  ok(list, 201);
  const rec = await box.api.send<{ id: string }>('POST', '/api/recordings/tts', { text: 'Rappel de rendez-vous.', voice: 'fr', name: 'Rappel' });
  ok(rec, 201);
  const config = { message: rec.body.id, callerId: '+33162000000', trunks: ['sandbox'], schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] }, ringTimeoutMs: 5000, maxAttempts: 1 };
  const create = async (name: string): Promise<number> => {
    const c = await box.api.send<{ id: number }>('POST', '/api/campaigns', { name, listId: list.body.list.id, config });
    ok(c, 201);
    return c.body.id;
  };
  const names = async (): Promise<string[]> => (await box.api.get<Array<{ name: string }>>('/api/campaigns')).body.map((c) => c.name);
  const draft = await create('draft');
  const neverRun = await create('stopped before any call');
  const used = await create('reminders');

  // A viewer may look but not delete.
  const denied = await viewer('DELETE', `/api/campaigns/${draft}`);
  t.is(denied.status, 403, denied.text);
  t.true((await names()).includes('draft'));

  // The draft goes, and so does one stopped before it was ever started.
  ok(await operator('DELETE', `/api/campaigns/${draft}`));
  ok(await box.api.send('POST', `/api/campaigns/${neverRun}/stop`));
  ok(await operator('DELETE', `/api/campaigns/${neverRun}`));
  t.deepEqual(await names(), ['reminders']);
  const gone = await operator('GET', `/api/campaigns/${draft}`);
  t.is(gone.status, 404);
  const again = await operator('DELETE', `/api/campaigns/${draft}`);
  t.is(again.status, 404);
  t.is((again.body as ApiError).error.code, 'E_NOT_FOUND');

  // Started then paused: refused, and still there.
  ok(await box.api.send('POST', `/api/campaigns/${used}/start`));
  ok(await box.api.send('POST', `/api/campaigns/${used}/pause`));
  const paused = await operator('DELETE', `/api/campaigns/${used}`);
  t.is(paused.status, 409, paused.text);
  t.is((paused.body as ApiError).error.code, 'E_CAMPAIGN_IN_USE');
  // The dialer may already have placed calls: then those are the reason given.
  t.regex((paused.body as ApiError).error.message, /paused; stop it|call attempts? on record/);
  t.true((await names()).includes('reminders'));

  // Once it has placed calls, even stopped it stays: its attempts are the record of the calls made.
  ok(await box.api.send('POST', `/api/campaigns/${used}/resume`));
  const until = Date.now() + 30_000;
  while ((await box.api.get<{ attempts: number }>(`/api/campaigns/${used}/report`)).body.attempts === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  ok(await box.api.send('POST', `/api/campaigns/${used}/stop`));
  const refused = await operator('DELETE', `/api/campaigns/${used}`);
  t.is(refused.status, 409, refused.text);
  t.is((refused.body as ApiError).error.code, 'E_CAMPAIGN_IN_USE');
  t.regex((refused.body as ApiError).error.message, /call attempts? on record.*compliance/);
  t.deepEqual(await names(), ['reminders']);
  t.true(((await operator('GET', `/api/campaigns/${used}/report`)).body as { attempts: number }).attempts > 0);

  // Two deletions audited, naming the operator and the campaign; the refusals delete nothing, so log none.
  const deletions = listAudit(box.app.db, { limit: 1000 }).filter((e) => e.action === 'campaign.delete');
  t.deepEqual(deletions.map((e) => [e.actor, e.subject]), [['staff:olga', `campaign:${draft}`], ['staff:olga', `campaign:${neverRun}`]]);
  t.like(deletions.find((e) => e.subject === `campaign:${draft}`)!.details, { name: 'draft', status: 'draft' });
});

// Listen-in and "call my browser" through the API (issue 16), on a whole box: who may, when, and the
// audit log's record of each refusal. (What is heard is checked in a browser: test/web-ui/call-my-browser.test.ts.)
import test from 'ava';
import { startTestBox, type TestBox } from '../support/appliance.ts';

type Audit = Array<{ action: string; actor: string; subject: string | null; details: Record<string, unknown> }>;

async function session(box: TestBox, username: string, role: 'operator' | 'admin'): Promise<(method: string, path: string, body?: unknown) => Promise<{ status: number; body: { code?: string; message?: string } & Record<string, unknown> }>> {
  const password = 'a long password for tests';
  const made = await box.api.send('POST', '/api/users', { username, password, role });
  if (made.status !== 201) throw new Error(made.text);
  const r = await fetch(`${box.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  const s = (await (await fetch(`${box.base}/api/session`, { headers: { cookie } })).json()) as { csrfToken: string };
  return async (method, path, body) => {
    const res = await fetch(box.base + path, { method, headers: { cookie, 'x-csrf-token': s.csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await res.json() as { error?: { code: string; message: string } } & Record<string, unknown>;
    // An error's code and message, or the reply itself.
    return { status: res.status, body: json.error ?? json };
  };
}

test('listen-in is refused, with a clear error and an audit entry, for an operator, while the setting is off, and for a call that is not live', async (t) => {
  const box = await startTestBox();
  t.teardown(() => box.stop());
  const operator = await session(box, 'olivia', 'operator');
  const admin = await session(box, 'adam', 'admin');

  // An operator: not even the list of live calls.
  t.is((await operator('GET', '/api/calls/live')).status, 403);
  const op = await operator('POST', '/api/calls/some-call/listen', {});
  t.is(op.status, 403);
  t.is(op.body.code, 'E_FORBIDDEN');

  // An admin, while staff.listenIn is off (the default): the list says so, and listening is refused.
  const view = await admin('GET', '/api/calls/live');
  t.like(view.body, { listenIn: false, calls: [] });
  const off = await admin('POST', '/api/calls/some-call/listen', {});
  t.is(off.status, 403);
  t.is(off.body.code, 'E_LISTEN_IN_OFF');
  t.regex(off.body.message ?? '', /staff\.listenIn/);

  // Turned on: a call that is not live is not found.
  t.is((await box.api.send('PUT', '/api/staff/settings', { staff: { listenIn: true } })).status, 200);
  const gone = await admin('POST', '/api/calls/some-call/listen', {});
  t.is(gone.status, 404);
  t.is(gone.body.code, 'E_NOT_FOUND');

  const audit = (await box.api.get<Audit>('/api/compliance/audit?limit=1000')).body.filter((e) => e.action === 'call.listen-refused');
  t.true(audit.some((e) => e.actor === 'staff:olivia'), JSON.stringify(audit));
  t.true(audit.some((e) => e.actor === 'staff:adam' && e.subject === 'call:some-call' && /turned off/.test(String(e.details.message ?? JSON.stringify(e.details)))), JSON.stringify(audit));
  t.is(audit.filter((e) => e.actor === 'staff:adam').length, 2);
});

test('"call my browser" is refused, and audited, while the user\'s softphone is not taking calls', async (t) => {
  const box = await startTestBox();
  t.teardown(() => box.stop());
  const operator = await session(box, 'olivia', 'operator');
  const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=c.csv', Buffer.from('phone,name\n+33142000001,Ann\n'));
  const list = await box.api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'L', country: 'FR' });
  const made = await box.api.send<{ id: number }>('POST', '/api/campaigns', {
    name: 'C', listId: list.body.list.id,
    config: { message: null, tts: { text: 'Hello {first_name}.', voice: 'en' }, menu: { optOut: '9' }, callerId: '+33162000000', trunks: ['sandbox'], schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] }, ringTimeoutMs: 20000, maxAttempts: 1, amd: false },
  });
  t.is(made.status, 201, JSON.stringify(made.body));
  // Not allowed to take calls at all, then allowed but with no softphone registered.
  const notAllowed = await operator('POST', `/api/campaigns/${made.body.id}/call-my-browser`, {});
  t.is(notAllowed.status, 409);
  t.is(notAllowed.body.code, 'E_SOFTPHONE_OFF');
  t.regex(notAllowed.body.message ?? '', /not allowed to take calls/);
  await box.api.send('PUT', '/api/users/olivia/staff', { takeCalls: true });
  const noPhone = await operator('POST', `/api/campaigns/${made.body.id}/call-my-browser`, {});
  t.is(noPhone.status, 409);
  t.regex(noPhone.body.message ?? '', /Take calls/);
  const audit = (await box.api.get<Audit>('/api/compliance/audit?limit=1000')).body.filter((e) => e.action === 'flow.call-browser-refused' && e.actor === 'staff:olivia');
  t.is(audit.length, 2, JSON.stringify(audit));
});

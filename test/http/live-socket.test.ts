// Over a real TCP socket: login with fetch, the live feed over WebSocket, logout closing it.
import test from 'ava';
import WebSocket from 'ws';
import { printedPassword, startBox } from './helpers.ts';
import type { LiveMessage } from '../../appliance/http/live-feed.ts';

function nextMessage(ws: WebSocket): Promise<LiveMessage> {
  return new Promise((resolve, reject) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data)) as LiveMessage));
    ws.once('error', reject);
  });
}

/** The HTTP status with which the server refused a WebSocket upgrade. */
function refusal(ws: WebSocket): Promise<number> {
  ws.on('error', () => undefined); // aborting the handshake reports an error we expect
  return new Promise((resolve) => ws.once('unexpected-response', (_req, r) => {
    resolve(r.statusCode ?? 0);
    ws.terminate();
  }));
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

test('over a real socket: log in, receive live events, refused without a session, closed at logout', async (t) => {
  const box = await startBox();
  t.teardown(() => box.close());
  const base = `http://127.0.0.1:${box.svc.port}`;
  t.true(box.svc.port > 0);

  const noSession = await fetch(`${base}/api/health`);
  t.is(noSession.status, 401);
  t.is(((await noSession.json()) as { error: { code: string } }).error.code, 'E_AUTH');

  const res = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: printedPassword(box) }) });
  t.is(res.status, 200);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const health = await fetch(`${base}/api/health`, { headers: { cookie } });
  t.is(health.status, 200);
  t.like(await health.json(), { engine: 'embedded', activeCalls: 0, onSandbox: false });

  // Without a cookie the upgrade is refused with 401.
  const anon = new WebSocket(`ws://127.0.0.1:${box.svc.port}/api/live`);
  const refused = await refusal(anon);
  t.is(refused, 401);

  // From a page of another site (cross-site WebSocket hijacking) it is refused too.
  const foreign = new WebSocket(`ws://127.0.0.1:${box.svc.port}/api/live`, { headers: { cookie }, origin: 'http://evil.example' });
  const foreignStatus = await refusal(foreign);
  t.is(foreignStatus, 403);

  const ws = new WebSocket(`ws://127.0.0.1:${box.svc.port}/api/live`, { headers: { cookie }, origin: base });
  const hello = await nextMessage(ws);
  t.is(hello.type, 'hello');
  t.deepEqual(hello.data, { username: 'admin', role: 'admin' });
  t.is(box.svc.live.connections, 1);

  const progress = { uploadId: 'u1', list: 'customers', phase: 'reading' as const, rows: 10, bytesRead: 100, bytesTotal: 1000, accepted: 9, rejected: 1 };
  const got = nextMessage(ws);
  box.svc.live.publish('import.progress', progress);
  const msg = await got;
  t.is(msg.type, 'import.progress');
  t.deepEqual(msg.data, progress);
  t.regex(msg.at, /^\d{4}-\d\d-\d\dT/);

  const end = closed(ws);
  const out = await fetch(`${base}/api/logout`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken } });
  t.is(out.status, 200);
  t.is(await end, 4401);
  t.is(box.svc.live.connections, 0);
});

test('stop() closes open live connections and frees the port', async (t) => {
  const box = await startBox();
  t.teardown(() => box.close());
  const res = await fetch(`http://127.0.0.1:${box.svc.port}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: printedPassword(box) }) });
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const port = box.svc.port;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/live`, { headers: { cookie } });
  await nextMessage(ws);
  const end = closed(ws);
  await box.svc.stop();
  t.is(await end, 1001);
  await t.throwsAsync(fetch(`http://127.0.0.1:${port}/api/openapi.json`));
});

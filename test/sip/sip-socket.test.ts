// Browser softphones' SIP over WebSocket (RFC 7118) on the box's HTTP port, against the real embedded
// engine: refused before any SIP without a session, for a user who may not take calls, or without the
// "sip" subprotocol; accepted for a user who may, who registers itself only and cannot call out.
import test, { type ExecutionContext } from 'ava';
import WebSocket from 'ws';
import { addUser, login, printedPassword, startBox, type Box } from '../http/helpers.ts';
import { staffEngine, until } from './staff-support.ts';

async function boxWithEngine(t: ExecutionContext): Promise<{ box: Box; engine: Awaited<ReturnType<typeof staffEngine>> }> {
  const engine = await staffEngine(t);
  const box = await startBox({ engine, mayTakeCalls: (u) => u === 'admin' || u === 'agent' });
  t.teardown(() => box.close());
  return { box, engine };
}

function refusal(ws: WebSocket): Promise<number> {
  ws.on('error', () => undefined);
  return new Promise((resolve) => ws.once('unexpected-response', (_req, r) => { resolve(r.statusCode ?? 0); ws.terminate(); }));
}

function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
}

let seq = 0;
function register(user: string, expires = 600): string {
  seq++;
  return [
    'REGISTER sip:box.invalid SIP/2.0',
    `Via: SIP/2.0/WSS client${seq}.invalid;branch=z9hG4bKws${seq}`,
    'Max-Forwards: 70',
    `To: <sip:${user}@box.invalid>`,
    `From: <sip:${user}@box.invalid>;tag=t${seq}`,
    `Call-ID: reg-${seq}`,
    `CSeq: ${seq} REGISTER`,
    `Contact: <sip:x${seq}@client.invalid;transport=ws>;expires=${expires}`,
    'Content-Length: 0',
    '', '',
  ].join('\r\n');
}

function invite(): string {
  seq++;
  return [
    'INVITE sip:+15550003333@box.invalid SIP/2.0',
    `Via: SIP/2.0/WSS client.invalid;branch=z9hG4bKinv${seq}`,
    'Max-Forwards: 70',
    'To: <sip:+15550003333@box.invalid>',
    `From: <sip:agent@box.invalid>;tag=i${seq}`,
    `Call-ID: inv-${seq}`,
    `CSeq: 1 INVITE`,
    'Contact: <sip:x@client.invalid;transport=ws>',
    'Content-Length: 0',
    '', '',
  ].join('\r\n');
}

function answer(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve) => {
    ws.once('message', (d) => resolve(String(d)));
    ws.send(text);
  });
}

test('without a session the softphone socket is refused (401) before any SIP is read', async (t) => {
  const { box, engine } = await boxWithEngine(t);
  const ws = new WebSocket(`ws://127.0.0.1:${box.svc.port}/api/sip`, 'sip');
  t.is(await refusal(ws), 401);
  t.deepEqual(engine.staffEndpoints(), []);
});

test('a user who may not take calls, or a client without the sip subprotocol, is refused', async (t) => {
  const { box } = await boxWithEngine(t);
  await addUser(box, 'viewer1', 'a-long-password-1', 'viewer');
  const viewer = await login(box, 'viewer1', 'a-long-password-1');
  t.is(await refusal(new WebSocket(`ws://127.0.0.1:${box.svc.port}/api/sip`, 'sip', { headers: { cookie: viewer.cookie } })), 403);
  const admin = await login(box, 'admin', printedPassword(box));
  t.is(await refusal(new WebSocket(`ws://127.0.0.1:${box.svc.port}/api/sip`, { headers: { cookie: admin.cookie } })), 400);
});

test('a logged-in user who may take calls registers their softphone, not anyone else\'s, and cannot call out', async (t) => {
  const { box, engine } = await boxWithEngine(t);
  await addUser(box, 'agent', 'a-long-password-2', 'operator');
  const agent = await login(box, 'agent', 'a-long-password-2');
  const ws = new WebSocket(`ws://127.0.0.1:${box.svc.port}/api/sip`, 'sip', { headers: { cookie: agent.cookie } });
  await opened(ws);
  t.is(ws.protocol, 'sip');
  t.regex(await answer(ws, register('admin')), /^SIP\/2.0 403 /);
  t.deepEqual(engine.staffEndpoints(), []);
  const ok = await answer(ws, register('agent'));
  t.regex(ok, /^SIP\/2.0 200 /);
  t.regex(ok, /expires=600/);
  t.like(engine.staffEndpoints()[0], { user: 'agent', kind: 'browser', source: 'wss' });
  t.regex(await answer(ws, invite()), /^SIP\/2.0 403 /, 'no calls out through the box');
  ws.close();
  t.true(await until(() => engine.staffEndpoints().length === 0, 30_000), 'the registration goes with the socket');
});

test('logging out closes the softphone socket (4401) and its registration goes with it', async (t) => {
  const { box, engine } = await boxWithEngine(t);
  const admin = await login(box, 'admin', printedPassword(box));
  const ws = new WebSocket(`ws://127.0.0.1:${box.svc.port}/api/sip`, 'sip', { headers: { cookie: admin.cookie } });
  await opened(ws);
  t.regex(await answer(ws, register('admin')), /^SIP\/2.0 200 /);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const out = await box.app.inject({ method: 'POST', url: '/api/logout', headers: admin.headers });
  t.is(out.statusCode, 200);
  t.is(await closed, 4401);
  t.true(await until(() => engine.staffEndpoints().length === 0, 30_000));
});

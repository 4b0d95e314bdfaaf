// The whole box as `npm start` builds it (campaigns, recordings, compliance and every other route module
// main.ts registers), asked over real HTTP without a session: every route in its own route table answers
// 401, except login, the OpenAPI document and the static UI. The list comes from the server, so a route
// added later is covered without editing this test.
import test from 'ava';
import { startTestBox } from '../support/appliance.ts';

const PUBLIC = new Set(['POST /api/login', 'GET /api/openapi.json', 'HEAD /api/openapi.json', 'GET /*', 'HEAD /*']);

function concrete(url: string): string {
  return url.replace(/:[A-Za-z0-9_]+/g, '1').replace(/\*$/, 'some/asset.js');
}

test('every route of the running box answers 401 without a session (login, OpenAPI and static UI excepted)', async (t) => {
  const box = await startTestBox();
  t.teardown(() => box.stop());
  const table = box.app.http.routes;
  const keys = table.map((r) => `${r.method} ${r.url}`);
  // Route modules registered by the composition root, not only the HTTP service's own.
  for (const k of ['GET /api/campaigns', 'GET /api/recordings', 'GET /api/compliance/packs', 'GET /api/live']) t.true(keys.includes(k), k);
  let checked = 0;
  for (const r of table) {
    const key = `${r.method} ${r.url}`;
    if (r.url === '/api/live') continue; // WebSocket upgrade: covered by test/http/live-socket.test.ts
    const hasBody = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method);
    const res = await fetch(box.base + concrete(r.url), {
      method: r.method,
      headers: hasBody ? { 'content-type': 'application/json' } : {},
      body: hasBody ? '{}' : undefined,
    });
    await res.arrayBuffer();
    if (PUBLIC.has(key)) {
      t.not(res.status, 401, `${key} is public`);
    } else {
      t.is(res.status, 401, `${key} without a session answered ${res.status}`);
      checked++;
    }
  }
  t.log(`${checked} routes refused without a session, ${table.length - checked} public or WebSocket`);
  t.true(checked >= 30, `only ${checked} guarded routes found`);
});

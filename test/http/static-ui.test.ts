import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBox } from './helpers.ts';

test('without a built UI, / shows a page saying so, without a session', async (t) => {
  const box = await startBox();
  t.teardown(() => box.close());
  const res = await box.app.inject({ url: '/' });
  t.is(res.statusCode, 200);
  t.regex(String(res.headers['content-type']), /text\/html/);
  t.regex(res.body, /The web UI is not built/);
  t.truthy(res.headers['content-security-policy']);
  t.is(res.headers['x-content-type-options'], 'nosniff');
});

test('the built UI is served at / without a session, with client-side routes and no way out of its folder', async (t) => {
  const box = await startBox((dataDir) => {
    const root = join(dataDir, 'dist');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>UI</title><div id=app></div>');
    writeFileSync(join(root, 'assets', 'app-1a2b3c.js'), 'console.log("ui")');
    writeFileSync(join(dataDir, 'outside.txt'), 'not for the web');
    return { webRoot: root };
  });
  t.teardown(() => box.close());
  const app = box.app;

  const index = await app.inject({ url: '/' });
  t.is(index.statusCode, 200);
  t.regex(index.body, /<title>UI<\/title>/);
  t.is(index.headers['cache-control'], 'no-cache');
  const asset = await app.inject({ url: '/assets/app-1a2b3c.js' });
  t.is(asset.statusCode, 200);
  t.regex(String(asset.headers['content-type']), /text\/javascript/);
  t.regex(String(asset.headers['cache-control']), /immutable/);
  // A client-side route gets index.html; a missing file gets 404.
  t.regex((await app.inject({ url: '/campaigns/12' })).body, /<title>UI<\/title>/);
  t.is((await app.inject({ url: '/assets/missing.js' })).statusCode, 404);
  for (const url of ['/../outside.txt', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt', '/..%5coutside.txt']) {
    const res = await app.inject({ url });
    t.false(res.body.includes('not for the web'), url);
  }
  // Unknown API paths are JSON 404s, not the UI.
  const api = await app.inject({ url: '/api/nothing-here' });
  t.is(api.statusCode, 404);
  t.is((api.json() as { error: { code: string } }).error.code, 'E_NOT_FOUND');
});

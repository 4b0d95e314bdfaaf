import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAppError } from '../../../core/errors.ts';
import { PromptCache } from '../../../media/rtp/prompt-cache.ts';

test('a prompt is read once and shared; least recently used prompts go when over budget', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'prompt-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, bytes: number) => {
    const p = join(dir, name);
    writeFileSync(p, Buffer.alloc(bytes, 0x55));
    return p;
  };
  const a = file('a.pcmu', 400);
  const b = file('b.pcmu', 400);
  const c = file('c.pcma', 400);
  const cache = new PromptCache({ maxBytes: 1000 });
  const [a1, a2] = await Promise.all([cache.load(a), cache.load(a)]);
  t.is(a1, a2, 'concurrent loads share one read');
  writeFileSync(a, Buffer.alloc(10)); // a changed file is not re-read: prompts are immutable once imported
  t.is(await cache.load(a), a1);
  await cache.load(b);
  await cache.load(a); // a is now the most recent
  t.is(await cache.forPrompt({ id: 'x', pcmu: b, pcma: c }, 'pcma'), await cache.load(c));
  t.is(cache.size, 2, 'b was evicted');
  t.is(cache.bytes, 800);
  t.is((await cache.load(a)).length, 400);
  cache.invalidate(a);
  t.is((await cache.load(a)).length, 10);
  const missing = await t.throwsAsync(cache.load(join(dir, 'nope.pcmu')));
  t.true(isAppError(missing) && missing.code === 'E_PROMPT');
  const empty = await t.throwsAsync(cache.load(file('empty.pcmu', 0)));
  t.true(isAppError(empty) && empty.code === 'E_PROMPT');
});

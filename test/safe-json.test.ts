// The safe parser for untrusted JSON: prototype keys refused wherever they are, with their path.
import test from 'ava';
import { findPrototypeKey, parseJsonSafe, UnsafeJsonError } from '../core/safe-json.ts';

test('prototype keys are refused at any depth, with the dotted path of the first one', (t) => {
  for (const [text, field] of [
    ['{"__proto__":{"polluted":1}}', '__proto__'],
    ['{"a":{"b":[1,{"constructor":{"prototype":{"polluted":1}}}]}}', 'a.b.1.constructor'],
    ['[{"x":{"prototype":1}}]', '0.x.prototype'],
  ] as const) {
    const e = t.throws(() => parseJsonSafe(text), { instanceOf: UnsafeJsonError });
    t.is(e.field, field);
    t.regex(e.message, /is not allowed/);
  }
  t.is(({} as Record<string, unknown>).polluted, undefined);
});

test('ordinary documents parse as JSON.parse does; syntax errors stay SyntaxError; deep nesting does not overflow', (t) => {
  t.deepEqual(parseJsonSafe('{"a":[1,"constructors",{"proto":true}]}'), { a: [1, 'constructors', { proto: true }] });
  t.throws(() => parseJsonSafe('{'), { instanceOf: SyntaxError });
  const deep = '['.repeat(20_000) + ']'.repeat(20_000);
  t.is(findPrototypeKey(JSON.parse(deep)), null);
  t.deepEqual(findPrototypeKey({ s: { x: 1 } }, 'settings'), null);
  t.deepEqual(findPrototypeKey(JSON.parse('{"x":{"__proto__":1}}'), 'settings'), { field: 'settings.x.__proto__', key: '__proto__' });
});

// The compliance page finds a number in the hashed do-not-call list with the box's own hash.
import test from 'ava';
import { createHash } from 'node:crypto';
import { dncHash as pageHash, sha256Hex, toE164 } from '../../web-ui/src/pages/compliance/number-hash.ts';
import { dncHash } from '../../appliance/compliance/number-hash.ts';

test('the page hashes a number exactly as the box does', (t) => {
  for (const s of ['', 'abc', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64), 'é€'.repeat(40)]) {
    t.is(sha256Hex(s), createHash('sha256').update(s).digest('hex'), `length ${s.length}`);
  }
  t.is(pageHash('+33612345678'), dncHash('+33612345678'));
});

test('typed numbers are read as E.164 for the box country', (t) => {
  t.is(toE164('06 12 34 56 78', 'FR'), '+33612345678');
  t.is(toE164('0033 6 12 34 56 78', 'FR'), '+33612345678');
  t.is(toE164('(415) 555-0100', 'US'), '+14155550100');
  t.is(toE164('+44 20 7946 0958', 'FR'), '+442079460958');
  t.is(toE164('hello', 'FR'), null);
});

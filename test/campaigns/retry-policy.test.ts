import test from 'ava';
import { decideRetry } from '../../appliance/campaigns/retry-policy.ts';
import { defaultRetryPolicy } from '../../appliance/campaigns/model.ts';

const policy = defaultRetryPolicy();
const zones = ['Europe/Paris'];
const now = Date.UTC(2026, 10, 30, 10, 0);

test('busy is retried after 15 minutes, three times, then final', (t) => {
  let retries = {};
  for (let i = 0; i < 3; i++) {
    const d = decideRetry('busy', { attempts: i + 1, retries, zones }, policy, 10, now);
    t.deepEqual(d, { kind: 'retry', at: now + 15 * 60_000, counted: true, retries: { busy: i + 1 } });
    retries = { busy: i + 1 };
  }
  t.deepEqual(decideRetry('busy', { attempts: 4, retries, zones }, policy, 10, now), { kind: 'final', outcome: 'busy', counted: true });
});

test('an invalid number is never retried', (t) => {
  t.deepEqual(decideRetry('invalid-number', { attempts: 1, retries: {}, zones }, policy, 10, now), { kind: 'final', outcome: 'invalid-number', counted: true });
});

test('declined waits for the callee\'s next day', (t) => {
  // 11:00 in Paris on 30 November: the next day there starts at 23:00 UTC.
  const d = decideRetry('declined', { attempts: 1, retries: {}, zones }, policy, 10, now);
  t.deepEqual(d, { kind: 'retry', at: Date.parse('2026-11-30T23:00:00.000Z'), counted: true, retries: { declined: 1 } });
});

test('trunk failures are requeued without counting, with backoff', (t) => {
  // 2 minutes, then 4, 8, ... (doubling), and the attempt does not count.
  const d1 = decideRetry('trunk-failure', { attempts: 0, retries: {}, zones }, policy, 1, now);
  t.deepEqual(d1, { kind: 'retry', at: now + 2 * 60_000, counted: false, retries: { 'trunk-failure': 1 } });
  const d2 = decideRetry('trunk-failure', { attempts: 0, retries: { 'trunk-failure': 1 }, zones }, policy, 1, now);
  t.deepEqual(d2, { kind: 'retry', at: now + 4 * 60_000, counted: false, retries: { 'trunk-failure': 2 } });
  const d3 = decideRetry('trunk-failure', { attempts: 0, retries: { 'trunk-failure': 2 }, zones }, policy, 1, now);
  t.deepEqual(d3, { kind: 'retry', at: now + 8 * 60_000, counted: false, retries: { 'trunk-failure': 3 } });
});

test('max attempts caps retries whatever the outcome allows', (t) => {
  t.is(decideRetry('busy', { attempts: 2, retries: {}, zones }, policy, 2, now).kind, 'final');
});

test('answered outcomes are final', (t) => {
  for (const o of ['human', 'confirmed', 'opted-out', 'machine-message-left'] as const) {
    t.is(decideRetry(o, { attempts: 1, retries: {}, zones }, policy, 10, now).kind, 'final');
  }
});

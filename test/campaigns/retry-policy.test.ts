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
    t.is(d.kind, 'retry');
    if (d.kind === 'retry') { t.is(d.at, now + 15 * 60_000); retries = d.retries; }
  }
  t.is(decideRetry('busy', { attempts: 4, retries, zones }, policy, 10, now).kind, 'final');
});

test('an invalid number is never retried', (t) => {
  t.deepEqual(decideRetry('invalid-number', { attempts: 1, retries: {}, zones }, policy, 10, now), { kind: 'final', outcome: 'invalid-number', counted: true });
});

test('declined waits for the callee\'s next day', (t) => {
  const d = decideRetry('declined', { attempts: 1, retries: {}, zones }, policy, 10, now);
  t.is(d.kind, 'retry');
  if (d.kind === 'retry') t.is(new Date(d.at).toISOString(), '2026-11-30T23:00:00.000Z');
});

test('trunk failures are requeued without counting, with backoff', (t) => {
  const d1 = decideRetry('trunk-failure', { attempts: 0, retries: {}, zones }, policy, 1, now);
  t.true(d1.kind === 'retry' && !d1.counted);
  const d2 = decideRetry('trunk-failure', { attempts: 0, retries: { 'trunk-failure': 1 }, zones }, policy, 1, now);
  if (d1.kind === 'retry' && d2.kind === 'retry') t.is(d2.at - now, 2 * (d1.at - now));
});

test('max attempts caps retries whatever the outcome allows', (t) => {
  t.is(decideRetry('busy', { attempts: 2, retries: {}, zones }, policy, 2, now).kind, 'final');
});

test('answered outcomes are final', (t) => {
  for (const o of ['human', 'confirmed', 'opted-out', 'machine-message-left'] as const) {
    t.is(decideRetry(o, { attempts: 1, retries: {}, zones }, policy, 10, now).kind, 'final');
  }
});

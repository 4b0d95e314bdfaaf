// Payloads from boxes are parsed at the edge: a bad one is refused with the topic and the field.
import test from 'ava';
import { BadMessage, parseInbound, optOutHash } from '../../fleet-manager/inbound.ts';

const buf = (v: unknown): Buffer => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

test('events, statuses, reports and answers parse into typed values', (t) => {
  t.like(parseInbound('fleet/v1/box-1/events', buf({ boxId: 'box-1', seq: 7, type: 'optout', payload: { numberHash: 'a'.repeat(64) }, createdAt: '2026-12-05T00:00:00Z' })),
    { kind: 'event', boxId: 'box-1', seq: 7, type: 'optout', createdAt: '2026-12-05T00:00:00Z' });
  t.like(parseInbound('fleet/v1/box-1/status', buf({ online: true, boxId: 'box-1', runId: 'r', connectedAt: '2026-12-05T00:00:00Z', version: '1', configVersion: 3 })), { kind: 'birth', runId: 'r', configVersion: 3 });
  t.like(parseInbound('fleet/v1/box-1/status', buf({ online: false, boxId: 'box-1', runId: 'r' })), { kind: 'gone', runId: 'r' });
  t.like(parseInbound('fleet/v1/box-1/config/reported', buf({ version: 2, status: 'rejected', reason: 'bad port' })), { kind: 'reported', status: 'rejected', version: 2 });
  t.like(parseInbound('fleet/v1/box-1/cmd/response', buf({ data: { state: 'accepted' }, status: 'ok', error: null, transaction: 'c1' }), Buffer.from('c1')), { kind: 'response', commandId: 'c1', final: false });
  t.like(parseInbound('fleet/v1/box-1/cmd/response', buf({ data: null, status: 'error', error: 'expired', transaction: 'c2' })), { kind: 'response', commandId: 'c2', final: true });
});

test('bad payloads are refused naming the topic and the field', (t) => {
  const bad = (topic: string, body: unknown, re: RegExp): void => { t.throws(() => parseInbound(topic, buf(body)), { instanceOf: BadMessage, message: re }); };
  bad('fleet/v1/box-1/events', 'not json', /fleet\/v1\/box-1\/events: payload is not JSON/);
  bad('fleet/v1/box-1/events', { seq: 0, type: 'x' }, /field "seq" must be a whole number from 1 up/);
  bad('fleet/v1/box-1/events', { boxId: 'box-2', seq: 1, type: 'x' }, /field "boxId" says box-2, the topic says box-1/);
  bad('fleet/v1/box-1/telemetry', { at: 'yesterday' }, /field "at" must be a date-time/);
  bad('fleet/v1/box-1/status', { online: 'yes', runId: 'r' }, /field "online" must be true or false/);
  bad('fleet/v1/box 1/status', {}, /not a fleet topic/);
  bad('fleet/v1/box-1/config/reported', { status: 'maybe' }, /field "status" must be 'applied' or 'rejected'/);
});

test('an opt-out relays only a well-formed hash, never a number', (t) => {
  t.deepEqual(optOutHash({ numberHash: 'f'.repeat(64), channel: 'keypress' }), { numberHash: 'f'.repeat(64), channel: 'keypress' });
  t.is(optOutHash({ number: '+33612345678' }), null);
  t.is(optOutHash({ numberHash: 'F'.repeat(64) }), null);
});

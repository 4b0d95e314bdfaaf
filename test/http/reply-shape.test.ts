// A reply is written without a validator compiled on the way (appliance/http/reply-shape.ts). fastify's
// serialiser asks Ajv which branch of an `anyOf` a value matches, and Ajv compiled the route's whole reply
// schema on the first reply that reached one: the first GET of a campaign after a boot held the event loop
// 45-85 ms (a retry rule's delayMs is a number or "next-day"), while the campaign started and calls were live.
import test from 'ava';
import { Ajv } from 'ajv';
import { startTestBox } from '../support/appliance.ts';
import { needsValidator, replyShape } from '../../appliance/http/reply-shape.ts';
import { RetryRule } from '../../appliance/http/contract/campaigns.ts';
import type { CampaignView } from '../../appliance/http/contract/campaigns.ts';

test('a union of plain values is written as a list of types; a union of objects, and the contract, are left as they are', (t) => {
  const before = JSON.stringify(RetryRule);
  const shape = replyShape(RetryRule) as unknown as { properties: { delayMs: Record<string, unknown>; maxRetries: unknown } };
  t.deepEqual(shape.properties.delayMs.type, ['number', 'string']);
  t.is(shape.properties.delayMs.anyOf, undefined);
  t.is(shape.properties.delayMs.description, RetryRule.properties.delayMs.description);
  t.is(shape.properties.maxRetries, RetryRule.properties.maxRetries, 'an untouched part is shared, not copied');
  t.is(JSON.stringify(RetryRule), before, 'the contract is not changed in place');
  t.false(needsValidator(shape));

  // integer and number: a number; a nullable branch and a const null add null; one type stays one type
  t.deepEqual(replyShape({ anyOf: [{ type: 'integer' }, { type: 'number', nullable: true }] }), { type: ['number', 'null'] });
  t.deepEqual(replyShape({ oneOf: [{ const: 'a' }, { const: 'b' }] }), { type: 'string' });
  t.deepEqual(replyShape({ type: 'object', patternProperties: { '^(.*)$': { anyOf: [{ type: 'string' }, { type: 'number' }] } } }),
    { type: 'object', patternProperties: { '^(.*)$': { type: ['string', 'number'] } } });
  // objects must still be told apart by their fields: that union stays (and needs its validator)
  const objects = { anyOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { type: 'string' }] };
  t.is(replyShape(objects), objects);
  t.true(needsValidator(objects));
});

test('no reply of the API needs a validator to be written, and the OpenAPI document keeps the unions of the contract', async (t) => {
  t.timeout(120_000);
  const box = await startTestBox();
  t.teardown(() => box.stop());
  const doc = (await box.api.get<{ paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>> }>('/api/openapi.json')).body;
  const needing: string[] = [];
  let replies = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const [code, r] of Object.entries(op.responses)) {
        const schema = r.content?.['application/json']?.schema;
        if (!schema) continue;
        replies += 1;
        if (needsValidator(replyShape(schema))) needing.push(`${method.toUpperCase()} ${path} ${code}`);
      }
    }
  }
  t.true(replies > 40, `checked ${replies} replies`);
  t.deepEqual(needing, [], `replies whose serialiser would compile a validator on first use:\n${needing.join('\n')}`);
  const view = doc.paths['/api/campaigns/{id}']!.get!.responses['200']!.content!['application/json']!.schema as { properties: { config: { properties: { retry: { properties: { busy: { properties: { delayMs: { anyOf?: unknown[] } } } } } } } } };
  t.is(view.properties.config.properties.retry.properties.busy.properties.delayMs.anyOf?.length, 2, 'the document shows number | "next-day"');
});

test('the first GET of a running campaign and its report after boot compile no validator, and write its retry delays as they are', async (t) => {
  t.timeout(120_000);
  const box = await startTestBox({ sandbox: { seed: 5, timeScale: 0.1, mix: 'no-answer=1' } });
  t.teardown(() => box.stop());
  const csv = 'phone,name\n+33142000001,Ann\n+33142000002,Bob\n';
  const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=c.csv', Buffer.from(csv));
  const list = await box.api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'parents', country: 'FR', mapping: { phone: 'phone' } });
  t.is(list.status, 201, list.text);
  const rec = await box.api.send<{ id: string }>('POST', '/api/recordings/tts', { text: 'Rappel.', voice: 'fr', name: 'Rappel' });
  t.is(rec.status, 201, rec.text);
  const retry = { busy: { delayMs: 900_000, maxRetries: 3 }, declined: { delayMs: 'next-day', maxRetries: 1 }, 'no-answer': { delayMs: 1.5, maxRetries: 2, backoff: 1.5 } };
  const config = { message: rec.body.id, callerId: '+33162000000', trunks: ['sandbox'], schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] }, ringTimeoutMs: 5000, maxAttempts: 4, retry };
  // Created and started through the service: no reply of a campaign is written before the GET below.
  const c = box.app.campaigns.create({ name: 'rentrée', listId: list.body.list.id, config: config as never });
  box.app.campaigns.start(c.id);

  // Every Ajv instance of the process (fastify's serialisers use this one package): count what they compile or look up.
  const proto = Ajv.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const calls: string[] = [];
  const originals = new Map<string, (...a: unknown[]) => unknown>();
  for (const name of ['compile', 'getSchema', 'validate', 'compileAsync']) {
    const original = proto[name]!;
    originals.set(name, original);
    proto[name] = function (this: unknown, ...a: unknown[]) {
      calls.push(`${name}(${typeof a[0] === 'string' ? a[0] : '{…}'})`);
      return original.apply(this, a);
    };
  }
  t.teardown(() => { for (const [name, f] of originals) proto[name] = f; });
  const view = await box.api.get<CampaignView>(`/api/campaigns/${c.id}`);
  const report = await box.api.get<{ attempts: number }>(`/api/campaigns/${c.id}/report`);
  const all = await box.api.get<CampaignView[]>('/api/campaigns');
  for (const [name, f] of originals) proto[name] = f;
  t.is(view.status, 200, view.text);
  t.is(report.status, 200, report.text);
  t.is(all.status, 200, all.text);
  t.deepEqual(calls, [], 'no validator compiled or looked up while the replies were written');

  t.is(view.body.status, 'running');
  t.deepEqual(view.body.config.retry.busy, { delayMs: 900_000, maxRetries: 3 });
  t.deepEqual(view.body.config.retry.declined, { delayMs: 'next-day', maxRetries: 1 });
  t.deepEqual(view.body.config.retry['no-answer'], { delayMs: 1.5, maxRetries: 2, backoff: 1.5 });
  t.deepEqual(all.body.find((x) => x.id === c.id)?.config.retry.declined, { delayMs: 'next-day', maxRetries: 1 });
});

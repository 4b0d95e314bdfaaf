// The API contract (appliance/http/contract): what a route answers is what the contract declares, and the
// contract declares every field the web UI reads. Fastify drops the fields a response schema does not
// declare, so a field missing from the schema is a field the page never gets (the old start-problem
// schema dropped `packVersion`; the import progress was `totalBytes` in one place and `bytesTotal` in another).
import test from 'ava';
import { Ajv, type AnySchema } from 'ajv';
import addFormats from 'ajv-formats';
import { startTestBox } from '../../support/appliance.ts';
import { CallerId, PreflightReport, StartCheck } from '../../../appliance/http/contract/compliance.ts';
import { ImportProgressEvent, ImportReport } from '../../../appliance/http/contract/lists.ts';
import { CampaignView } from '../../../appliance/http/contract/campaigns.ts';
import type { LiveMessage } from '../../../appliance/http/contract/live.ts';

type Json = Record<string, unknown>;

// The contract's schemas are JSON Schema: the same validator fastify uses checks what the box sent.
const ajv = new Ajv({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
function problems(schema: AnySchema, value: unknown): string {
  const validate = ajv.compile(schema);
  return validate(value) ? '' : ajv.errorsText(validate.errors);
}

/** Every object schema under `s` that names no field at all (an open bag: fastify would pass it through unchecked and undocumented). */
function openObjects(s: unknown, path: string, out: string[]): string[] {
  if (!s || typeof s !== 'object') return out;
  const o = s as Json;
  const declared = o.properties !== undefined || o.patternProperties !== undefined || (typeof o.additionalProperties === 'object' && o.additionalProperties !== null);
  if (o.type === 'object' && !declared) out.push(path);
  for (const [k, v] of Object.entries(o)) {
    if (k === 'properties' && v && typeof v === 'object') for (const [name, p] of Object.entries(v as Json)) openObjects(p, `${path}.${name}`, out);
    else if (k === 'items' || k === 'additionalProperties') openObjects(v, `${path}[]`, out);
    else if (k === 'patternProperties' && v && typeof v === 'object') for (const p of Object.values(v as Json)) openObjects(p, `${path}{}`, out);
    else if (k === 'anyOf' || k === 'oneOf' || k === 'allOf') for (const [i, x] of (v as unknown[]).entries()) openObjects(x, `${path}|${i}`, out);
  }
  return out;
}

test('every JSON reply of the API names its fields (none is an open object the UI would read blind)', async (t) => {
  t.timeout(120_000);
  const box = await startTestBox();
  t.teardown(() => box.stop());
  const doc = (await box.api.get<{ paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>> }>('/api/openapi.json')).body;
  const open: string[] = [];
  let replies = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (path === '/api/openapi.json') continue;
    for (const [method, op] of Object.entries(ops)) {
      for (const [code, r] of Object.entries(op.responses)) {
        const schema = r.content?.['application/json']?.schema;
        if (!schema || !code.startsWith('2')) continue;
        replies += 1;
        openObjects(schema, `${method.toUpperCase()} ${path} ${code}`, open);
      }
    }
  }
  t.true(replies > 40, `checked ${replies} replies`);
  t.deepEqual(open, [], `replies with an object that declares no field:\n${open.join('\n')}`);
});

test('replies carry what the contract declares: start problems keep their pack version, import progress its bytesTotal', async (t) => {
  t.timeout(180_000);
  const box = await startTestBox({ sandbox: { seed: 7, timeScale: 0.1, mix: 'no-answer=1' } });
  t.teardown(() => box.stop());
  const progress: LiveMessage[] = [];
  const off = box.app.live.subscribe((m) => {
    if (m.type === 'import.progress') progress.push(m);
  });
  t.teardown(off);

  const csv = 'phone,name\n+12025550101,Ann\n+12025550102,Bob\n';
  const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=c.csv', Buffer.from(csv));
  t.is(up.status, 200, up.text);
  const list = await box.api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'customers', country: 'US', mapping: { phone: ['phone'] } });
  t.is(list.status, 201, list.text);
  t.is(problems(ImportReport, list.body), '');
  // The progress bar divides bytesRead by bytesTotal: the last message says the whole file was read.
  const done = progress.find((m) => (m.data as { phase?: string }).phase === 'done');
  t.truthy(done, 'an import.progress "done" message was published');
  for (const m of progress) t.is(problems(ImportProgressEvent, m.data), '', JSON.stringify(m.data));
  const d = done!.data as { bytesRead: number; bytesTotal: number };
  t.is(d.bytesTotal, Buffer.byteLength(csv));
  t.is(d.bytesRead, d.bytesTotal);

  // A US marketing campaign without a copy of the national do-not-call registry may not start; each
  // problem names the version of the pack in force (the old schema dropped it on the way out).
  const config = {
    purpose: 'marketing', seller: 'Acme Roofing', pack: 'us', tts: { text: 'Hello from Acme.', voice: 'en' }, message: null,
    callerId: '+12025550199', trunks: ['sandbox'], schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] },
  };
  const c = await box.api.send<{ id: number }>('POST', '/api/campaigns', { name: 'spring offer', listId: list.body.list.id, config });
  t.is(c.status, 201, c.text);
  t.is(problems(CampaignView, c.body), '');

  const check = await box.api.get<{ ok: boolean; problems: Array<{ code: string; packVersion?: string; blocking: boolean }> }>(`/api/compliance/campaigns/${c.body.id}/start-check`);
  t.is(check.status, 200, check.text);
  t.is(problems(StartCheck, check.body), '');
  const missing = check.body.problems.find((p) => p.code === 'registry-missing');
  t.truthy(missing, check.text);
  t.regex(missing!.packVersion ?? '', /@/, 'the problem names the pack version in force (<revision>@<edition>)');
  t.false(check.body.ok);

  const pre = await box.api.get<{ startProblems: Array<{ code: string; packVersion?: string }> }>(`/api/compliance/campaigns/${c.body.id}/preflight`);
  t.is(problems(PreflightReport, pre.body), '');
  t.regex(pre.body.startProblems.find((p) => p.code === 'registry-missing')?.packVersion ?? '', /@/);

  const ids = await box.api.get<unknown[]>('/api/compliance/caller-ids');
  for (const id of ids.body) t.is(problems(CallerId, id), '', JSON.stringify(id));
});

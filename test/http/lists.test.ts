// Lists through the HTTP API with the real contact-list module: upload and preview, import with the
// report and live progress, browse and search, delete; the upload size cap and upload cleanup.
import test from 'ava';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { addUser, login, printedPassword, startBox, type Box, type Login } from './helpers.ts';
import type { LiveMessage } from '../../appliance/http/live-feed.ts';

// A French spreadsheet export: semicolons, Windows-1252, national numbers, one broken row.
const CSV = iconv.encode([
  'Nom;Prénom;Téléphone;Ville',
  'Dupont;Hélène;06 12 34 56 78;Besançon',
  'Martin;Loïc;01 23 45 67 89;Paris',
  'Bernard;Zoé;6,12E+08;Lyon',
  'Petit;Noël;06 12 34 56 78;Nice',
  'Durand;Chloé;07 98 76 54 32;Lille',
].join('\r\n') + '\r\n', 'win1252');

function multipart(parts: Array<{ name: string; value: string | Buffer; filename?: string }>): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----vba' + Math.random().toString(16).slice(2);
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disp = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disp}\r\n${p.filename ? 'Content-Type: text/csv\r\n' : ''}\r\n`));
    chunks.push(Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

function uploads(box: Box): string[] {
  try {
    return readdirSync(join(box.dataDir, 'uploads'));
  } catch {
    return [];
  }
}

async function operatorBox(extra = {}): Promise<{ box: Box; op: Login }> {
  const box = await startBox(extra);
  await addUser(box, 'otto', 'operator-pass', 'operator');
  return { box, op: await login(box, 'otto', 'operator-pass') };
}

test('preview, then import by upload id: report with rejected rows, live progress, list browsable and deletable', async (t) => {
  const { box, op } = await operatorBox();
  t.teardown(() => box.close());
  const events: LiveMessage[] = [];
  box.svc.live.subscribe((m) => events.push(m));

  const form = multipart([{ name: 'file', value: CSV, filename: 'clients.csv' }]);
  const pre = await box.app.inject({ method: 'POST', url: '/api/lists/preview', headers: { ...op.headers, ...form.headers }, payload: form.payload });
  t.is(pre.statusCode, 200, pre.body);
  const p = pre.json() as { uploadId: string; fileName: string; bytes: number; preview: { headers: string[]; rows: string[][]; delimiter: string; encoding: string; suggestedMapping: { phone: string[] } } };
  t.is(p.fileName, 'clients.csv');
  t.is(p.bytes, CSV.length);
  t.deepEqual(p.preview.headers, ['Nom', 'Prénom', 'Téléphone', 'Ville']);
  t.is(p.preview.delimiter, ';');
  t.true(['windows-1252', 'latin1'].includes(p.preview.encoding), p.preview.encoding);
  t.deepEqual(p.preview.rows[0], ['Dupont', 'Hélène', '06 12 34 56 78', 'Besançon']);
  t.deepEqual(p.preview.suggestedMapping.phone, ['Téléphone']);
  t.is(uploads(box).length, 2, 'the file and its description wait for the import');

  const imp = await box.app.inject({
    method: 'POST', url: '/api/lists', headers: op.headers,
    payload: { uploadId: p.uploadId, name: 'Clients Besançon', country: 'FR', mapping: { phone: ['Téléphone'], lastName: 'Nom', firstName: 'Prénom' } },
  });
  t.is(imp.statusCode, 201, imp.body);
  const report = imp.json() as { list: { id: number; name: string }; rows: number; accepted: number; duplicates: number; rejected: Array<{ row: number; column: string; reason: string }> };
  t.is(report.list.name, 'Clients Besançon');
  t.is(report.rows, 5);
  t.is(report.accepted, 3);
  t.is(report.duplicates, 1);
  t.is(report.rejected.length, 1);
  t.like(report.rejected[0], { row: 4, column: 'Téléphone' });
  t.regex(report.rejected[0]!.reason, /scientific notation/);
  t.deepEqual(uploads(box), [], 'the upload is removed after the import');
  const done = events.filter((e) => e.type === 'import.progress').at(-1)!;
  t.like(done.data, { uploadId: p.uploadId, list: 'Clients Besançon', phase: 'done', rows: 5, accepted: 3, rejected: 1 });

  // The upload id is spent.
  const again = await box.app.inject({ method: 'POST', url: '/api/lists', headers: op.headers, payload: { uploadId: p.uploadId, name: 'Again' } });
  t.is(again.statusCode, 404);

  const lists = (await box.app.inject({ url: '/api/lists', headers: op.headers })).json() as Array<{ id: number; name: string; contacts: number }>;
  t.like(lists[0], { id: report.list.id, name: 'Clients Besançon', contacts: 3 });

  const all = (await box.app.inject({ url: `/api/lists/${report.list.id}/contacts?pageSize=2`, headers: op.headers })).json() as { total: number; page: number; items: Array<{ e164: string; name: string }> };
  t.is(all.total, 3);
  t.is(all.items.length, 2);
  t.is(all.items[0]!.e164, '+33612345678');
  t.is(all.items[0]!.name, 'Hélène Dupont');
  const page2 = (await box.app.inject({ url: `/api/lists/${report.list.id}/contacts?pageSize=2&page=2`, headers: op.headers })).json() as { items: unknown[] };
  t.is(page2.items.length, 1);
  const byName = (await box.app.inject({ url: `/api/lists/${report.list.id}/contacts?q=Chlo`, headers: op.headers })).json() as { total: number; items: Array<{ e164: string }> };
  t.is(byName.total, 1);
  t.is(byName.items[0]!.e164, '+33798765432');
  const byNumber = (await box.app.inject({ url: `/api/lists/${report.list.id}/contacts?q=${encodeURIComponent('01 23 45 67 89')}`, headers: op.headers })).json() as { total: number };
  t.is(byNumber.total, 1);

  t.is((await box.app.inject({ method: 'DELETE', url: `/api/lists/${report.list.id}`, headers: op.headers })).statusCode, 200);
  t.is((await box.app.inject({ url: `/api/lists/${report.list.id}/contacts`, headers: op.headers })).statusCode, 404);
  t.is((await box.app.inject({ method: 'DELETE', url: `/api/lists/${report.list.id}`, headers: op.headers })).statusCode, 404);
});

test('one multipart request imports a file with its name, country and mapping', async (t) => {
  const { box, op } = await operatorBox();
  t.teardown(() => box.close());
  const form = multipart([
    { name: 'name', value: 'Direct' },
    { name: 'country', value: 'FR' },
    { name: 'mapping', value: JSON.stringify({ phone: ['Téléphone'] }) },
    { name: 'file', value: CSV, filename: 'direct.csv' },
  ]);
  const res = await box.app.inject({ method: 'POST', url: '/api/lists', headers: { ...op.headers, ...form.headers }, payload: form.payload });
  t.is(res.statusCode, 201, res.body);
  t.like(res.json(), { list: { name: 'Direct' }, accepted: 3, file: 'direct.csv' });
  t.deepEqual(uploads(box), []);

  const bad = multipart([{ name: 'name', value: 'Bad' }, { name: 'mapping', value: '{phone' }, { name: 'file', value: CSV, filename: 'x.csv' }]);
  const res2 = await box.app.inject({ method: 'POST', url: '/api/lists', headers: { ...op.headers, ...bad.headers }, payload: bad.payload });
  t.is(res2.statusCode, 400);
  t.deepEqual((res2.json() as { error: { fields: unknown } }).error.fields, [{ key: 'body.mapping', message: 'is not valid JSON' }]);
  t.deepEqual(uploads(box), []);
  // A mapping field nested 30,000 deep (it fits the 64 KB field limit) is bounded like every JSON body.
  const deep = multipart([{ name: 'name', value: 'Deep' }, { name: 'mapping', value: '{"phone":' + '['.repeat(30_000) + ']'.repeat(30_000) + '}' }, { name: 'file', value: CSV, filename: 'x.csv' }]);
  const res4 = await box.app.inject({ method: 'POST', url: '/api/lists', headers: { ...op.headers, ...deep.headers }, payload: deep.payload });
  t.is(res4.statusCode, 400);
  t.deepEqual((res4.json() as { error: { fields: unknown } }).error.fields, [{ key: 'body.mapping', message: 'nests more than 64 levels deep' }]);
  t.deepEqual(uploads(box), []);

  // A mapping that names a column the file does not have gets the importer's own message.
  const wrong = multipart([{ name: 'name', value: 'Wrong' }, { name: 'mapping', value: JSON.stringify({ phone: ['Mobile'] }) }, { name: 'file', value: CSV, filename: 'x.csv' }]);
  const res3 = await box.app.inject({ method: 'POST', url: '/api/lists', headers: { ...op.headers, ...wrong.headers }, payload: wrong.payload });
  t.is(res3.statusCode, 400);
  t.like(res3.json(), { error: { code: 'E_IMPORT_MAPPING' } });
  t.regex((res3.json() as { error: { message: string } }).error.message, /"Mobile" is not in the file/);
  t.deepEqual(uploads(box), []);
});

test('the raw file as application/octet-stream works for the preview', async (t) => {
  const { box, op } = await operatorBox();
  t.teardown(() => box.close());
  const res = await box.app.inject({ method: 'POST', url: '/api/lists/preview?filename=raw.csv', headers: { ...op.headers, 'content-type': 'application/octet-stream' }, payload: CSV });
  t.is(res.statusCode, 200, res.body);
  t.like(res.json(), { fileName: 'raw.csv', bytes: CSV.length });
});

test('an upload over the size limit gets 413 and leaves nothing behind; an unreadable file gets a clear 400', async (t) => {
  const { box, op } = await operatorBox({ uploadLimitBytes: 64 * 1024 });
  t.teardown(() => box.close());
  const big = Buffer.concat([CSV, Buffer.alloc(100 * 1024, 'x')]);
  const form = multipart([{ name: 'file', value: big, filename: 'big.csv' }]);
  const res = await box.app.inject({ method: 'POST', url: '/api/lists/preview', headers: { ...op.headers, ...form.headers }, payload: form.payload });
  t.is(res.statusCode, 413);
  t.like(res.json(), { error: { code: 'E_TOO_LARGE' } });
  t.deepEqual(uploads(box), []);
  const raw = await box.app.inject({ method: 'POST', url: '/api/lists/preview', headers: { ...op.headers, 'content-type': 'application/octet-stream' }, payload: big });
  t.is(raw.statusCode, 413);
  t.deepEqual(uploads(box), []);

  const garbage = multipart([{ name: 'file', value: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0xff, 0xfe, 1, 2, 3]), filename: 'list.xlsx' }]);
  const g = await box.app.inject({ method: 'POST', url: '/api/lists/preview', headers: { ...op.headers, ...garbage.headers }, payload: garbage.payload });
  t.is(g.statusCode, 400, g.body);
  const ge = (g.json() as { error: { code: string; message: string; where?: { file?: string } } }).error;
  t.regex(ge.code, /^E_IMPORT_/);
  // The error names the file the user sent, not the box's stored copy of it.
  t.is(ge.where?.file, 'list.xlsx');
  t.true(ge.message.includes('list.xlsx'), ge.message);
  t.notRegex(ge.message, /[0-9a-f]{32}/);
  t.notRegex(g.body, /at .*\.(js|ts):\d+/);
  t.deepEqual(uploads(box), []);
});

test('viewers cannot upload; an upload belongs to whoever sent it', async (t) => {
  const { box, op } = await operatorBox();
  t.teardown(() => box.close());
  await addUser(box, 'vera', 'viewer-pass', 'viewer');
  const viewer = await login(box, 'vera', 'viewer-pass');
  const form = multipart([{ name: 'file', value: CSV, filename: 'clients.csv' }]);
  const denied = await box.app.inject({ method: 'POST', url: '/api/lists/preview', headers: { ...viewer.headers, ...form.headers }, payload: form.payload });
  t.is(denied.statusCode, 403);
  t.deepEqual(uploads(box), [], 'refused before anything was written');

  const pre = await box.app.inject({ method: 'POST', url: '/api/lists/preview', headers: { ...op.headers, ...form.headers }, payload: form.payload });
  const { uploadId } = pre.json() as { uploadId: string };
  const admin = await login(box, 'admin', printedPassword(box));
  const other = await box.app.inject({ method: 'POST', url: '/api/lists', headers: admin.headers, payload: { uploadId, name: 'Stolen' } });
  t.is(other.statusCode, 404);
  const missingName = await box.app.inject({ method: 'POST', url: '/api/lists', headers: op.headers, payload: { uploadId } });
  t.is(missingName.statusCode, 400);
  t.deepEqual((missingName.json() as { error: { fields: unknown } }).error.fields, [{ key: 'body.name', message: 'is required' }]);
});

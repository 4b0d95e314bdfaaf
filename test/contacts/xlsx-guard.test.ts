// Issue 18.2: zip-bomb workbooks are refused before exceljs inflates them, each with the limit named.
import test from 'ava';
import { checkXlsxArchive, XLSX_LIMITS } from '../../appliance/contacts/xlsx-guard.ts';
import { previewFile } from '../../appliance/contacts/preview.ts';
import { importContacts } from '../../appliance/contacts/import.ts';
import { AppError } from '../../core/errors.ts';
import { workerFailure } from '../../appliance/contacts/bounded-worker.ts';
import { scratch } from './helpers.ts';
import { manyStringsWorkbook, xlsxBomb } from './zip-bomb.ts';

const refusal = async (t: import('ava').ExecutionContext, p: Promise<unknown>): Promise<AppError> => {
  const e = await t.throwsAsync(p);
  t.true(e instanceof AppError, String(e));
  t.is((e as AppError).code, 'E_IMPORT_FILE');
  return e as AppError;
};

test('shared strings declared to inflate to 5 GB: refused from the directory, for the compression ratio', async (t) => {
  const s = scratch(t);
  const bomb = xlsxBomb({ declare: 'honest' });
  t.true(bomb.length < 12 * 1024 * 1024, `the bomb is ${bomb.length} bytes`);
  const e = await refusal(t, checkXlsxArchive(s.file('bomb.xlsx', bomb)));
  t.is(e.where?.limit, 'compression-ratio');
  t.regex(e.message, /^bomb\.xlsx was not opened: part xl\/sharedStrings\.xml would inflate \d+ times its compressed size, more than the 200 times/);
});

test('shared strings that lie about their size: refused while inflating, as soon as they pass the declared size', async (t) => {
  const s = scratch(t);
  const file = s.file('forged.xlsx', xlsxBomb({ declare: 'lie', liedBytes: 9 * 1024 * 1024 }));
  const e = await refusal(t, checkXlsxArchive(file));
  t.is(e.where?.limit, 'inflated-size');
  t.regex(e.message, /part xl\/sharedStrings\.xml inflates to more than the 9,437,184 bytes its archive declares/);
});

test('a workbook over the inflated-size limit (honest and not a bomb) is refused, naming both sizes', async (t) => {
  const s = scratch(t);
  const file = s.file('big.xlsx', xlsxBomb({ declare: 'honest', inflatedBytes: 40 * 1024 * 1024 }));
  const e = await refusal(t, checkXlsxArchive(file, { ...XLSX_LIMITS, maxRatio: 10_000, maxInflatedBytes: 32 * 1024 * 1024 }));
  t.is(e.where?.limit, 'inflated-size');
  t.regex(e.message, /its parts would inflate to 40 MB, more than the 32 MB an import reads; save the sheet as CSV or split it/);
});

test('too many shared strings, or too large, are refused with the limit named', async (t) => {
  const s = scratch(t);
  const file = s.file('many.xlsx', manyStringsWorkbook(5000));
  await t.notThrowsAsync(checkXlsxArchive(file));
  const count = await refusal(t, checkXlsxArchive(file, { ...XLSX_LIMITS, maxSharedStrings: 4999 }));
  t.is(count.where?.limit, 'shared-strings');
  t.regex(count.message, /more than 4,999 distinct texts/);
  await t.notThrowsAsync(checkXlsxArchive(file, { ...XLSX_LIMITS, maxSharedStrings: 5000 }));
  const size = await refusal(t, checkXlsxArchive(file, { ...XLSX_LIMITS, maxSharedStringsBytes: 1024 }));
  t.is(size.where?.limit, 'shared-strings-size');
});

test('bytes hidden outside the archive directory (where a streaming reader would find a part) are refused', async (t) => {
  const s = scratch(t);
  const hidden = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(60)]);
  const e = await refusal(t, checkXlsxArchive(s.file('hidden.xlsx', manyStringsWorkbook(10, hidden))));
  t.is(e.where?.limit, 'structure');
  t.regex(e.message, /bytes its directory does not list/);
});

test('preview and import of the bomb both answer E_IMPORT_FILE with the reason; nothing is imported', async (t) => {
  const s = scratch(t);
  const file = s.file('bomb.xlsx', xlsxBomb({ declare: 'lie' }));
  const p = await refusal(t, previewFile(file));
  t.regex(p.message, /inflates to more than the .* bytes its archive declares/);
  const i = await refusal(t, importContacts(s.db, file, { list: 'bomb', country: 'FR' }));
  t.regex(i.message, /inflates to more than the .* bytes its archive declares/);
  t.is(s.db.prepare('SELECT COUNT(*) FROM lists').pluck().get(), 0);
});

test('a reading worker that runs out of its heap is an E_IMPORT_FILE naming the memory limit, not a crash', (t) => {
  const oom = Object.assign(new Error('Worker terminated due to reaching memory limit: JS heap out of memory'), { code: 'ERR_WORKER_OUT_OF_MEMORY' });
  const e = workerFailure(oom, 'huge.xlsx') as AppError;
  t.is(e.code, 'E_IMPORT_FILE');
  t.is(e.where?.limit, 'memory');
  t.regex(e.message, /^huge\.xlsx was not opened: reading it needs more than the 512 MB of memory a file may use/);
  const other = new Error('boom');
  t.is(workerFailure(other, 'x.csv'), other);
});

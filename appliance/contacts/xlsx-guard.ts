// Checks a workbook's zip archive before exceljs opens it, so that a small file cannot make the import
// inflate gigabytes (a "zip bomb": 10 MB of shared strings that inflate to 5 GB) or cache millions of
// strings. The directory is read first (declared sizes, compression ratios, entry count, and that no
// bytes hide outside the entries it lists, where a streaming reader would find them); then every part
// is inflated once, counted, and dropped: a part that inflates to more than its directory declares, or
// shared strings over the limits, stop it at once. Each refusal is an E_IMPORT_FILE that says which limit.
import { open, type FileHandle } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';
import { AppError } from '../../core/errors.ts';
import { baseName } from './sniff.ts';

export interface XlsxLimits {
  /** All parts together, inflated. */
  maxInflatedBytes: number;
  /** Inflated ÷ compressed, per part (for parts over 1 MiB inflated) and for the whole file. */
  maxRatio: number;
  maxEntries: number;
  /** xl/sharedStrings.xml, inflated, and the number of strings in it (exceljs keeps them all in memory). */
  maxSharedStringsBytes: number;
  maxSharedStrings: number;
}

const MiB = 1024 * 1024;

/**
 * Real workbooks stay far inside these: a million rows of contacts inflate to a few hundred MB, XML
 * compresses 5 to 30 times (a sheet of one repeated value ~100), and a list's distinct texts are a few
 * per row. The shared-string limits keep the import worker's heap (import.ts) well within its bound.
 */
export const XLSX_LIMITS: XlsxLimits = {
  maxInflatedBytes: 1024 * MiB,
  maxRatio: 200,
  maxEntries: 10_000,
  maxSharedStringsBytes: 160 * MiB,
  maxSharedStrings: 3_000_000,
};

/** Parts smaller than this inflated are not held to the ratio (tiny parts compress oddly). */
const RATIO_FLOOR = MiB;
const SHARED_STRINGS = 'xl/sharedStrings.xml';

interface Entry {
  name: string;
  flags: number;
  method: number;
  compressed: number;
  inflated: number;
  offset: number;
  /** Where the part's compressed bytes start (after its local header); set by checkLayout. */
  dataStart?: number;
}

type Limit = 'inflated-size' | 'compression-ratio' | 'entries' | 'shared-strings' | 'shared-strings-size' | 'structure';

const mb = (n: number): string => `${Math.round(n / MiB).toLocaleString('en-US')} MB`;

export async function checkXlsxArchive(path: string, limits: XlsxLimits = XLSX_LIMITS): Promise<void> {
  const file = baseName(path);
  const refuse = (limit: Limit, why: string): AppError =>
    new AppError('E_IMPORT_FILE', `${file} was not opened: ${why}`, { file, limit });
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const { entries, directoryOffset } = await readDirectory(fh, size, limits, refuse);
    let declared = 0;
    for (const e of entries) {
      declared += e.inflated;
      if (e.flags & 1) throw refuse('structure', `the workbook is encrypted (${e.name}); save it without a password`);
      if (e.method !== 0 && e.method !== 8) throw refuse('structure', `part ${e.name} uses zip compression method ${e.method}, which a workbook does not`);
      if (e.method === 0 && e.compressed !== e.inflated) throw refuse('structure', `part ${e.name} is damaged (stored, yet its two sizes differ)`);
      if (e.inflated > RATIO_FLOOR && e.inflated > e.compressed * limits.maxRatio) {
        throw refuse('compression-ratio', `part ${e.name} would inflate ${ratio(e)} times its compressed size, more than the ${limits.maxRatio} times a real spreadsheet reaches (a zip bomb?)`);
      }
      if (e.name === SHARED_STRINGS && e.inflated > limits.maxSharedStringsBytes) {
        throw refuse('shared-strings-size', `its shared strings (the sheet's texts) would inflate to ${mb(e.inflated)}, more than the ${mb(limits.maxSharedStringsBytes)} an import reads; save the sheet as CSV or split it`);
      }
    }
    if (declared > limits.maxInflatedBytes) {
      throw refuse('inflated-size', `its parts would inflate to ${mb(declared)}, more than the ${mb(limits.maxInflatedBytes)} an import reads; save the sheet as CSV or split it`);
    }
    if (declared > RATIO_FLOOR && declared > Math.max(size, 1) * limits.maxRatio) {
      throw refuse('compression-ratio', `it would inflate ${Math.round(declared / Math.max(size, 1))} times its size, more than the ${limits.maxRatio} times a real spreadsheet reaches (a zip bomb?)`);
    }
    await checkLayout(fh, entries, directoryOffset, refuse);
    for (const e of entries) await inflateAndCount(fh, e, limits, refuse);
  } finally {
    await fh.close();
  }
}

const ratio = (e: Entry): number => Math.round(e.inflated / Math.max(e.compressed, 1));

async function read(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** The central directory (with zip64 records): what every part is, where it starts and how big it says it is. */
async function readDirectory(fh: FileHandle, size: number, limits: XlsxLimits, refuse: (l: Limit, why: string) => AppError): Promise<{ entries: Entry[]; directoryOffset: number }> {
  const notZip = (): AppError => refuse('structure', 'it is not a readable XLSX workbook (its zip directory is missing or damaged)');
  const tailStart = Math.max(0, size - (22 + 0xffff));
  const tail = await read(fh, tailStart, size - tailStart);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw notZip();
  let count = tail.readUInt16LE(eocd + 10);
  let dirSize = tail.readUInt32LE(eocd + 12);
  let dirOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== 0x07064b50) throw notZip();
    const z = await read(fh, Number(tail.readBigUInt64LE(loc + 8)), 56);
    if (z.length < 56 || z.readUInt32LE(0) !== 0x06064b50) throw notZip();
    count = safe(z.readBigUInt64LE(32));
    dirSize = safe(z.readBigUInt64LE(40));
    dirOffset = safe(z.readBigUInt64LE(48));
  }
  if (count > limits.maxEntries) throw refuse('entries', `its archive lists ${count.toLocaleString('en-US')} parts, more than the ${limits.maxEntries.toLocaleString('en-US')} a workbook may have`);
  if (dirOffset + dirSize > size || dirSize > 64 * MiB) throw notZip();
  const dir = await read(fh, dirOffset, dirSize);
  const entries: Entry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > dir.length || dir.readUInt32LE(p) !== 0x02014b50) throw notZip();
    const nameLen = dir.readUInt16LE(p + 28);
    const extraLen = dir.readUInt16LE(p + 30);
    const commentLen = dir.readUInt16LE(p + 32);
    const e: Entry = {
      flags: dir.readUInt16LE(p + 8),
      method: dir.readUInt16LE(p + 10),
      compressed: dir.readUInt32LE(p + 20),
      inflated: dir.readUInt32LE(p + 24),
      offset: dir.readUInt32LE(p + 42),
      name: dir.toString('utf8', p + 46, p + 46 + nameLen),
    };
    zip64Sizes(e, dir.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen));
    entries.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  entries.sort((a, b) => a.offset - b.offset);
  return { entries, directoryOffset: dirOffset };
}

function safe(n: bigint): number {
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

/** Zip64 extra field (0x0001): the 64-bit values of the fields the directory left at 0xFFFFFFFF, in this order. */
function zip64Sizes(e: Entry, extra: Buffer): void {
  for (let q = 0; q + 4 <= extra.length;) {
    const id = extra.readUInt16LE(q);
    const len = extra.readUInt16LE(q + 2);
    if (id === 0x0001) {
      let r = q + 4;
      const next = (): number => {
        const v = r + 8 <= q + 4 + len ? safe(extra.readBigUInt64LE(r)) : Number.MAX_SAFE_INTEGER;
        r += 8;
        return v;
      };
      if (e.inflated === 0xffffffff) e.inflated = next();
      if (e.compressed === 0xffffffff) e.compressed = next();
      if (e.offset === 0xffffffff) e.offset = next();
      return;
    }
    q += 4 + len;
  }
}

/**
 * The parts must follow one another from the first byte to the directory, each where the directory
 * says, with the sizes it says: exceljs reads the file front to back by its local headers, so bytes the
 * directory does not account for (a hidden part, a second header) would be read unchecked.
 */
async function checkLayout(fh: FileHandle, entries: Entry[], directoryOffset: number, refuse: (l: Limit, why: string) => AppError): Promise<void> {
  let expected = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.offset !== expected) throw refuse('structure', `its archive holds bytes its directory does not list (before ${e.name}); it may be forged`);
    const h = await read(fh, e.offset, 30);
    if (h.length < 30 || h.readUInt32LE(0) !== 0x04034b50) throw refuse('structure', `part ${e.name} is damaged (no local header)`);
    const nameLen = h.readUInt16LE(26);
    const extraLen = h.readUInt16LE(28);
    const name = (await read(fh, e.offset + 30, nameLen)).toString('utf8');
    const localCompressed = h.readUInt32LE(18);
    const localInflated = h.readUInt32LE(22);
    const descriptor = (h.readUInt16LE(6) & 8) !== 0;
    const sizesDiffer = !descriptor && localCompressed !== 0xffffffff && (localCompressed !== e.compressed || localInflated !== e.inflated);
    if (name !== e.name || h.readUInt16LE(8) !== e.method || sizesDiffer) {
      throw refuse('structure', `part ${e.name} is described one way in the archive's directory and another in the part itself; it may be forged`);
    }
    const dataEnd = e.offset + 30 + nameLen + extraLen + e.compressed;
    const next = i + 1 < entries.length ? entries[i + 1]!.offset : directoryOffset;
    const gap = next - dataEnd;
    // A data descriptor (sizes after the data) takes 12 to 24 bytes; nothing else may sit between parts.
    if (gap !== 0 && !(descriptor && [12, 16, 20, 24].includes(gap))) {
      throw refuse('structure', `its archive holds bytes its directory does not list (after ${e.name}); it may be forged`);
    }
    e.dataStart = e.offset + 30 + nameLen + extraLen;
    expected = next;
  }
}

/** Inflates a part chunk by chunk and throws the bytes away; stops at the first limit passed. */
async function inflateAndCount(fh: FileHandle, e: Entry, limits: XlsxLimits, refuse: (l: Limit, why: string) => AppError): Promise<void> {
  const start = e.dataStart!;
  if (e.method === 0 && e.name !== SHARED_STRINGS) return; // stored: its size is its size
  const isStrings = e.name === SHARED_STRINGS;
  const inflate = createInflateRaw({ chunkSize: 64 * 1024 });
  let out = 0;
  let strings = 0;
  let carry = '';
  let failure: Error | null = null;
  const onData = (chunk: Buffer): void => {
    out += chunk.length;
    if (out > e.inflated) {
      failure = refuse('inflated-size', `part ${e.name} inflates to more than the ${e.inflated.toLocaleString('en-US')} bytes its archive declares; it may be a zip bomb`);
    } else if (isStrings) {
      // "<si>" / "<si " open one string. A tag cut by the chunk's end is left for the next chunk,
      // which starts with the last three characters of this one.
      const text = carry + chunk.toString('latin1');
      for (let i = text.indexOf('<si'); i >= 0 && i + 3 < text.length; i = text.indexOf('<si', i + 3)) {
        const c = text.charCodeAt(i + 3);
        if (c === 0x3e || c === 0x20) strings++;
      }
      carry = text.slice(-3);
      if (strings > limits.maxSharedStrings) {
        failure = refuse('shared-strings', `its shared strings (the sheet's texts) hold more than ${limits.maxSharedStrings.toLocaleString('en-US')} distinct texts, more than an import reads; save the sheet as CSV or split it`);
      }
    }
  };
  inflate.on('data', onData);
  let broken = false;
  inflate.on('error', () => { broken = true; });
  const ended = new Promise<void>((resolve) => {
    inflate.once('end', resolve);
    inflate.once('error', () => resolve());
  });
  if (e.method === 0) {
    // Stored shared strings: count them the same way, without inflating.
    inflate.removeListener('data', onData);
    for (let pos = 0; pos < e.compressed && !failure; pos += 256 * 1024) onData(await read(fh, start + pos, Math.min(256 * 1024, e.compressed - pos)));
    inflate.destroy();
    if (failure) throw failure;
    return;
  }
  try {
    for (let pos = 0; pos < e.compressed && !failure && !broken;) {
      const chunk = await read(fh, start + pos, Math.min(64 * 1024, e.compressed - pos));
      if (chunk.length === 0) break;
      pos += chunk.length;
      if (!inflate.write(chunk)) await Promise.race([new Promise<void>((r) => inflate.once('drain', r)), ended]);
    }
    if (!failure && !broken) {
      inflate.end();
      await ended;
    }
  } finally {
    inflate.destroy();
  }
  if (failure) throw failure;
  if (broken) throw refuse('structure', `part ${e.name} is damaged (it does not inflate)`);
  if (failure) throw failure;
  if (out !== e.inflated) throw refuse('structure', `part ${e.name} is damaged (it inflates to ${out.toLocaleString('en-US')} bytes, not the ${e.inflated.toLocaleString('en-US')} its archive declares)`);
}

// What kind of file a user gave us: its format, its text encoding and its CSV delimiter.
// The encoding check reads the whole file (native UTF-8 validation, ~1 GB/s) so a stray "é" in
// Windows-1252 at row 900,000 is not decoded as UTF-8 garbage after a clean first megabyte.
import { open, type FileHandle } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { AppError } from '../../core/errors.ts';
import type { Delimiter, FileFormat, TextEncoding } from './types.ts';

const CHUNK = 1 << 20;

export async function sniffFormat(path: string): Promise<FileFormat> {
  const head = await readHead(path, 8);
  if (head.length === 0) throw new AppError('E_IMPORT_FILE', 'the file is empty', { file: baseName(path) });
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    throw new AppError('E_IMPORT_FILE', 'this is an old Excel 97-2003 (.xls) file: save it as .xlsx or CSV and import that', { file: baseName(path) });
  }
  return 'csv';
}

/**
 * UTF-8 (with or without BOM) and UTF-16 (with BOM) are recognised as such; any other file is read as
 * Windows-1252, labelled "latin1" when it has no byte in 0x80-0x9F (where the two differ, and where
 * Latin-1 has only control characters).
 */
export async function sniffEncoding(path: string): Promise<TextEncoding> {
  const head = await readHead(path, 3);
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK + 4);
    let carry = 0;
    let utf8 = true;
    let c1 = false;
    for (;;) {
      const { bytesRead } = await fh.read(buf, carry, CHUNK, null);
      const end = carry + bytesRead;
      if (bytesRead === 0) {
        if (carry > 0) utf8 = false; // the file ends inside a multi-byte sequence
        break;
      }
      const view = buf.subarray(0, end);
      if (!c1) c1 = hasC1(view);
      if (utf8) {
        const cut = completeUpTo(view);
        utf8 = isUtf8(view.subarray(0, cut));
        carry = end - cut;
        if (carry > 0) buf.copy(buf, 0, cut, end);
      } else {
        carry = 0;
      }
      if (!utf8 && c1) break;
    }
    if (utf8) return 'utf-8';
    return c1 ? 'windows-1252' : 'latin1';
  } finally {
    await fh.close();
  }
}

/** Index where a trailing, possibly incomplete UTF-8 sequence starts (so it is checked with the next chunk). */
function completeUpTo(b: Buffer): number {
  for (let i = b.length - 1; i >= Math.max(0, b.length - 3); i--) {
    const x = b[i];
    if (x < 0x80) return b.length;
    if (x >= 0xc0) {
      const need = x >= 0xf0 ? 4 : x >= 0xe0 ? 3 : 2;
      return b.length - i >= need ? b.length : i;
    }
  }
  return b.length;
}

function hasC1(b: Buffer): boolean {
  for (let v = 0x80; v <= 0x9f; v++) if (b.indexOf(v) !== -1) return true;
  return false;
}

const CANDIDATES: readonly Delimiter[] = [';', ',', '\t', '|'];

export interface DelimiterGuess {
  delimiter: Delimiter;
  /** True when the file starts with Excel's "sep=X" hint line (not a row of the sheet). */
  sepLine: boolean;
}

/**
 * The delimiter that splits the first records of `sample` into the same number of fields most
 * consistently (quotes respected). A single-column file gets ','.
 */
export function sniffDelimiter(sample: string): DelimiterGuess {
  const hint = /^sep=(.)\r?\n/i.exec(sample.replace(/^\uFEFF/, ''));
  if (hint && (CANDIDATES as readonly string[]).includes(hint[1])) return { delimiter: hint[1] as Delimiter, sepLine: true };
  const records = splitRecords(sample, 50);
  let best: { d: Delimiter; score: number; fields: number } | null = null;
  for (const d of CANDIDATES) {
    const counts = records.map((r) => countOutsideQuotes(r, d)).filter((_, i) => records[i].trim() !== '');
    if (counts.length === 0) continue;
    const freq = new Map<number, number>();
    for (const c of counts) if (c > 0) freq.set(c, (freq.get(c) ?? 0) + 1);
    let mode = 0;
    let modeN = 0;
    for (const [c, n] of freq) if (n > modeN || (n === modeN && c > mode)) [mode, modeN] = [c, n];
    if (mode === 0) continue;
    const score = modeN / counts.length;
    if (!best || score > best.score + 1e-9 || (Math.abs(score - best.score) < 1e-9 && mode > best.fields)) best = { d, score, fields: mode };
  }
  return { delimiter: best?.d ?? ',', sepLine: false };
}

/** Splits text into records at line ends outside quotes; the last, possibly cut, record is dropped when there are others. */
function splitRecords(text: string, max: number): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length && out.length < max; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) {
      out.push(text.slice(start, i));
      if (ch === '\r' && text[i + 1] === '\n') i++;
      start = i + 1;
    }
  }
  if (out.length === 0 && start < text.length) out.push(text.slice(start));
  return out;
}

function countOutsideQuotes(record: string, d: string): number {
  let n = 0;
  let quoted = false;
  for (const ch of record) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === d) n++;
  }
  return n;
}

/** The first `n` bytes of a file (fewer when it is shorter); E_IMPORT_FILE when it cannot be read. */
export async function readHead(path: string, n: number): Promise<Buffer> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw fileError(path, e);
  }
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export function fileError(path: string, e: unknown): AppError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder'
    : (e as Error | undefined)?.message ?? String(e);
  return new AppError('E_IMPORT_FILE', `cannot read ${baseName(path)}: ${why}`, { file: baseName(path) }, { cause: e });
}

// CSV reader: the whole-file encoding check, then the file streamed through a TextDecoder and our
// tokenizer, handed on in batches of whatever one 256 KB read produced (thousands of rows).
import { createReadStream } from 'node:fs';
import iconv from 'iconv-lite';
import { AppError } from '../../core/errors.ts';
import { CsvSyntaxError, CsvTokenizer } from './csv-tokenizer.ts';
import { baseName, fileError, readHead, sniffDelimiter, sniffEncoding } from './sniff.ts';
import type { RawSheet, SheetRow } from './sheet.ts';
import type { TextEncoding } from './types.ts';

const SAMPLE_BYTES = 64 * 1024;
/** A quote left open would otherwise swallow the rest of the file into one field. */
const MAX_RECORD_CHARS = 1 << 20;

interface Decoder {
  write(chunk: Buffer): string;
  end(): string;
}

/** Native decoding (full ICU); iconv-lite where this Node lacks the Windows-1252 table. */
function decoder(encoding: TextEncoding): Decoder {
  // Latin-1 files are decoded as Windows-1252: identical for every printable Latin-1 character.
  const label = encoding === 'latin1' ? 'windows-1252' : encoding;
  try {
    const td = new TextDecoder(label);
    return { write: (b) => td.decode(b, { stream: true }), end: () => td.decode() };
  } catch {
    const d = iconv.getDecoder(label);
    return { write: (b) => d.write(b), end: () => d.end() ?? '' };
  }
}

export async function openCsv(path: string): Promise<RawSheet> {
  const encoding = await sniffEncoding(path);
  const { delimiter, sepLine } = sniffDelimiter(await sampleText(path, encoding));
  const file = createReadStream(path, { highWaterMark: 256 * 1024 });
  const text = decoder(encoding);
  const tokenizer = new CsvTokenizer(delimiter, MAX_RECORD_CHARS);
  let row = 0;
  let skipSep = sepLine;

  const toRows = (records: string[][]): SheetRow[] => {
    const out: SheetRow[] = new Array(records.length);
    let k = 0;
    for (const cells of records) {
      if (skipSep) {
        skipSep = false; // Excel's "sep=;" line is not shown as a row
        continue;
      }
      out[k++] = { row: ++row, cells };
    }
    out.length = k;
    return out;
  };

  async function* batches(): AsyncGenerator<SheetRow[]> {
    try {
      for await (const chunk of file) {
        const records: string[][] = [];
        tokenizer.push(text.write(chunk as Buffer), records);
        if (records.length > 0) yield toRows(records);
      }
      const records: string[][] = [];
      tokenizer.push(text.end(), records);
      tokenizer.end(records);
      if (records.length > 0) yield toRows(records);
    } catch (e) {
      if (e instanceof CsvSyntaxError) {
        const at = e.recordIndex + 1 - (sepLine ? 1 : 0);
        throw new AppError('E_IMPORT_FILE', `${baseName(path)}, row ${at}: ${e.message}`, { file: baseName(path), row: at }, { cause: e });
      }
      throw fileError(path, e);
    }
  }

  return {
    format: 'csv', encoding, delimiter,
    records: batches(),
    bytesRead: () => file.bytesRead,
    close: () => file.destroy(),
  };
}

async function sampleText(path: string, encoding: TextEncoding): Promise<string> {
  return decoder(encoding).write(await readHead(path, SAMPLE_BYTES));
}

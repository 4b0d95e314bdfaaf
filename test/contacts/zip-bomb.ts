// Builds XLSX workbooks for the zip-bomb tests, in memory, in a few hundred milliseconds: a real
// workbook's parts around shared strings that inflate to gigabytes. The compressed shared strings are
// one deflated megabyte (dictionary reset at its end, so copies do not refer to each other) repeated:
// each copy inflates to the same megabyte. Nothing big is ever written or committed.
import { constants, crc32, deflateRawSync } from 'node:zlib';

export interface BombOptions {
  /** How much the shared strings inflate to (default 5 GiB). */
  inflatedBytes?: number;
  /**
   * 'honest': the directory declares the real inflated size (zip64 records);
   * 'lie': it declares `liedBytes` (a harmless-looking size), as a forged file would.
   */
  declare?: 'honest' | 'lie';
  liedBytes?: number;
  /** Extra bytes in front of the first part that no directory entry lists (a hidden part). */
  hidden?: Buffer;
}

interface Part {
  name: string;
  data: Buffer;
  inflated: number;
  crc: number;
  zip64?: boolean;
}

const MiB = 1024 * 1024;

function deflated(name: string, text: string): Part {
  const raw = Buffer.from(text, 'utf8');
  return { name, data: deflateRawSync(raw), inflated: raw.length, crc: crc32(raw) };
}

function sharedStringsBomb(inflatedBytes: number): Part {
  const head = Buffer.from('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>name</t></si><si><t>phone</t></si>');
  const tail = Buffer.from('</sst>');
  const one = `<si><t>${'A'.repeat(1000)}</t></si>`;
  const chunk = Buffer.from(one.repeat(Math.floor(MiB / one.length)));
  const copies = Math.max(1, Math.floor((inflatedBytes - head.length - tail.length) / chunk.length));
  const full = { finishFlush: constants.Z_FULL_FLUSH, level: 9 };
  const pieces = [deflateRawSync(head, full), ...Array<Buffer>(copies).fill(deflateRawSync(chunk, full)), deflateRawSync(tail)];
  return { name: 'xl/sharedStrings.xml', data: Buffer.concat(pieces), inflated: head.length + copies * chunk.length + tail.length, crc: 0 };
}

/** The parts of a one-sheet workbook whose header row (name, phone) comes from `strings`. */
export function workbookParts(strings: Part): Part[] {
  return [
    deflated('[Content_Types].xml', '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
    deflated('_rels/.rels', '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    deflated('xl/workbook.xml', '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Contacts" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    deflated('xl/_rels/workbook.xml.rels', '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
    strings,
    deflated('xl/worksheets/sheet1.xml', '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Jeanne</t></is></c><c r="B2" t="inlineStr"><is><t>+33612345678</t></is></c></row></sheetData></worksheet>'),
  ];
}

/** A workbook with `count` shared strings "s0", "s1"... (small, honest): for the count limit. */
export function manyStringsWorkbook(count: number, hidden?: Buffer): Buffer {
  const items = Array.from({ length: count }, (_, i) => `<si><t>${i === 0 ? 'name' : i === 1 ? 'phone' : `s${i}`}</t></si>`).join('');
  return zip(workbookParts(deflated('xl/sharedStrings.xml', `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${items}</sst>`)), hidden);
}

export function xlsxBomb(opts: BombOptions = {}): Buffer {
  const strings = sharedStringsBomb(opts.inflatedBytes ?? 5 * 1024 * MiB);
  if (opts.declare === 'lie') strings.inflated = opts.liedBytes ?? 9 * MiB;
  else strings.zip64 = strings.inflated > 0xfffffffe;
  return zip(workbookParts(strings), opts.hidden);
}

/** A zip archive of `parts` (deflated), with zip64 sizes where a part asks for them. */
export function zip(parts: Part[], hidden?: Buffer): Buffer {
  const out: Buffer[] = [];
  const dir: Buffer[] = [];
  let offset = 0;
  if (hidden) {
    out.push(hidden);
    offset += hidden.length;
  }
  for (const p of parts) {
    const name = Buffer.from(p.name, 'utf8');
    const extra = p.zip64 ? Buffer.alloc(20) : Buffer.alloc(0);
    if (p.zip64) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(16, 2);
      extra.writeBigUInt64LE(BigInt(p.inflated), 4);
      extra.writeBigUInt64LE(BigInt(p.data.length), 12);
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(p.zip64 ? 45 : 20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(p.crc >>> 0, 14);
    local.writeUInt32LE(p.zip64 ? 0xffffffff : p.data.length, 18);
    local.writeUInt32LE(p.zip64 ? 0xffffffff : p.inflated, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(p.zip64 ? 45 : 20, 4);
    central.writeUInt16LE(p.zip64 ? 45 : 20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(p.crc >>> 0, 16);
    central.writeUInt32LE(p.zip64 ? 0xffffffff : p.data.length, 20);
    central.writeUInt32LE(p.zip64 ? 0xffffffff : p.inflated, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(offset, 42);
    dir.push(central, name, extra);
    out.push(local, name, extra, p.data);
    offset += 30 + name.length + extra.length + p.data.length;
  }
  const dirBytes = Buffer.concat(dir);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(dirBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...out, dirBytes, end]);
}

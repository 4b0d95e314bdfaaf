// The per-contact results export, one table written two ways: CSV shaped for the reader's spreadsheet
// (French: ';' between cells and ',' as decimal mark; English: ',' and '.') and XLSX with typed cells.
// Columns: the source row, the number, the name, the list's own columns, state and outcomes in words with
// their codes beside them, call times in the box's time zone, durations, keys, SIP and Q.850 codes, then
// one column per named answer of the campaign's flow (the contact's latest answer).
import { PassThrough, type Readable } from 'node:stream';
import type ExcelJSModule from 'exceljs';
import { createRequire } from 'node:module';
import type { Db } from '../store/db.ts';
import { exportWords, type ExportLang } from './export-words.ts';
import { answerNames, latestAnswers } from '../store/answers-repo.ts';

export type { ExportLang };

type Kind = 'text' | 'int' | 'seconds' | 'time';
export interface ExportColumn { header: string; kind: Kind; width?: number }
export type ExportValue = string | number | null;

export interface ExportTable {
  columns: ExportColumn[];
  rows: Iterable<ExportValue[]>;
}

interface Row {
  row: number | null; e164: string; name: string | null; fields: string | null; state: string; final_outcome: string | null;
  last_outcome: string | null; attempts: number; block_reason: string | null; first_at: number | null; last_at: number | null;
  ring_ms: number | null; talk_ms: number | null; total_talk: number | null; sip: number | null; q850: number | null; keys: string | null;
  contact_id: number;
}

/** The table of a campaign's results in one language, times in `timeZone` (the box's). */
export function resultsTable(db: Db, campaignId: number, lang: ExportLang, timeZone: string): ExportTable {
  const w = exportWords(lang);
  // The list's own columns, in the order of its header (first contact first, then position in the row).
  // (From the list's contacts: the campaign's snapshot adds the name for personalised messages.)
  // The list's contacts past the cursor (campaign_starts) are not in the ledger yet: each is exported
  // as the ledger would have it (pending, or stopped with its campaign), never called.
  const tail = db.prepare('SELECT list_id, after FROM campaign_starts WHERE campaign_id = ?').get(campaignId) as { list_id: number; after: number } | undefined;
  const own = (db.prepare(`SELECT k FROM (
        SELECT j.key k, c.row r, j.id i FROM campaign_contacts cc JOIN contacts c ON c.id = cc.contact_id, json_each(c.fields) j WHERE cc.campaign_id = ?
        UNION ALL SELECT j.key, c.row, j.id FROM contacts c, json_each(c.fields) j WHERE c.list_id = ? AND c.id > ?)
      GROUP BY k ORDER BY MIN(r), MIN(i)`).pluck().all(campaignId, tail?.list_id ?? -1, tail?.after ?? Number.MAX_SAFE_INTEGER) as string[]);
  const columns: ExportColumn[] = [
    { header: w.header('row'), kind: 'int', width: 10 },
    { header: w.header('number'), kind: 'text', width: 16 },
    { header: w.header('name'), kind: 'text', width: 22 },
    ...own.map((h): ExportColumn => ({ header: h, kind: 'text', width: 16 })),
    { header: w.header('state'), kind: 'text', width: 22 },
    { header: w.header('stateCode'), kind: 'text', width: 10 },
    { header: w.header('finalOutcome'), kind: 'text', width: 24 },
    { header: w.header('finalOutcomeCode'), kind: 'text', width: 14 },
    { header: w.header('lastOutcome'), kind: 'text', width: 24 },
    { header: w.header('lastOutcomeCode'), kind: 'text', width: 14 },
    { header: w.header('attempts'), kind: 'int', width: 10 },
    { header: w.header('firstCall', timeZone), kind: 'time', width: 20 },
    { header: w.header('lastCall', timeZone), kind: 'time', width: 20 },
    { header: w.header('ringS'), kind: 'seconds', width: 12 },
    { header: w.header('talkS'), kind: 'seconds', width: 12 },
    { header: w.header('totalTalkS'), kind: 'seconds', width: 12 },
    { header: w.header('keys'), kind: 'text', width: 10 },
    { header: w.header('sipCode'), kind: 'int', width: 10 },
    { header: w.header('q850'), kind: 'int', width: 10 },
    { header: w.header('blockReason'), kind: 'text', width: 24 },
    { header: w.header('blockReasonCode'), kind: 'text', width: 14 },
  ];
  const names = answerNames(db, campaignId);
  const answers = names.length > 0 ? latestAnswers(db, campaignId) : new Map<number, Record<string, string>>();
  for (const n of names) columns.push({ header: `${lang === 'fr' ? 'Réponse' : 'Answer'} ${n}`, kind: 'text', width: 16 });
  // Transfers to a person (issue 16): shown only for a campaign whose calls had one (the contact's latest).
  const transfers = transferColumns(db, campaignId, lang);
  columns.push(...transfers.columns);
  const stmt = db.prepare(`SELECT cc.contact_id, c.row, cc.e164, c.name, c.fields, cc.state, cc.final_outcome, cc.last_outcome, cc.attempts, cc.block_reason,
      (SELECT MIN(intent_at) FROM attempts a WHERE a.campaign_id = cc.campaign_id AND a.contact_id = cc.contact_id) first_at,
      la.intent_at last_at, la.ring_ms, la.talk_ms, la.sip_code sip, la.q850,
      (SELECT SUM(talk_ms) FROM attempts a WHERE a.campaign_id = cc.campaign_id AND a.contact_id = cc.contact_id AND a.state = 'final') total_talk,
      (SELECT group_concat(dtmf, '') FROM attempts a WHERE a.campaign_id = cc.campaign_id AND a.contact_id = cc.contact_id) keys
      FROM campaign_contacts cc
      LEFT JOIN contacts c ON c.id = cc.contact_id
      LEFT JOIN attempts la ON la.id = (SELECT MAX(id) FROM attempts a WHERE a.campaign_id = cc.campaign_id AND a.contact_id = cc.contact_id)
      WHERE cc.campaign_id = ?
      UNION ALL
      SELECT c.id, c.row, c.e164, c.name, c.fields, CASE WHEN (SELECT status FROM campaigns WHERE id = ?) = 'stopped' THEN 'stopped' ELSE 'pending' END,
        NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
      FROM contacts c WHERE c.list_id = ? AND c.id > ?
      ORDER BY 2, 1`);
  const secs = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 100) / 10);
  function* rows(): Generator<ExportValue[]> {
    for (const r of stmt.iterate(campaignId, campaignId, tail?.list_id ?? -1, tail?.after ?? Number.MAX_SAFE_INTEGER) as Iterable<Row>) {
      const fields = r.fields ? (JSON.parse(r.fields) as Record<string, unknown>) : {};
      yield [
        r.row, r.e164, r.name,
        ...own.map((k) => (fields[k] === undefined || fields[k] === null ? null : String(fields[k]))),
        w.state(r.state), r.state, w.outcome(r.final_outcome), r.final_outcome, w.outcome(r.last_outcome), r.last_outcome,
        r.attempts, r.first_at, r.last_at, secs(r.ring_ms), secs(r.talk_ms), secs(r.total_talk), r.keys || null, r.sip, r.q850,
        w.reason(r.block_reason), r.block_reason,
        ...names.map((n) => answers.get(r.contact_id)?.[n] ?? null),
        ...transfers.values(r.contact_id),
      ];
    }
  }
  return { columns, rows: rows() };
}

const TRANSFER_WORDS: Record<ExportLang, Record<string, string>> = {
  en: { connected: 'connected', 'no-answer': 'nobody answered', 'no-staff': 'nobody available', refused: 'refused', failed: 'failed', 'caller-hung-up': 'hung up while waiting', 'opted-out': 'opted out while waiting' },
  fr: { connected: 'mis en relation', 'no-answer': 'personne n\'a répondu', 'no-staff': 'personne de disponible', refused: 'refusé', failed: 'échec', 'caller-hung-up': 'a raccroché en attendant', 'opted-out': 's\'est désinscrit en attendant' },
};

/** The transfer's outcome (words and code), wait, talk time and who took it, when the campaign had transfers. */
function transferColumns(db: Db, campaignId: number, lang: ExportLang): { columns: ExportColumn[]; values: (contactId: number) => ExportValue[] } {
  const rows = db.prepare(`SELECT contact_id, transfer_outcome o, transfer_wait_ms w, transfer_talk_ms t, transfer_taken_by b FROM attempts
      WHERE id IN (SELECT MAX(id) FROM attempts WHERE campaign_id = ? AND transfer_outcome IS NOT NULL GROUP BY contact_id)`)
    .all(campaignId) as Array<{ contact_id: number; o: string; w: number | null; t: number | null; b: string | null }>;
  if (rows.length === 0) return { columns: [], values: () => [] };
  const fr = lang === 'fr';
  const by = new Map(rows.map((r) => [r.contact_id, r]));
  const secs = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 100) / 10);
  return {
    columns: [
      { header: fr ? 'Transfert' : 'Transfer', kind: 'text', width: 22 },
      { header: fr ? 'Transfert (code)' : 'Transfer code', kind: 'text', width: 14 },
      { header: fr ? 'Attente (s)' : 'Wait (s)', kind: 'seconds', width: 12 },
      { header: fr ? 'Conversation (s)' : 'Talk with staff (s)', kind: 'seconds', width: 12 },
      { header: fr ? 'Pris par' : 'Taken by', kind: 'text', width: 16 },
    ],
    values: (id) => {
      const r = by.get(id);
      return r ? [TRANSFER_WORDS[lang][r.o] ?? r.o, r.o, secs(r.w), secs(r.t), r.b] : [null, null, null, null, null];
    },
  };
}

/** Wall-clock time in a zone as "YYYY-MM-DD HH:MM:SS", which spreadsheets in every language read as a date. */
export function localTime(ms: number, timeZone: string): string {
  const p: Record<string, string> = {};
  for (const x of new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(ms))) p[x.type] = x.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

// A number typed with a leading + or 0 (phone numbers, postcodes): a spreadsheet would turn it into a
// number and drop the + or the zero, or (Excel) read "+33 6…" as a formula.
const KEEP_AS_TEXT = /^(\+\d|0\d)[\d .()-]*$/;
// What opens a formula in Excel or LibreOffice; a plain signed number does not.
const FORMULA_START = /^[=@\t\r\n]|^[+-](?!\d+([.,]\d+)?$)/;

/**
 * One CSV cell. A value a spreadsheet would lose (a leading + or 0) is written as ="…", the one form
 * both Excel and LibreOffice keep as the exact text with nothing visible added; it is built only from
 * digits and punctuation, so it cannot carry anything else. A cell that really starts a formula gets a
 * leading apostrophe; other cells are written as they are.
 */
export function csvCell(v: ExportValue, sep: string): string {
  if (v === null || v === '') return '';
  if (typeof v === 'number') return String(v);
  if (KEEP_AS_TEXT.test(v)) return `"=""${v}"""`;
  const s = FORMULA_START.test(v) ? `'${v}` : v;
  return s.includes(sep) || /["\n\r]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The table as CSV lines (CRLF); French gets ';' and a decimal comma, English ',' and a decimal point. */
export function* tableCsv(table: ExportTable, lang: ExportLang, timeZone: string): Generator<string> {
  const sep = lang === 'fr' ? ';' : ',';
  const decimal = (n: number): string => (lang === 'fr' ? String(n).replace('.', ',') : String(n));
  yield table.columns.map((c) => csvCell(c.header, sep)).join(sep) + '\r\n';
  for (const row of table.rows) {
    yield row.map((v, i) => {
      if (v === null) return '';
      const kind = table.columns[i]!.kind;
      if (kind === 'time' && typeof v === 'number') return localTime(v, timeZone);
      if (kind === 'seconds' && typeof v === 'number') return decimal(v);
      return csvCell(v, sep);
    }).join(sep) + '\r\n';
  }
}

/** ExcelJS, loaded on the first spreadsheet export rather than at every start of the box (it holds ~20 MB for good). */
let excel: typeof ExcelJSModule | null = null;

/** The table as an XLSX workbook streamed as it is written: text stays text, numbers and times are typed. */
export function tableXlsx(table: ExportTable, sheetName: string, timeZone: string): Readable {
  const out = new PassThrough();
  const ExcelJS = (excel ??= createRequire(import.meta.url)('exceljs') as typeof ExcelJSModule);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet(sheetName.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = table.columns.map((c, i) => ({ key: String(i), width: c.width ?? 14, style: c.kind === 'time' ? { numFmt: 'yyyy-mm-dd hh:mm:ss' } : c.kind === 'seconds' ? { numFmt: '0.0' } : {} }));
  const header = ws.addRow(table.columns.map((c) => c.header));
  header.font = { bold: true };
  header.commit();
  void (async () => {
    try {
      for (const row of table.rows) {
        ws.addRow(row.map((v, i) => xlsxValue(v, table.columns[i]!.kind, timeZone))).commit();
      }
      ws.commit();
      await wb.commit();
    } catch (e) {
      out.destroy(e as Error);
    }
  })();
  return out;
}

// A whole number typed without a leading zero: a spreadsheet reads it as a number (as it would the CSV).
const PLAIN_INTEGER = /^-?[1-9]\d{0,14}$/;

function xlsxValue(v: ExportValue, kind: Kind, timeZone: string): ExportValue | Date {
  // A spreadsheet date has no zone: the box's wall-clock time is written as the cell's time.
  if (kind === 'time' && typeof v === 'number') return new Date(`${localTime(v, timeZone).replace(' ', 'T')}Z`);
  if (typeof v === 'string' && PLAIN_INTEGER.test(v)) return Number(v);
  return v;
}

/** Content-Disposition for a download: an ASCII fallback and the UTF-8 name (RFC 6266, RFC 8187). */
export function attachmentHeader(fileName: string): string {
  const ascii = fileName.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9._ -]+/g, '_').replace(/ +/g, ' ').trim() || 'export';
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

// Do-not-call files: reading a list of numbers (one per line, first column of a CSV; national numbers
// read for the given country) and writing the internal list out (hashes: numbers are not kept in clear).
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Suppression } from '../store/compliance-dnc-repo.ts';
import { csvCell } from '../campaigns/reports.ts';

export interface ReadNumbersResult {
  numbers: string[];
  /** Lines that held something but no number we could read (1-based). */
  rejected: Array<{ line: number; text: string }>;
}

const NANP = new Set(['US', 'CA']);

export function numberFromText(text: string, country: string): string | null {
  const s = text.trim().replace(/^"|"$/g, '');
  if (/^\+[1-9]\d{6,14}$/.test(s)) return s;
  const digits = s.replace(/[\s().-]/g, '');
  if (NANP.has(country) && /^[2-9]\d{9}$/.test(digits)) return `+1${digits}`;
  const p = parsePhoneNumberFromString(s, country as CountryCode);
  return p && p.isPossible() ? p.number : null;
}

export function readNumbersFromText(text: string, country: string): ReadNumbersResult {
  const out: ReadNumbersResult = { numbers: [], rejected: [] };
  for (const [i, raw] of text.split(/\r?\n/).entries()) addLine(out, raw, i + 1, country);
  return out;
}

function addLine(out: ReadNumbersResult, raw: string, line: number, country: string): void {
  const first = raw.replace(/^\uFEFF/, '').split(/[,;\t]/)[0]!.trim();
  if (first === '' || first.startsWith('#')) return;
  const e164 = numberFromText(first, country);
  if (e164) out.numbers.push(e164);
  else if (line > 1 || /\d/.test(first)) out.rejected.push({ line, text: first.slice(0, 40) }); // a header line is not a rejection
}

/** The internal list as CSV lines (each ends with \n). */
export function* suppressionsCsv(rows: Iterable<Suppression>): Generator<string> {
  yield 'number_hash,source,reason,campaign_id,digit,actor,created_at\n';
  for (const r of rows) {
    // csvCell also neutralises text a spreadsheet would read as a formula.
    yield [r.numberHash, r.source, r.reason, r.campaignId, r.digit, r.actor, new Date(r.createdAt).toISOString()].map(csvCell).join(',') + '\n';
  }
}

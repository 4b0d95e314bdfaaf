// Shapes shared by the contact-list import: the column mapping a user gives, the contacts it yields,
// the report they read afterwards and the list it makes. No imports: the web UI reads them with `import type`.

/** What the box knows about a line: compliance rules differ for mobiles (e.g. consent in the US). */
export type LineType = 'mobile' | 'fixed' | 'voip' | 'unknown';

/** Where a contact's time zones come from: a column of the file, the number's own range, or only its country code. */
export type TzSource = 'number' | 'column' | 'country';

export type ConsentKey = 'date' | 'source' | 'seller' | 'purpose';
export const CONSENT_KEYS: readonly ConsentKey[] = ['date', 'source', 'seller', 'purpose'];

/**
 * Which column holds what, by header text (as `previewFile` returns it: duplicate headers get " (2)",
 * empty ones "Column C"). Phone columns are tried in the order given: the first that holds a valid
 * number becomes the contact's number (one contact per row).
 */
export interface Mapping {
  phone: string[];
  /** A full-name column; or firstName/lastName, joined with a space. */
  name?: string;
  firstName?: string;
  lastName?: string;
  /** IANA zone names (e.g. "America/Chicago"); overrides the zones derived from the number. */
  timezone?: string;
  consent?: Partial<Record<ConsentKey, string>>;
  /** Columns kept as personalisation fields; default: every column not used for phone, time zone or consent. */
  fields?: string[];
}

export type FileFormat = 'csv' | 'xlsx';
export type TextEncoding = 'utf-8' | 'windows-1252' | 'latin1' | 'utf-16le' | 'utf-16be';
export type Delimiter = ',' | ';' | '\t' | '|';

export interface ImportProgress {
  /** Data rows read so far (after the header). */
  rows: number;
  bytesRead: number;
  totalBytes: number;
  accepted: number;
  rejected: number;
  duplicates: number;
}

export interface RowIssue {
  /** Row number as the spreadsheet shows it (header = row 1). */
  row: number;
  /** Header of the column at fault. */
  column: string;
  /** In English, for the CLI and logs. */
  reason: string;
  /**
   * The same as a stable code and its values, which the web UI words in the user's language
   * (web-ui/src/pages/lists/row-issues.ts): phone-* (see contacts/phone.ts), phone-none-in-columns,
   * timezone-unknown, consent-date. A warning about a row saved from a second phone column carries
   * the first column's problem and `params.usedColumn`.
   */
  code: string;
  params: Record<string, string | number>;
}

export interface DuplicateRow {
  row: number;
  /** The row whose contact was kept. */
  firstRow: number;
  e164: string;
}

export interface ImportReport {
  list: { id: number; name: string };
  file: string;
  format: FileFormat;
  encoding: TextEncoding | null;
  delimiter: Delimiter | null;
  country: string;
  mapping: Mapping;
  /** Data rows with at least one non-empty cell. */
  rows: number;
  accepted: number;
  rejected: RowIssue[];
  duplicates: number;
  duplicateRows: DuplicateRow[];
  /** Rows imported with a remark (e.g. an unusable first phone column where a later one was used). */
  warnings: RowIssue[];
  blankRows: number;
  lineTypes: Record<LineType, number>;
  timezoneSources: Record<TzSource, number>;
  durationMs: number;
}

/** A contact list as stored and as GET /api/lists gives it. */
export interface ListRow {
  id: number;
  name: string;
  sourceFile: string | null;
  country: string;
  createdAt: string;
  rows: number;
  /** Contacts in the list. */
  contacts: number;
  rejected: number;
  duplicates: number;
}

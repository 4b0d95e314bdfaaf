// Contact lists: upload and preview, import (with its report and its progress on the live feed), the
// lists, their contacts. The contacts domain (appliance/contacts/types.ts) takes these shapes from here.
import { Nullable, StringEnum, Type, type Static } from './kit.ts';

const str = Type.String();

/** What the box knows about a line: compliance rules differ for mobiles (e.g. consent in the US). */
export const LINE_TYPES = ['mobile', 'fixed', 'voip', 'unknown'] as const;
export type LineType = (typeof LINE_TYPES)[number];
/** Where a contact's time zones come from: a column of the file, the number's own range, or only its country code. */
export const TZ_SOURCES = ['number', 'column', 'country'] as const;
export type TzSource = (typeof TZ_SOURCES)[number];
export type ConsentKey = 'date' | 'source' | 'seller' | 'purpose';
export const FILE_FORMATS = ['csv', 'xlsx'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];
export type TextEncoding = 'utf-8' | 'windows-1252' | 'latin1' | 'utf-16le' | 'utf-16be';
export type Delimiter = ',' | ';' | '\t' | '|';

/**
 * Which column holds what, by header text (as the preview gives it: duplicate headers get " (2)", empty
 * ones "Column C"). Phone columns are tried in the order given: the first that holds a valid number
 * becomes the contact's number (one contact per row).
 */
export const Mapping = Type.Object({
  phone: Type.Array(str, { minItems: 1, description: 'phone columns, tried in order' }),
  name: Type.Optional(Type.String({ description: 'a full-name column; or firstName/lastName, joined with a space' })),
  firstName: Type.Optional(str),
  lastName: Type.Optional(str),
  timezone: Type.Optional(Type.String({ description: 'IANA zone names (e.g. "America/Chicago"); overrides the zones derived from the number' })),
  consent: Type.Optional(Type.Object({
    date: Type.Optional(str), source: Type.Optional(str), seller: Type.Optional(str), purpose: Type.Optional(str),
  }, { additionalProperties: false })),
  fields: Type.Optional(Type.Array(str, { description: 'personalisation columns; default: every other column' })),
}, { additionalProperties: false, description: 'which column holds what, by header text as the preview shows it' });
export type Mapping = Static<typeof Mapping>;

export const RowIssue = Type.Object({
  row: Type.Integer({ description: 'row number as the spreadsheet shows it (header = row 1)' }),
  column: Type.String({ description: 'header of the column at fault' }),
  reason: Type.String({ description: 'in English, for the CLI and logs' }),
  code: Type.String({ description: 'the same as a stable code the web UI words in the user\'s language: phone-* (see contacts/phone.ts), phone-none-in-columns, timezone-unknown, consent-date; a warning about a row saved from a second phone column carries the first column\'s problem and params.usedColumn' }),
  params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), { description: 'the values the code\'s words need' }),
});
export type RowIssue = Static<typeof RowIssue>;

export const DuplicateRow = Type.Object({
  row: Type.Integer(),
  firstRow: Type.Integer({ description: 'the row whose contact was kept' }),
  e164: str,
});
export type DuplicateRow = Static<typeof DuplicateRow>;

const byLineType = Type.Object({ mobile: Type.Integer(), fixed: Type.Integer(), voip: Type.Integer(), unknown: Type.Integer() });
const byTzSource = Type.Object({ number: Type.Integer(), column: Type.Integer(), country: Type.Integer() });

export const ImportReport = Type.Object({
  list: Type.Object({ id: Type.Integer(), name: str }),
  file: str,
  format: StringEnum(FILE_FORMATS),
  encoding: Nullable(Type.Unsafe<TextEncoding>(Type.String())),
  delimiter: Nullable(Type.Unsafe<Delimiter>(Type.String())),
  country: str,
  mapping: Mapping,
  rows: Type.Integer({ description: 'data rows with at least one non-empty cell' }),
  accepted: Type.Integer(),
  rejected: Type.Array(RowIssue, { description: 'every rejected row, with the spreadsheet row number (header = 1)' }),
  duplicates: Type.Integer(),
  duplicateRows: Type.Array(DuplicateRow),
  warnings: Type.Array(RowIssue, { description: 'rows imported with a remark (e.g. an unusable first phone column where a later one was used)' }),
  blankRows: Type.Integer(),
  lineTypes: byLineType,
  timezoneSources: byTzSource,
  durationMs: Type.Number(),
});
export type ImportReport = Static<typeof ImportReport>;

export const Preview = Type.Object({
  format: StringEnum(FILE_FORMATS),
  encoding: Nullable(str),
  delimiter: Nullable(str),
  headers: Type.Array(str, { description: 'column headers; duplicates get " (2)", empty ones "Column C"' }),
  headerRow: Type.Integer(),
  rows: Type.Array(Type.Array(str), { description: 'first data rows, one cell per header' }),
  rowNumbers: Type.Array(Type.Integer(), { description: 'spreadsheet row number of each row' }),
  suggestedMapping: Mapping,
}, { description: 'the file as the importer reads it' });
export type Preview = Static<typeof Preview>;

/** POST /api/lists/preview. */
export const PreviewQuery = Type.Object({ filename: Type.Optional(Type.String({ maxLength: 255 })) }, { additionalProperties: false });
export const PreviewReply = Type.Object({ uploadId: str, fileName: str, bytes: Type.Integer(), preview: Preview });
export type PreviewReply = Static<typeof PreviewReply>;

/** The fields of an import (POST /api/lists, as JSON or as the text fields of a multipart upload). */
export const ImportFields = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100, description: 'name of the new list' }),
  country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$', description: 'country for numbers without +; default: the box country' })),
  mapping: Type.Optional(Mapping),
}, { additionalProperties: false });
export type ImportFields = Static<typeof ImportFields>;

export const ImportBody = Type.Composite([ImportFields, Type.Object({ uploadId: Type.String({ maxLength: 64 }) })], { additionalProperties: false });
export type ImportBody = Static<typeof ImportBody>;

/** A contact list as stored and as GET /api/lists gives it. */
export const ListSummary = Type.Object({
  id: Type.Integer(),
  name: str,
  sourceFile: Nullable(str),
  country: str,
  createdAt: str,
  rows: Type.Integer({ description: 'data rows in the file' }),
  contacts: Type.Integer({ description: 'contacts in the list' }),
  rejected: Type.Integer(),
  duplicates: Type.Integer(),
});
export type ListSummary = Static<typeof ListSummary>;

export const Contact = Type.Object({
  id: Type.Integer(),
  listId: Type.Integer(),
  e164: str,
  lineType: StringEnum(LINE_TYPES),
  timezones: Type.Array(str),
  tzSource: StringEnum(TZ_SOURCES),
  name: Nullable(str),
  fields: Type.Record(Type.String(), Type.String()),
  consent: Nullable(Type.Record(Type.String(), Type.String())),
  row: Type.Integer({ description: 'row in the source file (header = 1)' }),
  createdAt: Type.Optional(str),
});
export type Contact = Static<typeof Contact>;

export const ContactsQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100, description: 'matches number, name or fields' })),
  page: Type.Integer({ minimum: 1, default: 1 }),
  pageSize: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
}, { additionalProperties: false });
export type ContactsQuery = Static<typeof ContactsQuery>;

export const ContactPage = Type.Object({ total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer(), items: Type.Array(Contact) });
export type ContactPage = Static<typeof ContactPage>;

/** How far an import has got (the importer's own progress, and the base of the live event). */
export const ImportProgress = Type.Object({
  rows: Type.Integer({ description: 'data rows read so far (after the header)' }),
  bytesRead: Type.Integer(),
  bytesTotal: Type.Integer({ description: 'size of the file: the progress bar is bytesRead / bytesTotal' }),
  accepted: Type.Integer(),
  rejected: Type.Integer(),
});
export type ImportProgress = Static<typeof ImportProgress>;

/** Live event "import.progress" (GET /api/live). */
export const ImportProgressEvent = Type.Composite([
  Type.Object({
    uploadId: Type.String({ description: 'upload being imported (also returned by POST /api/lists/preview)' }),
    list: Type.String({ description: 'name of the list being made' }),
    phase: StringEnum(['reading', 'done', 'failed'] as const),
  }),
  ImportProgress,
]);
export type ImportProgressEvent = Static<typeof ImportProgressEvent>;

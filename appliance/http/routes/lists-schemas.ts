// JSON schemas of the contact-list API (they mirror appliance/contacts/types.ts).
const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const nullableStr = { type: 'string', nullable: true } as const;

export const mappingSchema = {
  type: 'object',
  required: ['phone'],
  additionalProperties: false,
  description: 'which column holds what, by header text as the preview shows it',
  properties: {
    phone: { type: 'array', minItems: 1, items: str, description: 'phone columns, tried in order' },
    name: str,
    firstName: str,
    lastName: str,
    timezone: str,
    consent: { type: 'object', additionalProperties: false, properties: { date: str, source: str, seller: str, purpose: str } },
    fields: { type: 'array', items: str, description: 'personalisation columns; default: every other column' },
  },
} as const;

const rowIssue = {
  type: 'object',
  required: ['row', 'column', 'reason'],
  properties: {
    row: int,
    column: str,
    reason: { type: 'string', description: 'in English (the CLI\'s words)' },
    code: { type: 'string', description: 'why, as a stable code the web UI words in its language: phone-*, timezone-unknown, consent-date' },
    params: { type: 'object', additionalProperties: { type: ['string', 'number'] }, description: 'the values the code\'s sentence names (value, digits, country, usedColumn, …)' },
  },
} as const;

export const importReportSchema = {
  type: 'object',
  required: ['list', 'file', 'format', 'country', 'mapping', 'rows', 'accepted', 'rejected', 'duplicates'],
  properties: {
    list: { type: 'object', required: ['id', 'name'], properties: { id: int, name: str } },
    file: str,
    format: { type: 'string', enum: ['csv', 'xlsx'] },
    encoding: nullableStr,
    delimiter: nullableStr,
    country: str,
    mapping: mappingSchema,
    rows: int,
    accepted: int,
    rejected: { type: 'array', items: rowIssue, description: 'every rejected row, with the spreadsheet row number (header = 1)' },
    duplicates: int,
    duplicateRows: { type: 'array', items: { type: 'object', properties: { row: int, firstRow: int, e164: str } } },
    warnings: { type: 'array', items: rowIssue },
    blankRows: int,
    lineTypes: { type: 'object', additionalProperties: int },
    timezoneSources: { type: 'object', additionalProperties: int },
    durationMs: { type: 'number' },
  },
} as const;

export const listPreviewSchema = {
  type: 'object',
  required: ['format', 'encoding', 'delimiter', 'headers', 'headerRow', 'rows', 'rowNumbers', 'suggestedMapping'],
  description: 'the file as the importer reads it',
  properties: {
    format: { type: 'string', enum: ['csv', 'xlsx'] },
    encoding: nullableStr,
    delimiter: nullableStr,
    headers: { type: 'array', items: str, description: 'column headers; duplicates get " (2)", empty ones "Column C"' },
    headerRow: int,
    rows: { type: 'array', items: { type: 'array', items: str }, description: 'first data rows, one cell per header' },
    rowNumbers: { type: 'array', items: int, description: 'spreadsheet row number of each row' },
    suggestedMapping: mappingSchema,
  },
} as const;

export const listSummarySchema = {
  type: 'object',
  required: ['id', 'name', 'country', 'createdAt', 'rows', 'contacts', 'rejected', 'duplicates'],
  properties: {
    id: int,
    name: str,
    sourceFile: nullableStr,
    country: str,
    createdAt: str,
    rows: { type: 'integer', description: 'data rows in the file' },
    contacts: int,
    rejected: int,
    duplicates: int,
  },
} as const;

const contactSchema = {
  type: 'object',
  required: ['id', 'listId', 'e164', 'lineType', 'timezones', 'tzSource', 'name', 'fields', 'consent', 'row'],
  properties: {
    id: int,
    listId: int,
    e164: str,
    lineType: { type: 'string', enum: ['mobile', 'fixed', 'voip', 'unknown'] },
    timezones: { type: 'array', items: str },
    tzSource: { type: 'string', enum: ['number', 'column', 'country'] },
    name: nullableStr,
    fields: { type: 'object', additionalProperties: str },
    consent: { type: 'object', nullable: true, additionalProperties: str },
    row: { type: 'integer', description: 'row in the source file (header = 1)' },
    createdAt: str,
  },
} as const;

export const contactPageSchema = {
  type: 'object',
  required: ['total', 'page', 'pageSize', 'items'],
  properties: { total: int, page: int, pageSize: int, items: { type: 'array', items: contactSchema } },
} as const;

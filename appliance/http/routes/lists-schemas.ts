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

const rowIssue = { type: 'object', required: ['row', 'column', 'reason'], properties: { row: int, column: str, reason: str } } as const;

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
  additionalProperties: true,
  description: 'the file as the importer reads it: format, encoding, delimiter, headers, first rows, suggested mapping',
} as const;

export const listSummarySchema = {
  type: 'object',
  required: ['id', 'name', 'contacts', 'createdAt'],
  additionalProperties: true,
  properties: { id: int, name: str, contacts: int, createdAt: str },
} as const;

export const contactPageSchema = {
  type: 'object',
  required: ['total', 'page', 'pageSize', 'items'],
  properties: {
    total: int,
    page: int,
    pageSize: int,
    items: { type: 'array', items: { type: 'object', required: ['id', 'e164'], additionalProperties: true, properties: { id: int, e164: str, name: nullableStr } } },
  },
} as const;

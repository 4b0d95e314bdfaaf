// The contact-list API as this page reads it (appliance/http/routes/lists-schemas.ts). The shapes the server
// states once are read from its types-only module (`import type`: erased at build, nothing in the bundle).
import type { LineType, Mapping } from '../../../../appliance/contacts/types.ts';

export type { ImportReport, ListRow as ListSummary, Mapping, RowIssue } from '../../../../appliance/contacts/types.ts';

export interface Preview {
  format: 'csv' | 'xlsx';
  encoding: string | null;
  delimiter: string | null;
  headers: string[];
  headerRow: number;
  rows: string[][];
  rowNumbers: number[];
  suggestedMapping: Mapping;
}

export interface PreviewReply {
  uploadId: string;
  fileName: string;
  bytes: number;
  preview: Preview;
}

export interface ImportProgress {
  uploadId: string;
  phase: 'reading' | 'done' | 'failed';
  rows: number;
  bytesRead: number;
  bytesTotal: number;
}

export interface Contact {
  id: number;
  e164: string;
  lineType: LineType;
  name: string | null;
  fields: Record<string, string>;
  row: number;
}

export interface ContactPage {
  total: number;
  page: number;
  pageSize: number;
  items: Contact[];
}

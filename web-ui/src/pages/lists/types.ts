// The contact-list API as this page reads it (appliance/http/routes/lists-schemas.ts).
export interface Mapping {
  phone: string[];
  name?: string;
  firstName?: string;
  lastName?: string;
  timezone?: string;
  consent?: Record<string, string>;
  fields?: string[];
}

export interface ListSummary {
  id: number;
  name: string;
  sourceFile: string | null;
  country: string;
  createdAt: string;
  rows: number;
  contacts: number;
  rejected: number;
  duplicates: number;
}

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

export interface RowIssue {
  row: number;
  column: string;
  reason: string;
}

export interface ImportReport {
  list: { id: number; name: string };
  file: string;
  rows: number;
  accepted: number;
  rejected: RowIssue[];
  duplicates: number;
  warnings?: RowIssue[];
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
  lineType: 'mobile' | 'fixed' | 'voip' | 'unknown';
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

// Shapes shared by the contact-list import: the column mapping a user gives, the contacts it yields,
// the report they read afterwards and the list it makes. The wire shapes are written once, in the API
// contract (appliance/http/contract/lists.ts); the importer's own types are here.
import type { ConsentKey, ImportProgress as WireProgress } from '../http/contract/lists.ts';

export type {
  ConsentKey, Delimiter, DuplicateRow, FileFormat, ImportReport, LineType, Mapping, RowIssue, TextEncoding, TzSource,
  ListSummary as ListRow,
} from '../http/contract/lists.ts';

export const CONSENT_KEYS: readonly ConsentKey[] = ['date', 'source', 'seller', 'purpose'];

/** How far an import has got; the live event "import.progress" carries it. */
export interface ImportProgress extends WireProgress {
  duplicates: number;
}

// The contact-list API as this page reads it, from the API contract (`import type`: erased at build,
// nothing of the server in the bundle).
export type {
  Contact, ContactPage, ImportProgressEvent as ImportProgress, ImportReport, ListSummary, Mapping, Preview, PreviewReply, RowIssue,
} from '../../../../appliance/http/contract/lists.ts';

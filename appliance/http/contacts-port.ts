// What the lists routes need from the contact-list module (appliance/contacts, appliance/store),
// behind one small interface so the routes do not change when that module's internals do.
import type { Db } from '../store/db.ts';
import type { ImportProgress, ImportReport, Mapping } from '../contacts/types.ts';

export type { ImportProgress, ImportReport, Mapping };

export interface ListPreview {
  [key: string]: unknown;
}

export interface ListSummary {
  id: number;
  name: string;
  contacts: number;
  createdAt: string;
}

export interface ContactView {
  id: number;
  e164: string;
  name: string | null;
  [key: string]: unknown;
}

export interface ContactPage {
  total: number;
  page: number;
  pageSize: number;
  items: ContactView[];
}

export interface ImportRequest {
  list: string;
  country: string;
  mapping?: Mapping;
  /** The name the browser gave the file (for the report). */
  fileName: string;
  onProgress?: (p: ImportProgress) => void;
}

export interface ContactsPort {
  preview(file: string, fileName: string): Promise<ListPreview>;
  importFile(file: string, req: ImportRequest): Promise<ImportReport>;
  lists(): ListSummary[];
  /** null when the list does not exist. */
  contacts(listId: number, q: { search?: string; page: number; pageSize: number }): ContactPage | null;
  /** false when the list does not exist. */
  deleteList(listId: number): boolean;
}

/** The real module; loaded on first use so the API starts even while a list feature is missing. */
export function defaultContactsPort(db: Db): ContactsPort {
  const missing = (): never => {
    throw new Error('the contact-list module (appliance/contacts) is not available in this build');
  };
  void db;
  return {
    preview: async () => missing(),
    importFile: async () => missing(),
    lists: () => missing(),
    contacts: () => missing(),
    deleteList: () => missing(),
  };
}

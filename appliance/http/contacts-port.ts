// What the lists routes need from the contact-list module (appliance/contacts, appliance/store),
// behind one small interface so the routes stay put when that module's internals move, and tests
// can count calls.
import { importContacts } from '../contacts/import.ts';
import { previewFile, type FilePreview } from '../contacts/preview.ts';
import type { ImportProgress, ImportReport, Mapping } from '../contacts/types.ts';
import { ContactsRepo, type ContactRow, type ListRow } from '../store/contacts-repo.ts';
import type { Db } from '../store/db.ts';

export type { ContactRow, FilePreview, ImportProgress, ImportReport, ListRow, Mapping };

export interface ContactPage {
  total: number;
  page: number;
  pageSize: number;
  items: ContactRow[];
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
  preview(file: string): Promise<FilePreview>;
  importFile(file: string, req: ImportRequest): Promise<ImportReport>;
  lists(): ListRow[];
  /** null when the list does not exist. */
  contacts(listId: number, q: { search?: string; page: number; pageSize: number }): ContactPage | null;
  /** false when the list does not exist; AppError when a campaign still uses it. */
  deleteList(listId: number): boolean;
}

export function defaultContactsPort(db: Db): ContactsPort {
  const repo = new ContactsRepo(db);
  return {
    preview: (file) => previewFile(file),
    importFile: (file, req) => importContacts(db, file, req),
    lists: () => repo.listLists(),
    contacts(listId, q) {
      const page = repo.searchContacts(listId, { query: q.search, limit: q.pageSize, offset: (q.page - 1) * q.pageSize });
      return page ? { ...page, page: q.page, pageSize: q.pageSize } : null;
    },
    deleteList: (listId) => repo.deleteList(listId),
  };
}

// Contact lists: a file imported into a new list (from the web UI's upload, the command line's file, or
// a fleet download), and a list deleted. The door brings the file to the box; the action imports it.
import { AppError } from '../../core/errors.ts';
import type { Mapping } from '../contacts/types.ts';
import { importContacts } from '../contacts/import.ts';
import { ContactsRepo } from '../store/contacts-repo.ts';
import type { Db } from '../store/db.ts';
import { defineAction, type ActionEnv, type ContactsActionsPort } from './action.ts';

/** The contact lists of this box's store, for a door that has no port of its own (the fleet, the command line). */
export function storeContacts(db: Db): ContactsActionsPort {
  return { importFile: (file, req) => importContacts(db, file, req), deleteList: (listId) => new ContactsRepo(db).deleteList(listId) };
}

function contacts(env: ActionEnv): ContactsActionsPort {
  if (!env.contacts) throw new AppError('E_NOT_FOUND', 'this box takes no contact lists here');
  return env.contacts;
}

export const listImport = defineAction({
  name: 'list.import', role: 'operator', doors: ['http', 'fleet', 'cli'],
  input: {
    type: 'object', required: ['file', 'list'], additionalProperties: false,
    properties: {
      file: { type: 'string', minLength: 1, description: 'the file on the box (an upload, a download, or a path given on the command line)' },
      list: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' },
      country: { type: 'string', pattern: '^[A-Z]{2}$' },
      mapping: { type: 'object' },
      fileName: { type: 'string', maxLength: 255 },
    },
  },
  run: (env, i: { file: string; list: string; country?: string; mapping?: Mapping; fileName?: string }, _actor, io) => contacts(env).importFile(i.file, {
    list: i.list.trim(), country: i.country ?? env.country(), ...(i.mapping ? { mapping: i.mapping } : {}), fileName: i.fileName ?? i.file.split('/').pop() ?? 'list',
    ...(io.progress ? { onProgress: (p) => io.progress!({ rows: p.rows, bytesRead: p.bytesRead, bytesTotal: p.bytesTotal, accepted: p.accepted, rejected: p.rejected }) } : {}),
  }),
  // Counts only: rejected rows' reasons quote the file, and the file name may name a person.
  audit: (i, r) => ({ subject: `list:${r.list.id}`, details: { name: i.list.trim(), rows: r.rows, accepted: r.accepted, rejected: r.rejected.length, duplicates: r.duplicates } }),
  subject: () => null,
});

export const listDelete = defineAction({
  name: 'list.delete', role: 'operator', doors: ['http'],
  input: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'integer', minimum: 1 } } },
  run: (env, i: { id: number }) => {
    if (!contacts(env).deleteList(i.id)) throw new AppError('E_NOT_FOUND', `No list with id ${i.id}.`, { list: i.id });
    return { id: i.id };
  },
  audit: (i) => ({ subject: `list:${i.id}` }),
  subject: (i) => (typeof i?.id === 'number' ? `list:${i.id}` : null),
});

export const LIST_ACTIONS = [listImport, listDelete];

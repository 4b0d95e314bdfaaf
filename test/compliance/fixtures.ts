// Test fixtures: an in-memory store with a contact list and a campaign on it.
import { openStore, type Db } from '../../appliance/store/db.ts';
import { CampaignsRepo, type CampaignRow } from '../../appliance/store/campaigns-repo.ts';
import { parseCampaignConfig } from '../../appliance/campaigns/model.ts';

export interface ContactSpec {
  e164: string;
  lineType?: 'mobile' | 'fixed' | 'voip' | 'unknown';
  zones: string[];
  tzSource?: 'number' | 'column' | 'country';
  consent?: Record<string, string> | null;
}

export function memoryStore(): Db {
  return openStore({ dir: ':memory:' });
}

export function addList(db: Db, name: string, contacts: ContactSpec[]): { listId: number; contactIds: number[] } {
  const listId = Number(db.prepare("INSERT INTO lists (name, status, country, created_at, accepted) VALUES (?, 'ready', 'FR', ?, ?)").run(name, new Date(0).toISOString(), contacts.length).lastInsertRowid);
  const ins = db.prepare('INSERT INTO contacts (list_id, e164, line_type, timezones, tz_source, consent, row, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const contactIds = db.transaction(() => contacts.map((c, i) => Number(ins.run(listId, c.e164, c.lineType ?? 'fixed', JSON.stringify(c.zones), c.tzSource ?? 'number', c.consent ? JSON.stringify(c.consent) : null, i + 2, new Date(0).toISOString()).lastInsertRowid)))();
  return { listId, contactIds };
}

export function addCampaign(db: Db, name: string, listId: number, config: Record<string, unknown> = {}): CampaignRow {
  return new CampaignsRepo(db).create(name, listId, parseCampaignConfig({ message: 'msg', callerId: '+33162000000', trunks: ['t1'], ...config }));
}

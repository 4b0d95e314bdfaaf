// A synthetic list for the preflight bench and tests: zones on both sides of the Atlantic and overseas,
// mixed line types, consents in the ledger and in import columns, opt-outs, a registry copy, past attempts.
import type { Db } from '../appliance/store/db.ts';
import { DncRepo } from '../appliance/store/compliance-dnc-repo.ts';
import { ConsentRepo } from '../appliance/store/compliance-consent-repo.ts';
import { dncHash } from '../appliance/compliance/number-hash.ts';

const ZONES = [['Europe/Paris'], ['Europe/Paris'], ['Europe/Paris'], ['America/Guadeloupe'], ['Indian/Reunion'], ['America/New_York'], ['America/Los_Angeles'], ['America/Adak', 'America/Anchorage']];
const LINES = ['fixed', 'mobile', 'mobile', 'voip', 'unknown'];

export function seedList(db: Db, name: string, n: number, now: number): number {
  const listId = Number(db.prepare("INSERT INTO lists (name, status, country, created_at, accepted) VALUES (?, 'ready', 'FR', ?, ?)").run(name, new Date(now).toISOString(), n).lastInsertRowid);
  const ins = db.prepare("INSERT INTO contacts (list_id, e164, line_type, timezones, tz_source, consent, row, created_at) VALUES (?, ?, ?, ?, 'number', ?, ?, ?)");
  const dnc = new DncRepo(db);
  const consents = new ConsentRepo(db);
  const registry: string[] = [];
  const att = db.prepare("INSERT INTO attempts (campaign_id, contact_id, e164, state, intent_at, ended_at, outcome) VALUES (0, ?, ?, 'final', ?, ?, ?)");
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const e164 = `+3314${String(i).padStart(7, '0')}`;
      const consent = i % 4 === 1 ? JSON.stringify({ date: '2026-01-10', seller: 'Acme', purpose: 'marketing', source: 'web' }) : null;
      const id = Number(ins.run(listId, e164, LINES[i % LINES.length], JSON.stringify(ZONES[i % ZONES.length]), consent, i + 2, new Date(now).toISOString()).lastInsertRowid);
      if (i % 4 === 2) consents.record({ e164, seller: 'Acme', purpose: 'marketing', method: 'form', givenAt: now - 90 * 86_400_000, disclosureText: 'I agree to automated calls from Acme', disclosureVersion: 'v2', source: 'https://acme.example/optin' }, 'bench', now);
      if (i % 20 === 3) dnc.add({ numberHash: dncHash(e164), source: 'keypress', now });
      if (i % 25 === 4) registry.push(e164);
      if (i % 10 === 5) for (let k = 0; k < 4; k++) att.run(id, e164, now - (k + 1) * 86_400_000, now - (k + 1) * 86_400_000 + 30_000, 'no-answer');
      if (i % 50 === 6) att.run(id, e164, now - 3 * 86_400_000, now - 3 * 86_400_000 + 5000, 'declined');
    }
  })();
  dnc.importRegistry('fr-bloctel', registry, { downloadedAt: now - 86_400_000, actor: 'bench', now });
  return listId;
}

// Preflight of a 10,000-contact list under the French pack (marketing: every rule applies, in the
// Bloctel regime before 2026-08-11; and in the consent regime after it) and the US pack. Baseline:
// reading the same contacts and parsing their zones, nothing else. Target: a cold preflight (what
// `appliance preflight` costs in a fresh process) of 10,000 contacts within 10 s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../appliance/store/db.ts';
import { CampaignsRepo } from '../appliance/store/campaigns-repo.ts';
import { parseCampaignConfig } from '../appliance/campaigns/model.ts';
import { preflight } from '../appliance/compliance/preflight.ts';
import { seedList } from './preflight-lib.ts';

const contacts = Number(process.argv[2] ?? 10_000);
const TARGET_MS_PER_10K = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'bench-preflight-'));
try {
  const now = Date.parse('2026-06-03T09:00:00Z');
  const db = openStore({ dir });
  const listId = seedList(db, 'bench', contacts, now);
  const cfg = parseCampaignConfig({ message: 'm', callerId: '+33162000000', trunks: ['t'], purpose: 'marketing', seller: 'Acme' });
  const campaign = new CampaignsRepo(db).create('bench', listId, cfg);
  const time = (f: () => unknown): number => {
    const t0 = performance.now();
    f();
    return performance.now() - t0;
  };
  const baselineMs = time(() => {
    let z = 0;
    for (const r of db.prepare('SELECT id, e164, line_type, timezones, consent FROM contacts WHERE list_id = ?').iterate(listId) as IterableIterator<{ timezones: string }>) z += (JSON.parse(r.timezones) as string[]).length;
    return z;
  });
  // The first run is what `appliance preflight` costs (a fresh process); the second shows the warm figure.
  let fr = preflight(db, campaign, 'fr', { now });
  const coldMs = fr.durationMs;
  fr = preflight(db, campaign, 'fr', { now });
  const usMs = time(() => preflight(db, campaign, 'us', { now }));
  const consentRegimeMs = time(() => preflight(db, campaign, 'fr', { now: Date.parse('2026-09-02T09:00:00Z') }));
  db.close();
  process.stderr.write(`fr: ${JSON.stringify({ callable: fr.callable, deferred: fr.deferred, blocked: fr.blocked })}\n`);
  process.stdout.write(JSON.stringify({
    bench: 'preflight', contacts, ms: coldMs, warmMs: fr.durationMs, usMs: Math.round(usMs), consentRegimeMs: Math.round(consentRegimeMs), held: fr.heldTotal, baselineScanMs: Math.round(baselineMs),
    ratio: +(coldMs / Math.max(1, baselineMs)).toFixed(1), callable: fr.callable, blocked: Object.values(fr.blocked).reduce((a, b) => a + b, 0),
    targetMs: Math.round((TARGET_MS_PER_10K * contacts) / 10_000), pass: coldMs <= (TARGET_MS_PER_10K * contacts) / 10_000,
  }) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}

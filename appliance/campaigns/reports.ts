// Per-campaign reports: counts by outcome, answer and completion rates, durations, keys pressed,
// and csvCell for the box's plain CSV files (the results export is export.ts).
import type { Db } from '../store/db.ts';
import type { CampaignReport } from './report-types.ts';

export type { CampaignReport };

const ANSWERED = new Set(['human', 'confirmed', 'opted-out', 'machine-message-left', 'machine-no-message']);

function countBy(rows: Array<{ k: string | null; n: number }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) if (r.k !== null) out[r.k] = r.n;
  return out;
}

export function campaignReport(db: Db, campaignId: number): CampaignReport {
  const byState = countBy(db.prepare('SELECT state k, COUNT(*) n FROM campaign_contacts WHERE campaign_id = ? GROUP BY state').all(campaignId) as Array<{ k: string; n: number }>);
  const byFinalOutcome = countBy(db.prepare('SELECT final_outcome k, COUNT(*) n FROM campaign_contacts WHERE campaign_id = ? AND final_outcome IS NOT NULL GROUP BY final_outcome').all(campaignId) as Array<{ k: string; n: number }>);
  const byAttemptOutcome = countBy(db.prepare("SELECT outcome k, COUNT(*) n FROM attempts WHERE campaign_id = ? AND state = 'final' GROUP BY outcome").all(campaignId) as Array<{ k: string; n: number }>);
  const blockedReasons = countBy(db.prepare("SELECT block_reason k, COUNT(*) n FROM campaign_contacts WHERE campaign_id = ? AND state = 'blocked' GROUP BY block_reason").all(campaignId) as Array<{ k: string; n: number }>);
  const contacts = Object.values(byState).reduce((a, b) => a + b, 0);
  const agg = db.prepare(`SELECT COUNT(*) attempts, COUNT(DISTINCT contact_id) attempted,
      AVG(CASE WHEN talk_ms > 0 THEN talk_ms END) talk, AVG(CASE WHEN ring_ms > 0 THEN ring_ms END) ring
      FROM attempts WHERE campaign_id = ? AND state = 'final'`).get(campaignId) as { attempts: number; attempted: number; talk: number | null; ring: number | null };
  const answered = db.prepare(`SELECT COUNT(DISTINCT contact_id) FROM attempts WHERE campaign_id = ? AND state = 'final' AND outcome IN (${[...ANSWERED].map(() => '?').join(',')})`)
    .pluck().get(campaignId, ...ANSWERED) as number;
  const keys: Record<string, number> = {};
  for (const row of db.prepare("SELECT dtmf FROM attempts WHERE campaign_id = ? AND dtmf IS NOT NULL AND dtmf != ''").pluck().iterate(campaignId) as Iterable<string>) {
    for (const k of row) keys[k] = (keys[k] ?? 0) + 1;
  }
  const amd = db.prepare(`SELECT COUNT(*) n, SUM(amd = 'human') human, SUM(amd = 'machine') machine FROM attempts
      WHERE campaign_id = ? AND state = 'final' AND amd IS NOT NULL AND dtmf IS NOT NULL AND dtmf != ''`).get(campaignId) as { n: number; human: number | null; machine: number | null };
  const finalCount = (byState.done ?? 0) + (byState.blocked ?? 0);
  return {
    campaignId,
    contacts,
    byState,
    byFinalOutcome,
    byAttemptOutcome,
    attempts: agg.attempts,
    answeredContacts: answered,
    answerRate: agg.attempted ? answered / agg.attempted : 0,
    completionRate: contacts ? finalCount / contacts : 0,
    avgTalkMs: Math.round(agg.talk ?? 0),
    avgRingMs: Math.round(agg.ring ?? 0),
    keys,
    blockedReasons,
    amdAgreement: { callsWithKeys: amd.n, detectedHuman: amd.human ?? 0, detectedMachine: amd.machine ?? 0, agreement: amd.n ? (amd.human ?? 0) / amd.n : null },
  };
}

/** A cell a spreadsheet would read as a formula gets a leading apostrophe; quotes are doubled. */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",;\n\r]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

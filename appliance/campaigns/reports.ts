// Per-campaign reports: counts by outcome, answer and completion rates, durations, keys pressed (from the
// counters kept with the ledger),
// and csvCell for the box's plain CSV files (the results export is export.ts).
import type { Db } from '../store/db.ts';
import type { CampaignReport } from './report-types.ts';
import { campaignCounts } from '../store/campaign-counts.ts';

export type { CampaignReport };

/**
 * Outcomes that mean someone (or a machine) answered. Migration 0090's triggers name the same set when
 * they count answered contacts.
 */
export const ANSWERED: ReadonlySet<string> = new Set(['human', 'confirmed', 'opted-out', 'machine-message-left', 'machine-no-message']);

/** Read from the counters kept with the ledger (store/campaign-counts.ts): no count of contacts or attempts. */
export function campaignReport(db: Db, campaignId: number): CampaignReport {
  const k = campaignCounts(db, campaignId);
  const contacts = Object.values(k.state).reduce((a, b) => a + b, 0);
  const finalCount = (k.state.done ?? 0) + (k.state.blocked ?? 0);
  return {
    campaignId,
    contacts,
    byState: k.state,
    byFinalOutcome: k.final,
    byAttemptOutcome: k.attempt,
    attempts: k.attempts,
    answeredContacts: k.answered,
    answerRate: k.attempted ? k.answered / k.attempted : 0,
    completionRate: contacts ? finalCount / contacts : 0,
    avgTalkMs: k.sum.talkN ? Math.round(k.sum.talkMs / k.sum.talkN) : 0,
    avgRingMs: k.sum.ringN ? Math.round(k.sum.ringMs / k.sum.ringN) : 0,
    keys: k.keys,
    blockedReasons: k.blocked,
    amdAgreement: { callsWithKeys: k.amd.n, detectedHuman: k.amd.human, detectedMachine: k.amd.machine, agreement: k.amd.n ? k.amd.human / k.amd.n : null },
    ...transferSummary(db, campaignId),
  };
}

/** Transfers to a person (issue 16): outcomes, who took them, mean wait and talk time; nothing when there were none. */
function transferSummary(db: Db, campaignId: number): Pick<CampaignReport, 'transfers'> {
  const rows = db.prepare(`SELECT transfer_outcome o, transfer_taken_by b, COUNT(*) n, SUM(transfer_wait_ms) w, SUM(CASE WHEN transfer_outcome = 'connected' THEN transfer_talk_ms ELSE 0 END) t
      FROM attempts WHERE campaign_id = ? AND transfer_outcome IS NOT NULL GROUP BY transfer_outcome, transfer_taken_by`)
    .all(campaignId) as Array<{ o: string; b: string | null; n: number; w: number | null; t: number | null }>;
  if (rows.length === 0) return {};
  const byOutcome: Record<string, number> = {};
  const byTaker: Record<string, number> = {};
  let total = 0;
  let wait = 0;
  let talk = 0;
  let connected = 0;
  for (const r of rows) {
    total += r.n;
    wait += r.w ?? 0;
    byOutcome[r.o] = (byOutcome[r.o] ?? 0) + r.n;
    if (r.o === 'connected') {
      connected += r.n;
      talk += r.t ?? 0;
      if (r.b) byTaker[r.b] = (byTaker[r.b] ?? 0) + r.n;
    }
  }
  return { transfers: { total, byOutcome, byTaker, avgWaitMs: Math.round(wait / total), avgTalkMs: connected ? Math.round(talk / connected) : 0 } };
}

/** A cell a spreadsheet would read as a formula gets a leading apostrophe; quotes are doubled. */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",;\n\r]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

// A campaign's counters, kept by triggers as its contacts and attempts change (migration 0090), so a
// view, a report or a live update reads a few rows whatever the size of the list. Contacts a start has
// not copied yet count as pending (stopped, once the campaign is stopped): they are in the campaign.
import type { Db } from './db.ts';

export interface CampaignCounts {
  /** Contacts by state (pending, waiting, calling, done, blocked, stopped). */
  state: Record<string, number>;
  /** Contacts by final outcome. */
  final: Record<string, number>;
  /** Blocked contacts by reason. */
  blocked: Record<string, number>;
  /** Final attempts by outcome. */
  attempt: Record<string, number>;
  /** Final attempts, whatever their outcome. */
  attempts: number;
  /** Distinct contacts with a final attempt, and with an answered one. */
  attempted: number;
  answered: number;
  /** Sums over final attempts: talk and ring time of those that had some, and call length. */
  sum: { talkMs: number; talkN: number; ringMs: number; ringN: number; callMs: number; callN: number };
  /** Keys pressed, by key. */
  keys: Record<string, number>;
  /** Calls with keys pressed, and what answering-machine detection said of them. */
  amd: { n: number; human: number; machine: number };
  /** A start still copying the list: contacts copied so far of the total (null when none). */
  starting: { copied: number; total: number } | null;
}

export function campaignCounts(db: Db, campaignId: number): CampaignCounts {
  const out: CampaignCounts = {
    state: {}, final: {}, blocked: {}, attempt: {}, attempts: 0, attempted: 0, answered: 0,
    sum: { talkMs: 0, talkN: 0, ringMs: 0, ringN: 0, callMs: 0, callN: 0 }, keys: {}, amd: { n: 0, human: 0, machine: 0 }, starting: null,
  };
  const rows = db.prepare('SELECT kind, key, n FROM campaign_counts WHERE campaign_id = ? AND n != 0').all(campaignId) as Array<{ kind: string; key: string; n: number }>;
  const sums: Record<string, number> = {};
  for (const r of rows) {
    if (r.kind === 'state' || r.kind === 'final' || r.kind === 'blocked') out[r.kind][r.key] = r.n;
    else if (r.kind === 'attempt') {
      if (r.key === '*') out.attempts = r.n;
      else out.attempt[r.key] = r.n;
    } else if (r.kind === 'contacts') {
      if (r.key === 'attempted') out.attempted = r.n;
      if (r.key === 'answered') out.answered = r.n;
    } else if (r.kind === 'sum') sums[r.key] = r.n;
    else if (r.kind === 'key') out.keys[r.key] = r.n;
    else if (r.kind === 'amd' && (r.key === 'n' || r.key === 'human' || r.key === 'machine')) out.amd[r.key] = r.n;
  }
  out.sum = { talkMs: sums.talk_ms ?? 0, talkN: sums.talk_n ?? 0, ringMs: sums.ring_ms ?? 0, ringN: sums.ring_n ?? 0, callMs: sums.call_ms ?? 0, callN: sums.call_n ?? 0 };
  const start = db.prepare('SELECT s.copied, s.total, c.status FROM campaign_starts s JOIN campaigns c ON c.id = s.campaign_id WHERE s.campaign_id = ?')
    .get(campaignId) as { copied: number; total: number; status: string } | undefined;
  if (start) {
    out.starting = { copied: start.copied, total: start.total };
    const left = Math.max(0, start.total - start.copied);
    const as = start.status === 'stopped' ? 'stopped' : 'pending';
    if (left > 0) out.state[as] = (out.state[as] ?? 0) + left;
  }
  return out;
}

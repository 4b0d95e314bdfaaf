// Outcomes over time for a campaign's report chart: finished attempts counted per time bucket and
// outcome. The bucket width adapts to the campaign's span so a chart has at most ~`maxBuckets` points.
import type { Db } from '../store/db.ts';
import type { CampaignTimeline } from './report-types.ts';

export type { CampaignTimeline };

// Round widths a person reads easily on an axis.
const WIDTHS = [1_000, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000, 21_600_000, 86_400_000];

export function campaignTimeline(db: Db, campaignId: number, maxBuckets = 120): CampaignTimeline {
  const span = db.prepare("SELECT MIN(ended_at) lo, MAX(ended_at) hi FROM attempts WHERE campaign_id = ? AND state = 'final' AND ended_at IS NOT NULL")
    .get(campaignId) as { lo: number | null; hi: number | null };
  if (span.lo === null || span.hi === null) return { campaignId, bucketMs: WIDTHS[0]!, buckets: [], series: {} };
  const need = (span.hi - span.lo) / Math.max(1, maxBuckets - 1);
  const bucketMs = WIDTHS.find((w) => w >= need) ?? Math.ceil(need / 86_400_000) * 86_400_000;
  const first = Math.floor(span.lo / bucketMs) * bucketMs;
  const count = Math.floor((span.hi - first) / bucketMs) + 1;
  const buckets = Array.from({ length: count }, (_, i) => first + i * bucketMs);
  const series: Record<string, number[]> = {};
  const rows = db.prepare(`SELECT CAST((ended_at - ?) / ? AS INTEGER) b, outcome o, COUNT(*) n FROM attempts
      WHERE campaign_id = ? AND state = 'final' AND ended_at IS NOT NULL GROUP BY b, o`).all(first, bucketMs, campaignId) as Array<{ b: number; o: string | null; n: number }>;
  for (const r of rows) {
    const key = r.o ?? 'unknown';
    const s = (series[key] ??= new Array<number>(count).fill(0));
    s[r.b] = (s[r.b] ?? 0) + r.n;
  }
  return { campaignId, bucketMs, buckets, series };
}

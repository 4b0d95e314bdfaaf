// How long a campaign not yet started would take, for the wizard's ETA next to the preflight report.
// Same model as the running campaign's ETA (CampaignService): contacts x mean call / usable channels,
// never faster than the cps cap; the mean call comes from the box's recent calls, else 30 s.
import type { Db } from '../store/db.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import type { CampaignConfig } from './model.ts';

export interface DraftEstimate {
  contacts: number;
  etaMs: number;
  channels: number;
  meanCallMs: number;
  /** Whether meanCallMs was measured on this box's recent calls (else the 30 s default). */
  measured: boolean;
}

/** Mean call length assumed until calls have been measured. */
export const DEFAULT_CALL_MS = 30_000;
const RECENT = 500;

/** contacts x mean call / channels, never faster than the cps cap allows (shared with CampaignService). */
export function etaMs(contacts: number, meanCallMs: number, channels: number, cps: number): number {
  return contacts <= 0 ? 0 : Math.round(Math.max((contacts * meanCallMs) / channels, (contacts / cps) * 1000));
}

/** Channels a campaign can use at once: its enabled trunks' channels, capped by its own limit, at least 1. */
export function usableChannels(cfg: Pick<CampaignConfig, 'maxConcurrent' | 'trunks'>, trunks: Pick<TrunkProfile, 'name' | 'enabled' | 'channels'>[]): number {
  const trunkChannels = trunks.filter((t) => t.enabled && cfg.trunks.includes(t.name)).reduce((a, t) => a + t.channels, 0);
  return Math.max(1, Math.min(cfg.maxConcurrent, trunkChannels));
}

export function draftEstimate(db: Db, cfg: Pick<CampaignConfig, 'maxConcurrent' | 'cps' | 'trunks'>, trunks: Pick<TrunkProfile, 'name' | 'enabled' | 'channels'>[], contacts: number): DraftEstimate {
  const avg = db.prepare(`SELECT AVG(d) FROM (SELECT ended_at - intent_at d FROM attempts WHERE state = 'final' AND ended_at IS NOT NULL
      ORDER BY id DESC LIMIT ${RECENT})`).pluck().get() as number | null;
  const measured = avg !== null && avg > 0;
  const meanCallMs = Math.round(measured ? avg : DEFAULT_CALL_MS);
  const channels = usableChannels(cfg, trunks);
  return { contacts, etaMs: etaMs(contacts, meanCallMs, channels, cfg.cps), channels, meanCallMs, measured };
}

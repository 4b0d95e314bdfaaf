// Small formatters of the campaign pages.
import { formatDuration } from '../../i18n.ts';
import { t } from './messages.ts';
import type { CampaignStatus } from './types.ts';

export function formatEta(etaMs: number | null, status: CampaignStatus): string {
  if (status === 'completed' || status === 'stopped') return '—';
  if (etaMs === null) return t('etaUnknown');
  return formatDuration(etaMs / 1000);
}

/** "HH:MM" for the delay of a retry rule, or the "next day" words. */
export function minutesOf(delayMs: number | 'next-day'): string {
  return delayMs === 'next-day' ? 'next-day' : String(Math.round(delayMs / 60_000));
}

// Small formatters of the campaign pages.
import { formatDuration } from '../../i18n.ts';
import { t } from './messages.ts';
import type { CampaignStatus } from './types.ts';

export function formatEta(etaMs: number | null, status: CampaignStatus): string {
  if (status === 'completed' || status === 'stopped') return '—';
  if (etaMs === null) return t('etaUnknown');
  return formatDuration(etaMs / 1000);
}

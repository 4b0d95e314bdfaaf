// Small formatters of the campaign pages.
import { formatDateTime, formatDuration } from '../../i18n.ts';
import { t } from './messages.ts';
import type { CampaignStatus, CampaignView } from './types.ts';

export function formatEta(etaMs: number | null, status: CampaignStatus): string {
  if (status === 'completed' || status === 'stopped') return '—';
  if (etaMs === null) return t('etaUnknown');
  return formatDuration(etaMs / 1000);
}

/** A moment in a time zone (the box's or the callee's), date and time. */
export function inZone(at: number, zone: string | null | undefined): string {
  try {
    return formatDateTime(at, { dateStyle: 'short', timeStyle: 'short', ...(zone ? { timeZone: zone } : {}) });
  } catch {
    return formatDateTime(at);
  }
}

/** Why a running campaign places no call and until when, with the box's and the callee's time. */
export function waitText(v: Pick<CampaignView, 'waitingFor' | 'boxTimeZone'>): string | null {
  const w = v.waitingFor;
  if (!w) return null;
  if (w.at === null) return t('wait.noOpening');
  const vars = { box: inZone(w.at, v.boxTimeZone), boxZone: v.boxTimeZone ?? '', callee: inZone(w.at, w.zone), zone: w.zone ?? '' };
  return t(`wait.${w.code}`, vars);
}

/** The time left, or why it cannot be told; with the next retry time while contacts wait for one. */
export function etaText(v: Pick<CampaignView, 'etaMs' | 'status' | 'waitingFor' | 'boxTimeZone' | 'nextRetryAt'>): string {
  let text = formatEta(v.etaMs, v.status);
  if (v.etaMs === null && v.waitingFor?.code === 'outside-window' && v.waitingFor.at !== null) text = t('eta.window', { at: inZone(v.waitingFor.at, v.boxTimeZone) });
  else if (v.etaMs !== null && v.status !== 'completed' && v.status !== 'stopped') text = t('eta.atLeast', { d: text });
  if (v.nextRetryAt && v.status !== 'completed' && v.status !== 'stopped') text += ` · ${t('eta.nextRetry', { at: inZone(v.nextRetryAt, v.boxTimeZone) })}`;
  return text;
}

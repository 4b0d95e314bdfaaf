// Why a campaign places no call, and until when, in the page's language: the box's clock, every line
// down (since when; the box retries), paused (by whom, when), outside its window or waiting for retries.
// One component for the campaign's page and the dashboard.
import { Notice } from '../../components/index.ts';
import { holdText } from '../../messages.ts';
import { inZone, waitText } from './format.ts';
import { t } from './messages.ts';
import type { CampaignView } from './types.ts';

type Waiting = Pick<CampaignView, 'status' | 'waitingReason' | 'waitingCode' | 'waitingFor' | 'boxTimeZone' | 'trunksDown' | 'paused'>;

/** The paused campaign's "who and when": staff:<user>, fleet:<command id>, cli. */
export function pausedText(v: Waiting): string {
  const p = v.paused;
  if (!p?.by || p.at === null) return t('paused.unknown');
  const at = inZone(p.at, v.boxTimeZone);
  const [door, ...rest] = p.by.split(':');
  const who = rest.join(':');
  if (door === 'fleet') return t('paused.fleet', { command: who, at });
  if (door === 'staff') return t('paused.staff', { user: who, at });
  return t('paused.cli', { at });
}

export function trunksDownText(v: Waiting): string {
  const list = (v.trunksDown ?? []).map((d) => `${t('wait.trunkSince', { name: d.name, since: inZone(d.since, v.boxTimeZone) })}${d.lastError ? ` (${d.lastError})` : ''}`);
  return t('wait.trunksDown', { trunks: list.join(', ') });
}

export function WaitingNotice({ view }: { view: Waiting }) {
  if (view.status === 'paused') return <Notice kind="info" title={t('pausedTitle')} testId="paused-by">{pausedText(view)}</Notice>;
  if (view.status !== 'running') return null;
  if (view.waitingReason) return <Notice kind="warning" title={t('notCalling')} testId="waiting-reason">{holdText(view.waitingCode, view.waitingReason)}</Notice>;
  if (view.trunksDown?.length) return <Notice kind="warning" title={t('notCalling')} testId="trunks-down">{trunksDownText(view)}</Notice>;
  if (view.waitingFor) return <Notice kind="warning" title={t('notCalling')} testId="waiting-for">{waitText(view)}</Notice>;
  return null;
}

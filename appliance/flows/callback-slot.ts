// A callback choice ("tomorrow morning") as instants: the slot in the callee's local time (every zone
// of the number must be inside it), then the first moment inside it that the campaign's windows allow.
// The dial-time gate still applies the pack's windows and caps to the new attempt.
import { localParts, localToEpoch, nextOpening, type ScheduleSpec } from '../campaigns/schedule.ts';
import type { CallbackOption } from './model.ts';

const toMin = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The slot chosen at `now`, as epoch ms clipped to the campaign's schedule; null when nothing of it is left. */
export function callbackSlot(o: CallbackOption, now: number, zones: readonly string[], schedule: ScheduleSpec): { at: number; until: number } | null {
  if (zones.length === 0) return null;
  let start = -Infinity;
  let end = Infinity;
  for (const tz of zones) {
    const p = localParts(now, tz);
    const day = new Date(Date.UTC(p.year, p.month - 1, p.day + o.dayOffset));
    const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    start = Math.max(start, localToEpoch(y, m, d, toMin(o.from), tz));
    end = Math.min(end, localToEpoch(y, m, d, toMin(o.to), tz));
  }
  // Not in this very call: a minute from now at the soonest.
  const from = Math.max(start, now + 60_000);
  if (from >= end) return null;
  const at = nextOpening(from, [...zones], schedule, 7);
  return at !== null && at < end ? { at, until: end } : null;
}

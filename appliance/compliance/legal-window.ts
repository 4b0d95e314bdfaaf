// The law's calling window in the callee's local time, with public holidays per time zone.
// A number that maps to several zones is callable only when every zone allows it.
import Holidays from 'date-holidays';
import { localParts, localToEpoch } from '../campaigns/schedule.ts';
import type { RulePack, WindowRule } from './packs.ts';

const holidayCache = new Map<string, Set<string>>();

/** Public holidays ('YYYY-MM-DD') of a date-holidays country for a year, computed once. */
export function publicHolidays(country: string, year: number): Set<string> {
  const key = `${country}:${year}`;
  let set = holidayCache.get(key);
  if (!set) {
    set = new Set(new Holidays(country).getHolidays(year).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)));
    holidayCache.set(key, set);
  }
  return set;
}

function calendarFor(pack: RulePack, tz: string): string | null {
  return pack.holidayCalendars[tz] ?? pack.holidayDefault;
}

const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export type WindowVerdict = { ok: true } | { ok: false; reason: 'outside-legal-window' | 'public-holiday' };

function checkZone(pack: RulePack, rule: WindowRule, at: number, tz: string): WindowVerdict {
  const p = localParts(at, tz);
  if (rule.noPublicHolidays) {
    const cal = calendarFor(pack, tz);
    if (cal && publicHolidays(cal, p.year).has(p.date)) return { ok: false, reason: 'public-holiday' };
  }
  const inside = rule.windows.some((w) => w.days.includes(p.weekday) && p.minutes >= toMinutes(w.from) && p.minutes < toMinutes(w.to));
  return inside ? { ok: true } : { ok: false, reason: 'outside-legal-window' };
}

// Many contacts share their zones and are checked at the same instant (preflight, one dialer tick):
// remember recent answers. Bounded; cleared when full.
const memo = new Map<string, WindowVerdict | number | null>();
const MEMO_MAX = 10_000;

function memoKey(kind: string, pack: RulePack, rules: WindowRule[], at: number, zones: readonly string[]): string {
  return `${kind}|${pack.version}|${rules.map((r) => r.id).join(',')}|${at}|${zones.join(',')}`;
}

function remember<T extends WindowVerdict | number | null>(key: string, value: T): T {
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(key, value);
  return value;
}

/** Every zone inside every applicable window rule. */
export function checkWindows(pack: RulePack, rules: WindowRule[], at: number, zones: readonly string[]): WindowVerdict {
  const key = memoKey('c', pack, rules, at, zones);
  const hit = memo.get(key);
  if (hit !== undefined) return hit as WindowVerdict;
  return remember(key, checkWindowsUncached(pack, rules, at, zones));
}

function checkWindowsUncached(pack: RulePack, rules: WindowRule[], at: number, zones: readonly string[]): WindowVerdict {
  let holiday = false;
  for (const rule of rules) {
    for (const tz of zones) {
      const v = checkZone(pack, rule, at, tz);
      if (!v.ok) {
        if (v.reason === 'outside-legal-window') return v;
        holiday = true;
      }
    }
  }
  return holiday ? { ok: false, reason: 'public-holiday' } : { ok: true };
}

/** The first instant at or after `from` when every rule allows every zone; null beyond `horizonDays`. */
export function nextLegalOpening(pack: RulePack, rules: WindowRule[], from: number, zones: readonly string[], horizonDays = 21): number | null {
  const key = memoKey(`n${horizonDays}`, pack, rules, from, zones);
  const hit = memo.get(key);
  if (hit !== undefined) return hit as number | null;
  return remember(key, nextOpeningUncached(pack, rules, from, zones, horizonDays));
}

function nextOpeningUncached(pack: RulePack, rules: WindowRule[], from: number, zones: readonly string[], horizonDays: number): number | null {
  if (checkWindows(pack, rules, from, zones).ok) return from;
  const candidates: number[] = [];
  for (const tz of zones) {
    const start = localParts(from, tz);
    for (let d = 0; d <= horizonDays; d++) {
      const date = new Date(Date.UTC(start.year, start.month - 1, start.day + d));
      for (const rule of rules) {
        for (const w of rule.windows) {
          const t = localToEpoch(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), toMinutes(w.from), tz);
          if (t > from) candidates.push(t);
        }
      }
    }
  }
  candidates.sort((a, b) => a - b);
  for (const t of candidates) if (checkWindows(pack, rules, t, zones).ok) return t;
  return null;
}

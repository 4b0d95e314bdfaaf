// Calling windows evaluated in the callee's local time. A number that maps to several zones is
// callable only when it is inside the window in every one of them (the most restrictive reading).
import type { DailyWindow } from './model.ts';

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  minutes: number;
  date: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23' });
    formatters.set(tz, f);
  }
  return f;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

export function localParts(epochMs: number, tz: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(epochMs)) parts[p.type] = p.value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  return {
    year,
    month,
    day,
    weekday: WEEKDAYS[parts.weekday!] ?? 1,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    date: `${parts.year}-${parts.month}-${parts.day}`,
  };
}

function toMinutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** The UTC instant of a local wall-clock time in a zone (first occurrence on DST overlaps). */
export function localToEpoch(year: number, month: number, day: number, minutes: number, tz: string): number {
  const wall = Date.UTC(year, month - 1, day, Math.floor(minutes / 60), minutes % 60);
  let guess = wall;
  for (let i = 0; i < 3; i++) {
    const p = localParts(guess, tz);
    const seen = Date.UTC(p.year, p.month - 1, p.day, Math.floor(p.minutes / 60), p.minutes % 60);
    const diff = wall - seen;
    if (diff === 0) return guess;
    guess += diff;
  }
  return guess; // inside a DST gap: the instant just after it
}

export interface ScheduleSpec {
  windows: DailyWindow[];
  startDate: string | null;
  endDate: string | null;
}

function insideOne(epochMs: number, tz: string, spec: ScheduleSpec): boolean {
  const p = localParts(epochMs, tz);
  if (spec.startDate && p.date < spec.startDate) return false;
  if (spec.endDate && p.date > spec.endDate) return false;
  return spec.windows.some((w) => w.days.includes(p.weekday) && p.minutes >= toMinutes(w.from) && p.minutes < toMinutes(w.to));
}

export function isInsideWindow(epochMs: number, zones: string[], spec: ScheduleSpec): boolean {
  return zones.length > 0 && zones.every((tz) => insideOne(epochMs, tz, spec));
}

/**
 * The first instant at or after `from` when every zone is inside a window, searching `horizonDays`
 * ahead; null when there is none (e.g. the end date has passed).
 */
export function nextOpening(from: number, zones: string[], spec: ScheduleSpec, horizonDays = 14): number | null {
  if (isInsideWindow(from, zones, spec)) return from;
  const candidates: number[] = [];
  for (const tz of zones) {
    const start = localParts(from, tz);
    for (let d = 0; d <= horizonDays; d++) {
      const date = new Date(Date.UTC(start.year, start.month - 1, start.day + d));
      for (const w of spec.windows) {
        const t = localToEpoch(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), toMinutes(w.from), tz);
        if (t > from) candidates.push(t);
      }
    }
  }
  candidates.sort((a, b) => a - b);
  for (const t of candidates) if (isInsideWindow(t, zones, spec)) return t;
  return null;
}

/** When the current window closes for this contact (the earliest closing among its zones). */
export function windowClosesAt(at: number, zones: string[], spec: ScheduleSpec): number | null {
  if (!isInsideWindow(at, zones, spec)) return null;
  let close = Infinity;
  for (const tz of zones) {
    const p = localParts(at, tz);
    for (const w of spec.windows) {
      if (w.days.includes(p.weekday) && p.minutes >= toMinutes(w.from) && p.minutes < toMinutes(w.to)) {
        close = Math.min(close, localToEpoch(p.year, p.month, p.day, toMinutes(w.to), tz));
      }
    }
  }
  return Number.isFinite(close) ? close : null;
}

/** Local midnight starting the callee's next day (latest among its zones). */
export function nextLocalDay(at: number, zones: string[]): number {
  let t = at;
  for (const tz of zones) {
    const p = localParts(at, tz);
    const next = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
    t = Math.max(t, localToEpoch(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0, tz));
  }
  return t;
}

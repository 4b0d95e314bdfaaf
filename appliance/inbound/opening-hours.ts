// Whether staff take calls now: the settings' opening periods, in the box's time zone.
import type { OpeningHours } from '../../core/settings-types.ts';

/** Day of the week (0 = Sunday) and HH:MM of an instant in a time zone. */
export function localDayTime(at: number, timeZone: string): { day: number; hhmm: string } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return { day, hhmm: `${get('hour')}:${get('minute')}` };
}

export function isOpen(hours: readonly OpeningHours[], at: number, timeZone: string): boolean {
  const { day, hhmm } = localDayTime(at, timeZone);
  return hours.some((h) => h.days.includes(day) && h.from <= hhmm && hhmm < h.to);
}

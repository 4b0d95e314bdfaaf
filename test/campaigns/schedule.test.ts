import test from 'ava';
import { isInsideWindow, nextOpening, nextLocalDay, windowClosesAt } from '../../appliance/campaigns/schedule.ts';

const weekdays = { windows: [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '20:00' }], startDate: null, endDate: null };

test('the window is read in the callee local time, not the box time', (t) => {
  // 2026-11-30 is a Monday. 15:00 UTC = 16:00 Paris, 10:00 New York, 07:00 Los Angeles.
  const at = Date.UTC(2026, 10, 30, 15, 0);
  t.true(isInsideWindow(at, ['Europe/Paris'], weekdays));
  t.true(isInsideWindow(at, ['America/New_York'], weekdays));
  t.false(isInsideWindow(at, ['America/Los_Angeles'], weekdays));
});

test('a number in several zones is callable only when all of them are inside', (t) => {
  const at = Date.UTC(2026, 10, 30, 15, 30); // 10:30 New York, 09:30 Chicago, 08:30 Denver
  t.true(isInsideWindow(at, ['America/New_York', 'America/Chicago'], weekdays));
  t.false(isInsideWindow(at, ['America/New_York', 'America/Denver'], weekdays));
  const open = nextOpening(at, ['America/New_York', 'America/Denver'], weekdays)!;
  t.is(new Date(open).toISOString(), '2026-11-30T16:00:00.000Z'); // 09:00 in Denver
  t.is(new Date(windowClosesAt(open, ['America/New_York', 'America/Denver'], weekdays)!).toISOString(), '2026-12-01T01:00:00.000Z'); // 20:00 New York
});

test('the next opening skips the weekend and honours daylight saving changes', (t) => {
  // Friday 2026-03-27 21:00 Paris (CET, UTC+1); Paris moves to CEST (UTC+2) on Sunday 29 March.
  const fri = Date.UTC(2026, 2, 27, 20, 0);
  const open = nextOpening(fri, ['Europe/Paris'], weekdays)!;
  t.is(new Date(open).toISOString(), '2026-03-30T07:00:00.000Z'); // Monday 09:00 CEST
});

test('an end date in the past means no opening at all', (t) => {
  const at = Date.UTC(2026, 10, 30, 22, 0);
  t.is(nextOpening(at, ['Europe/Paris'], { ...weekdays, endDate: '2026-11-30' }), null);
});

test('next local day is midnight in the callee zone', (t) => {
  const at = Date.UTC(2026, 10, 30, 15, 0);
  t.is(new Date(nextLocalDay(at, ['Pacific/Noumea'])).toISOString(), '2026-12-01T13:00:00.000Z'); // 02:00 on 1 Dec there: the next day starts 2 Dec
});

import test from 'ava';
import { digitForEvent, eventForDigit, parseTelephoneEvent, planDigitEvent, Rfc4733Receiver, writeTelephoneEvent } from '../../../media/rtp/rfc4733.ts';

function payload(event: number, end: boolean, duration: number): Buffer {
  const b = Buffer.alloc(4);
  writeTelephoneEvent(b, 0, { event, end, volume: 10, duration });
  return b;
}

/** The packets a sender emits for one digit, as (timestamp, payload) pairs. */
function press(digit: string, ts: number, ms = 100): Array<[number, Buffer]> {
  const code = eventForDigit(digit) as number;
  return planDigitEvent(ms).map((p) => [ts, payload(code, p.end, p.duration)]);
}

function receive(packets: Array<[number, Buffer]>): string {
  const rx = new Rfc4733Receiver();
  return packets.map(([ts, p]) => rx.push(ts, p) ?? '').join('');
}

test('event codes map to keys', (t) => {
  t.is(eventForDigit('0'), 0);
  t.is(eventForDigit('9'), 9);
  t.is(eventForDigit('*'), 10);
  t.is(eventForDigit('#'), 11);
  t.is(eventForDigit('d'), 15);
  t.is(eventForDigit('E'), null);
  t.is(digitForEvent(11), '#');
  t.is(digitForEvent(16), null);
  t.deepEqual(parseTelephoneEvent(payload(5, true, 800), 0, 4), { event: 5, end: true, volume: 10, duration: 800 });
});

test('a 100 ms digit is sent as growing durations with the marker first, then three end packets', (t) => {
  const plan = planDigitEvent(100);
  t.deepEqual(plan, [
    { marker: true, end: false, duration: 160 },
    { marker: false, end: false, duration: 320 },
    { marker: false, end: false, duration: 480 },
    { marker: false, end: false, duration: 640 },
    { marker: false, end: true, duration: 800 },
    { marker: false, end: true, duration: 800 },
    { marker: false, end: true, duration: 800 },
  ]);
  t.true(planDigitEvent(20)[0].marker && planDigitEvent(20)[0].end, 'a one-packet event carries marker and end');
  t.is(planDigitEvent(60_000).at(-1)?.duration, 64000, 'capped at the 16-bit duration field');
});

test('each press is reported once, even with duplicated and repeated end packets', (t) => {
  const pkts = [...press('1', 1000), ...press('1', 1000), ...press('2', 3000)];
  t.is(receive(pkts), '12');
  // the same key twice is two presses (two timestamps)
  t.is(receive([...press('5', 1000), ...press('5', 2600)]), '55');
});

test('a lost start, or only end packets arriving, still gives the digit once', (t) => {
  t.is(receive(press('7', 500).slice(2)), '7');
  t.is(receive(press('#', 500).slice(4)), '#');
});

test('a reordered late packet of an earlier event does not report it again', (t) => {
  const a = press('3', 100);
  const b = press('4', 2000);
  t.is(receive([...a.slice(0, 5), ...b.slice(0, 2), a[5], a[1], ...b.slice(2)]), '34');
});

test('a long press continued in a new segment is one digit; non-DTMF events are ignored', (t) => {
  const rx = new Rfc4733Receiver();
  t.is(rx.push(0, payload(8, false, 65535)), '8');
  t.is(rx.push(65535, payload(8, false, 1000)), null);
  t.is(rx.push(99999, payload(16, false, 160)), null);
  t.is(rx.push(5, Buffer.alloc(2)), null, 'short payload');
});

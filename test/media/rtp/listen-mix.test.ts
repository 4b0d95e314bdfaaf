// Listen-in's mixer: both directions of a call in one stream, paced by what is sent, saturating, and
// never holding more than a few frames of what was heard.
import test from 'ava';
import { ListenMix, MAX_HEARD_FRAMES } from '../../../media/rtp/listen-mix.ts';

const frame = (v: number): Int16Array => new Int16Array(160).fill(v);

test('each frame sent is mixed with the oldest frame heard; with nothing heard it passes alone', (t) => {
  const out: Int16Array[] = [];
  const mix = new ListenMix((p) => out.push(p));
  mix.said(frame(100));
  mix.heard(frame(7));
  mix.heard(frame(9));
  mix.said(frame(100));
  mix.said(frame(-100));
  mix.said(frame(5));
  t.deepEqual(out.map((p) => p[0]), [100, 107, -91, 5]);
});

test('loud sums saturate instead of wrapping round', (t) => {
  const out: Int16Array[] = [];
  const mix = new ListenMix((p) => out.push(p));
  mix.heard(frame(30000));
  mix.said(frame(30000));
  mix.heard(frame(-30000));
  mix.said(frame(-30000));
  t.deepEqual(out.map((p) => p[0]), [32767, -32768]);
});

test('a burst of heard frames keeps only the newest few (no growing delay)', (t) => {
  const out: Int16Array[] = [];
  const mix = new ListenMix((p) => out.push(p));
  for (let i = 1; i <= 10; i++) mix.heard(frame(i));
  for (let i = 0; i < MAX_HEARD_FRAMES + 1; i++) mix.said(frame(0));
  t.deepEqual(out.map((p) => p[0]), [7, 8, 9, 10, 0]);
});

import test from 'ava';
import { ReceiveStats } from '../../../media/rtp/receive-stats.ts';
import { ReorderBuffer } from '../../../media/rtp/reorder-buffer.ts';

function feed(seqs: number[]): ReceiveStats {
  const s = new ReceiveStats();
  for (const q of seqs) s.update(q & 0xffff);
  return s;
}

test('loss, reordering and duplicates are counted across the 16-bit wrap', (t) => {
  const s = feed([65533, 65534, 65535, 0, 2, 1, 1, 4, 5, 5]);
  t.is(s.lost, 1, 'seq 3 never came');
  t.is(s.reordered, 1, 'seq 1 came after 2');
  t.is(s.duplicates, 2);
  t.is(s.received, 8);
});

test('a stream restart (big jump) and a new SSRC do not count as loss', (t) => {
  const s = feed([10, 11, 12, 40000, 40001]);
  t.is(s.lost, 0);
  t.is(s.restarts, 1);
  s.newStream();
  s.update(5);
  s.update(6);
  t.is(s.lost, 0);
  const stale = feed([1000, 1001, 1002, 700]);
  t.is(stale.stale, 1);
});

test('duplicates are told from late packets across skips and long jumps (the window of what was seen)', (t) => {
  const s = new ReceiveStats();
  for (let q = 1000; q < 1300; q++) s.update(q);
  t.is(s.update(1250), 'duplicate', 'seen 50 packets ago');
  t.is(s.update(1310), 'ahead'); // 1300..1309 skipped
  t.is(s.update(1305), 'reordered', 'skipped, then late: not a duplicate');
  t.is(s.update(1305), 'duplicate');
  t.is(s.update(1309 + 300), 'ahead'); // further than the window
  t.is(s.update(1609 - 50), 'reordered', 'nothing behind a long jump counts as seen');
  t.is(s.update(1609 - 50), 'duplicate');
  t.is(s.update(1609 - 150), 'stale', 'too far behind to place');
  t.deepEqual([s.duplicates, s.reordered], [3, 2]);
});

test('the reorder buffer puts frames back in order and reports gaps for what never came', (t) => {
  const out: string[] = [];
  const rb = new ReorderBuffer(3, (p) => out.push(p === null ? '-' : Buffer.from(p).toString()));
  const f = (ext: number) => rb.push(ext, Buffer.from(String(ext % 10)));
  for (const ext of [100, 102, 101, 103, 105, 107, 108, 106, 104]) f(ext);
  // 104 waited until 107 arrived (three frames later) and was given up as a gap, then arrived late
  t.deepEqual(out.join(''), '0123-5678');
  t.is(rb.late, 1);
  f(110);
  t.is(rb.pending, 1);
  rb.flush();
  t.deepEqual(out.join(''), '0123-5678-0');
});

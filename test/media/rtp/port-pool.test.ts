import test from 'ava';
import { rtpRange } from '../../peers/ports.ts';
import dgram from 'node:dgram';
import { isAppError } from '../../../core/errors.ts';
import { RtpPortPool, type RtpPort } from '../../../media/rtp/port-pool.ts';

// a random range per run, so parallel test files do not collide
const base = rtpRange(10).min;

test('hands out even ports from the range, then E_RTP_PORTS; released ports come back', async (t) => {
  const pool = new RtpPortPool({ bindAddress: '127.0.0.1', min: base + 1, max: base + 8 });
  t.is(pool.capacity, 4);
  const got: RtpPort[] = [];
  for (let i = 0; i < 3; i++) got.push(await pool.allocate());
  t.true(got.every((p) => p.port % 2 === 0 && p.port >= base && p.port <= base + 8));
  t.is(new Set(got.map((p) => p.port)).size, 3);
  // a port taken by someone else is skipped
  const squatter = dgram.createSocket('udp4');
  const free = [base + 2, base + 4, base + 6, base + 8].find((p) => !got.some((g) => g.port === p)) as number;
  await new Promise<void>((r) => squatter.bind(free, '127.0.0.1', () => r()));
  const err = await t.throwsAsync(pool.allocate());
  t.true(isAppError(err) && err.code === 'E_RTP_PORTS', String(err));
  got[0].release();
  got[0].release(); // twice is harmless
  const again = await pool.allocate();
  t.is(again.port, got[0].port);
  t.is(pool.allocated, 3);
  // the socket is bound where the pool says and receives
  const received = new Promise<string>((r) => again.socket.once('message', (m) => r(m.toString())));
  squatter.send('hello', again.port, '127.0.0.1');
  t.is(await received, 'hello');
  squatter.close();
  pool.closeAll();
  t.is(pool.allocated, 0);
});

test('a range that is not one is refused with the setting named', (t) => {
  const err = t.throws(() => new RtpPortPool({ bindAddress: '127.0.0.1', min: 30000, max: 20000 }));
  t.true(isAppError(err) && err.code === 'E_CONFIG_INVALID');
});

test('ports are drawn at random over the whole range, never twice at once, and a released port cools before it comes back', async (t) => {
  const range = rtpRange(200); // 100 even ports
  const draws = async (): Promise<number[]> => {
    const pool = new RtpPortPool({ bindAddress: '127.0.0.1', min: range.min, max: range.max });
    const held = await Promise.all(Array.from({ length: 40 }, () => pool.allocate())); // concurrent
    const ports = held.map((p) => p.port);
    t.is(new Set(ports).size, 40, 'no port handed out twice');
    t.true(ports.every((p) => p % 2 === 0 && p >= range.min && p <= range.max), 'even ports of the range (RTCP would be +1)');
    // a released port waits behind a quarter of the range (25 here) before it may be drawn again
    const released = held[0]!.port;
    held[0]!.release();
    const next: RtpPort[] = [];
    for (let i = 0; i < 24; i++) next.push(await pool.allocate());
    t.false(next.some((p) => p.port === released), 'not reused at once');
    pool.closeAll();
    return ports;
  };
  const a = await draws();
  const b = await draws();
  t.notDeepEqual(a, b, 'two pools draw different ports');
  const sorted = [...a].sort((x, y) => x - y);
  t.notDeepEqual(a, sorted, 'not handed out in order');
  // spread over the range, not the first 40 ports: with 40 of 100 drawn uniformly, the highest is
  // among the lowest 61 with a probability below 1e-12
  t.true(Math.max(...a) > range.min + 2 * 60, String(Math.max(...a)));
});

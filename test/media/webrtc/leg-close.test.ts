// A browser call hung up in its first milliseconds: the box's WebRTC leg is closed while werift is still
// binding its ICE sockets. Every port it bound must be free again, or the box loses a port per such
// call until it restarts (and its process can never end). Alone in its file: the test counts the UDP
// sockets of its own process.
import test, { type ExecutionContext } from 'ava';
import { MediaClock } from '../../../media/rtp/clock.ts';
import { WebRtcLeg } from '../../../media/webrtc/leg.ts';
import { sleep, until, WebRtcPeer } from './peers.ts';

/** The UDP sockets this process holds open (dgram sockets are handles with a `type`). */
function udpSockets(): number {
  const handles = (process as unknown as { _getActiveHandles(): Array<{ type?: unknown }> })._getActiveHandles();
  return handles.filter((h) => h.type === 'udp4' || h.type === 'udp6').length;
}

/** How long after the start of set-up each leg is closed (ms). */
const DELAYS = [0, 1, 2, 3, 5, 8, 12, 20, 40];

/** A clock closed with the test, the UDP sockets open now, and a fresh range of 100 ports for the legs. */
function setUp(t: ExecutionContext): { before: number; legOn: () => WebRtcLeg } {
  const clock = new MediaClock();
  t.teardown(() => clock.close());
  const base = 42000 + 100 * Math.floor(Math.random() * 100);
  return { before: udpSockets(), legOn: () => new WebRtcLeg({ clock, address: '127.0.0.1', portRange: [base, base + 99] }) };
}

test.serial('a leg closed 0-40 ms after its offer, while it gathers candidates on a port range, frees every port it bound', async (t) => {
  const { before, legOn } = setUp(t);
  let offers = 0;
  for (let round = 0; round < 2; round++) {
    for (const ms of DELAYS) {
      const leg = legOn();
      const offer = leg.offer().then(
        (sdp) => {
          if (sdp.includes('m=audio')) offers++;
        },
        () => {},
      );
      await sleep(ms);
      leg.close();
      await offer;
    }
  }
  t.true(offers > 0, 'the legs got as far as an offer');
  // werift closes its sockets once the peer connection is closed: a moment after close()
  await until(() => udpSockets() === before, 10_000, `the UDP sockets of ${DELAYS.length * 2} closed legs to close`).catch(() => {});
  t.is(udpSockets() - before, 0, `UDP sockets still open after ${DELAYS.length * 2} legs were closed while gathering`);
});

test.serial('a leg closed 0-40 ms into answering a browser, while it sets up, frees every port it bound', async (t) => {
  const { before, legOn } = setUp(t);
  for (const ms of DELAYS) {
    const peer = new WebRtcPeer('pcmu');
    const offer = await peer.offer();
    const leg = legOn();
    const answer = leg.answer(offer).catch(() => null);
    await sleep(ms);
    leg.close();
    await answer;
    await peer.close();
  }
  await until(() => udpSockets() === before, 10_000, `the UDP sockets of ${DELAYS.length} closed legs to close`).catch(() => {});
  t.is(udpSockets() - before, 0, `UDP sockets still open after ${DELAYS.length} legs were closed while answering`);
});

// The bridge with real far ends on loopback: a trunk's RTP far end on one side, a WebRTC peer (werift,
// DTLS-SRTP) or a second RTP far end on the other. A tone sent on one side is heard on the other (Goertzel),
// key presses pass as RFC 4733 events, and the bridge is over when either leg ends.
import test from 'ava';
import { MediaEngine } from '../../../media/rtp/media-engine.ts';
import { bridgeLegs } from '../../../media/rtp/bridge.ts';
import { encodeG711 } from '../../../media/dsp/g711.ts';
import { WebRtcLeg } from '../../../media/webrtc/leg.ts';
import { rtpRange } from '../../peers/ports.ts';
import { framesWithTone, RtpFarEnd, sleep, until, WebRtcPeer } from '../webrtc/peers.ts';

async function engine(t: { teardown(fn: () => unknown): void }): Promise<MediaEngine> {
  const range = rtpRange(20);
  const media = new MediaEngine({ bindAddress: '127.0.0.1', rtpPortMin: range.min, rtpPortMax: range.max });
  media.start();
  t.teardown(() => media.stop());
  return media;
}

async function trunkLeg(media: MediaEngine, law: 'pcmu' | 'pcma' = 'pcmu') {
  const far = await new RtpFarEnd(law).start();
  const session = await media.createSession({ remoteAddress: '127.0.0.1', remotePort: far.port, payloadType: law === 'pcmu' ? 0 : 8 });
  far.sendTo(session.localPort);
  return { far, session };
}

async function browserLeg(media: MediaEngine, law: 'pcmu' | 'pcma' = 'pcmu') {
  const peer = new WebRtcPeer(law);
  const leg = new WebRtcLeg({ clock: media.clock, address: '127.0.0.1', laws: [law] });
  await peer.accept(await leg.answer(await peer.offer()));
  await leg.connected;
  await peer.connected();
  peer.startSending();
  return { peer, leg };
}

/**
 * Share of the last `ms` of 20 ms frames a far end heard that carry the tone. Above 0.8: a frame of
 * silence here and there is this shared, loaded machine stalling the test process (far ends included).
 */
const tone = (heard: Int16Array[], hz: number, ms: number) => Number(framesWithTone(heard, hz, ms).toFixed(2));

test('trunk (RTP) <-> browser (WebRTC): the browser\'s tone is heard by the trunk far end and the trunk\'s tone by the browser; keys pass both ways', async (t) => {
  const media = await engine(t);
  const { far, session } = await trunkLeg(media, 'pcmu');
  const { peer, leg } = await browserLeg(media, 'pcmu');
  t.teardown(async () => {
    far.close();
    leg.close();
    await peer.close();
  });
  // a prompt playing on the trunk leg stops when the bridge starts
  const prompt = session.play(encodeG711('pcmu', new Int16Array(8000 * 10)));
  far.source.tone(700);
  peer.source.tone(1300);
  const bridge = bridgeLegs(session, leg);
  t.false((await prompt).completed, 'the prompt was stopped by the bridge');
  await sleep(1800);
  t.true(tone(far.heard, 1300, 1000) > 0.8, `trunk far end hears the browser's 1300 Hz: ${tone(far.heard, 1300, 1000)}`);
  t.true(tone(peer.heard, 700, 1000) > 0.8, `browser hears the trunk's 700 Hz: ${tone(peer.heard, 700, 1000)}`);
  t.true(tone(far.heard, 700, 600) < 0.1, 'no echo of its own tone');

  peer.source.press('7');
  far.source.press('3');
  await until(() => far.digits.length >= 1 && peer.digits.length >= 1, 3000, 'key presses across');
  await sleep(300);
  t.deepEqual(far.digits, ['7'], 'the browser\'s 7 reached the trunk as one RFC 4733 event');
  t.deepEqual(peer.digits, ['3'], 'the trunk\'s 3 reached the browser as one RFC 4733 event');
  const s = bridge.stats();
  t.true(s.framesAtoB > 50 && s.framesBtoA > 50, JSON.stringify(s));
  // frames are dropped only when this (shared, loaded) machine stalled the box's clock past its catch-up
  const skipped = media.clock.stats().skippedTicks;
  t.true(s.droppedAtoB <= skipped && s.droppedBtoA <= skipped, `drops only where the clock skipped ticks: ${JSON.stringify({ ...s, skipped })}`);
  t.is(s.digitsAtoB, 1);
  t.is(s.digitsBtoA, 1);

  // the browser hangs up: the bridge is over, the trunk leg stays up and goes back to silence
  leg.close('remote');
  t.deepEqual(await bridge.done, { endedBy: 'b' });
  t.false(session.isClosed);
  const after = far.heard.length;
  await until(() => far.heard.length >= after + 15, 3000, 'frames after the bridge');
  t.true(framesWithTone(far.heard.slice(after + 5), 1300, 200) < 0.1, 'the trunk far end no longer hears the browser');
});

test('RTP <-> RTP with different laws (PCMU trunk, PCMA trunk): tones both ways through the law conversion, keys pass, unbridge keeps both legs up', async (t) => {
  const media = await engine(t);
  const a = await trunkLeg(media, 'pcmu');
  const b = await trunkLeg(media, 'pcma');
  t.teardown(() => {
    a.far.close();
    b.far.close();
  });
  a.far.source.tone(500);
  b.far.source.tone(1100);
  const bridge = bridgeLegs(a.session, b.session);
  await sleep(1500);
  t.true(tone(b.far.heard, 500, 1000) > 0.8, `b hears a's 500 Hz: ${tone(b.far.heard, 500, 1000)}`);
  t.true(tone(a.far.heard, 1100, 1000) > 0.8, `a hears b's 1100 Hz: ${tone(a.far.heard, 1100, 1000)}`);
  a.far.source.press('9');
  b.far.source.press('*');
  await until(() => a.far.digits.length >= 1 && b.far.digits.length >= 1, 3000, 'key presses across');
  t.deepEqual(b.far.digits, ['9']);
  t.deepEqual(a.far.digits, ['*']);
  bridge.unbridge();
  t.deepEqual(await bridge.done, { endedBy: 'unbridged' });
  t.false(a.session.isClosed || b.session.isClosed, 'both legs stay up');
  const after = b.far.heard.length;
  await until(() => b.far.heard.length >= after + 15, 3000, 'frames after the bridge');
  t.true(framesWithTone(b.far.heard.slice(after + 5), 500, 200) < 0.1, 'no audio across once unbridged');
});

test('the bridge is over when the trunk leg ends; a bridge to a closed leg is over at once', async (t) => {
  const media = await engine(t);
  const a = await trunkLeg(media);
  const b = await trunkLeg(media);
  t.teardown(() => {
    a.far.close();
    b.far.close();
  });
  const bridge = bridgeLegs(a.session, b.session);
  await sleep(200);
  a.session.close();
  t.deepEqual(await bridge.done, { endedBy: 'a' });
  t.false(b.session.isClosed);
  const again = bridgeLegs(b.session, a.session);
  t.deepEqual(await again.done, { endedBy: 'b' });
  t.throws(() => bridgeLegs(b.session, b.session), { message: /itself/ });
});

// The WebRTC leg against a real WebRTC peer (werift, full ICE, DTLS-SRTP) on loopback: answering and
// offering, audio both ways on the shared clock, RFC 4733 both ways, a forged fingerprint failing the leg,
// and offers the box cannot carry refused with the line at fault.
import test, { type ExecutionContext } from 'ava';
import { isAppError } from '../../../core/errors.ts';
import { encodeG711 } from '../../../media/dsp/g711.ts';
import { MediaClock } from '../../../media/rtp/clock.ts';
import { WebRtcLeg, type WebRtcLegOptions } from '../../../media/webrtc/leg.ts';
import { forgeFingerprint, sleep, toneShare, until, WebRtcPeer } from './peers.ts';

function tone(hz: number, ms: number): Int16Array {
  const pcm = new Int16Array(ms * 8);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000));
  return pcm;
}

/** A leg on its own clock and a werift peer, both closed when the test ends. */
function legAndPeer(t: ExecutionContext, opts: Omit<WebRtcLegOptions, 'clock' | 'address'> = {}, law: 'pcmu' | 'pcma' = 'pcmu'): { leg: WebRtcLeg; peer: WebRtcPeer; clock: MediaClock } {
  const clock = new MediaClock();
  const leg = new WebRtcLeg({ clock, address: '127.0.0.1', ...opts });
  const peer = new WebRtcPeer(law);
  t.teardown(async () => {
    leg.close();
    await peer.close();
    clock.close();
  });
  return { leg, peer, clock };
}

test('answers a WebRTC offer: DTLS-SRTP up on loopback, a tone from the peer is heard decoded, a prompt played reaches the peer, on the shared clock', async (t) => {
  const { leg, peer, clock } = legAndPeer(t);
  const offer = await peer.offer();
  const answer = await leg.answer(offer);
  t.regex(answer, /UDP\/TLS\/RTP\/SAVPF 0 101/, 'PCMU and telephone-event only');
  t.notRegex(answer, /opus|VP8|m=video/i);
  for (const c of answer.split('\r\n').filter((l) => l.startsWith('a=candidate:'))) t.is(c.split(' ')[4], '127.0.0.1', 'host candidates on the given address only');
  await peer.accept(answer);
  await leg.connected;
  await peer.connected();
  t.is(leg.codec, 'pcmu');
  t.deepEqual(leg.stats().remoteAddress?.split(':')[0], '127.0.0.1');

  const heard: Int16Array[] = [];
  leg.on('audio', (pcm) => heard.push(pcm));
  peer.source.tone(1000);
  peer.startSending();
  const played = leg.play(encodeG711('pcmu', tone(600, 1000)));
  await until(() => heard.length >= 40, 20_000, 'audio from the peer');
  const tail = new Int16Array(heard.slice(-20).flatMap((f) => [...f]));
  t.true(toneShare(tail, 1000) > 0.8, `1000 Hz from the peer: share ${toneShare(tail, 1000).toFixed(2)}`);
  const r = await played;
  t.true(r.completed);
  t.is(r.playedMs, 1000);
  const got = peer.lastHeard(600);
  t.true(toneShare(got.subarray(0, 2400), 600) > 0.8, `600 Hz prompt at the peer: share ${toneShare(got.subarray(0, 2400), 600).toFixed(2)}`);
  // one packet per 20 ms tick of the media clock, whatever the prompt (counted against the clock's own
  // ticks, not a wall-clock second: a loaded machine runs late ticks back to back)
  const s0 = leg.stats().packetsSent;
  const k0 = clock.stats().ticks;
  await sleep(1000);
  const per = leg.stats().packetsSent - s0;
  const ticks = clock.stats().ticks - k0;
  t.true(ticks >= 10 && Math.abs(per - ticks) <= 1, `${per} packets in ${ticks} ticks`);
});

test('offers to a WebRTC peer (PCMA), passes RFC 4733 key presses both ways', async (t) => {
  const { leg, peer } = legAndPeer(t, { laws: ['pcma', 'pcmu'] }, 'pcma');
  const offer = await leg.offer();
  t.regex(offer, /m=audio \d+ UDP\/TLS\/RTP\/SAVPF 8 0 101/);
  await leg.accept(await peer.answer(offer));
  await leg.connected;
  await peer.connected();
  t.is(leg.codec, 'pcma');
  t.is(leg.stats().telephoneEventPt, 101);
  const digits: string[] = [];
  leg.on('dtmf', (d) => digits.push(`${d.digit}/${d.source}`));
  peer.startSending();
  peer.source.press('5');
  peer.source.press('#');
  await until(() => digits.length >= 2, 20_000, 'two key presses from the peer');
  await sleep(300);
  t.deepEqual(digits, ['5/rfc4733', '#/rfc4733'], 'each press reported once');
  await leg.sendDtmf('19');
  await until(() => peer.digits.length >= 2, 20_000, 'key presses at the peer');
  t.deepEqual(peer.digits, ['1', '9']);
});

test('a DTLS certificate that does not match the offer fingerprint fails the leg (E_WEBRTC_CONNECT), and no media flows', async (t) => {
  const { leg, peer } = legAndPeer(t, { connectTimeoutMs: 8000 });
  const closed = new Promise<string>((resolve) => leg.once('close', ({ reason }) => resolve(reason)));
  const offer = forgeFingerprint(await peer.offer());
  await peer.accept(await leg.answer(offer));
  const err = await t.throwsAsync(leg.connected);
  t.true(isAppError(err) && err.code === 'E_WEBRTC_CONNECT', String(err));
  t.is(await closed, 'failed');
  t.false(leg.stats().connected);
  t.is(leg.stats().packetsReceived, 0);
});

test('the box offering: a forged fingerprint in the answer fails the leg too', async (t) => {
  const { leg, peer } = legAndPeer(t, { connectTimeoutMs: 8000 });
  const offer = await leg.offer();
  await leg.accept(forgeFingerprint(await peer.answer(offer)));
  const err = await t.throwsAsync(leg.connected);
  t.true(isAppError(err) && err.code === 'E_WEBRTC_CONNECT', String(err));
});

test('offers the box cannot carry are refused with what is wrong: no G.711, not encrypted, no fingerprint', async (t) => {
  const clock = new MediaClock();
  t.teardown(() => clock.close());
  const peer = new WebRtcPeer('pcmu');
  t.teardown(() => peer.close());
  const good = await peer.offer();
  const cases: [string, RegExp][] = [
    [good.replace(/UDP\/TLS\/RTP\/SAVPF 0 101/, 'UDP/TLS/RTP/SAVPF 111 101').replace(/a=rtpmap:0 PCMU\/8000/, 'a=rtpmap:111 opus/48000/2'), /offers none of PCMU, PCMA \(line \d+\)/],
    [good.replace(/UDP\/TLS\/RTP\/SAVPF/, 'RTP/AVP'), /not DTLS-SRTP \(line \d+: RTP\/AVP\)/],
    [good.replace(/a=fingerprint:[^\r\n]*\r\n/, ''), /no DTLS fingerprint/],
    ['hello', /not an SDP document/],
  ];
  for (const [sdp, why] of cases) {
    const leg = new WebRtcLeg({ clock, address: '127.0.0.1' });
    const err = await t.throwsAsync(leg.answer(sdp));
    t.true(isAppError(err) && err.code === 'E_WEBRTC_SDP', String(err));
    t.regex(err?.message ?? '', why);
    leg.close();
  }
});

test('the leg closes when the peer goes silent past silenceTimeoutMs, and says the far end went away', async (t) => {
  const clock = new MediaClock();
  const leg = new WebRtcLeg({ clock, address: '127.0.0.1', silenceTimeoutMs: 1000 });
  const peer = new WebRtcPeer('pcmu');
  t.teardown(async () => {
    leg.close();
    clock.close();
  });
  await peer.accept(await leg.answer(await peer.offer()));
  await leg.connected;
  peer.startSending();
  await sleep(1500);
  t.false(leg.isClosed, 'a peer that sends keeps the leg up');
  const closed = new Promise<string>((resolve) => leg.once('close', ({ reason }) => resolve(reason)));
  const t0 = Date.now();
  await peer.close();
  t.is(await closed, 'remote');
  t.true(Date.now() - t0 < 2000, `closed ${Date.now() - t0} ms after the peer left`);
  t.true(leg.isClosed);
});

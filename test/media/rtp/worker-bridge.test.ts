// Bridging calls whose media runs in media worker threads (issue 19 with issue 16's bridges): a bridge
// relays frame by frame on one clock, so a worker's session that is bridged moves to the main thread,
// beside the browser's WebRTC leg or the other bridged call. The far end must not notice more than a
// few milliseconds: the same port, the same SSRC, the sequence going on without a gap. Real far ends on
// loopback (RTP sockets, a werift WebRTC peer with DTLS-SRTP).
import test from 'ava';
import type dgram from 'node:dgram';
import { bridgeLegs } from '../../../media/rtp/bridge.ts';
import { encodeG711 } from '../../../media/dsp/g711.ts';
import { parseRtp } from '../../../media/rtp/rtp-packet.ts';
import { WorkerMediaEngine } from '../../../media/rtp/worker-engine.ts';
import type { WorkerSession } from '../../../media/rtp/worker-session.ts';
import { WebRtcLeg } from '../../../media/webrtc/leg.ts';
import { rtpRange } from '../../peers/ports.ts';
import { framesWithTone, RtpFarEnd, sleep, until, WebRtcPeer } from '../webrtc/peers.ts';

async function engine(t: { teardown(fn: () => unknown): void }, workers = 2): Promise<WorkerMediaEngine> {
  const range = rtpRange(20);
  const media = new WorkerMediaEngine({ bindAddress: '127.0.0.1', rtpPortMin: range.min, rtpPortMax: range.max, workers });
  media.start();
  t.teardown(() => media.stop());
  return media;
}

interface Seen {
  ssrc: number;
  seq: number;
  port: number;
}

/** A far end that also notes the SSRC, sequence and source port of every packet it receives. */
async function trunkLeg(media: WorkerMediaEngine, law: 'pcmu' | 'pcma' = 'pcmu') {
  const far = await new RtpFarEnd(law).start();
  const seen: Seen[] = [];
  (far as unknown as { socket: dgram.Socket }).socket.on('message', (msg, rinfo) => {
    const h = parseRtp(msg);
    if (h) seen.push({ ssrc: h.ssrc, seq: h.sequence, port: rinfo.port }); // key presses' events take sequence numbers too
  });
  const session = await media.createSession({ remoteAddress: '127.0.0.1', remotePort: far.port, payloadType: law === 'pcmu' ? 0 : 8 });
  far.sendTo(session.localPort);
  return { far, session, seen };
}

/** Packets missing from the sequence the far end received (one stream), and the SSRCs and ports seen. */
function continuity(seen: Seen[]) {
  let missing = 0;
  for (let i = 1; i < seen.length; i++) missing += ((seen[i].seq - seen[i - 1].seq - 1) & 0xffff) < 0x8000 ? (seen[i].seq - seen[i - 1].seq - 1) & 0xffff : 0;
  return { missing, ssrcs: new Set(seen.map((s) => s.ssrc)).size, ports: new Set(seen.map((s) => s.port)).size };
}

const tone = (heard: Int16Array[], hz: number, ms: number) => Number(framesWithTone(heard, hz, ms).toFixed(2));

test('a trunk call in a media worker bridged to a browser (WebRTC): it moves to the main thread on the same port and stream, tones and keys pass both ways', async (t) => {
  const media = await engine(t);
  const { far, session, seen } = await trunkLeg(media, 'pcmu');
  const peer = new WebRtcPeer('pcmu');
  const leg = new WebRtcLeg({ clock: media.clock, address: '127.0.0.1', laws: ['pcmu'] });
  t.teardown(async () => {
    far.close();
    leg.close();
    await peer.close();
  });
  await peer.accept(await leg.answer(await peer.offer()));
  await leg.connected;
  await peer.connected();
  peer.startSending();
  const ws = session as WorkerSession;
  t.false(ws.onMainThread, 'a new call runs in a worker');
  const prompt = session.play(encodeG711('pcmu', new Int16Array(8000 * 10)));
  await until(() => seen.length >= 20, 3000, 'the worker sends');
  const before = session.stats().packetsSent;
  far.source.tone(700);
  peer.source.tone(1300);
  const bridge = bridgeLegs(session, leg);
  t.false((await prompt).completed, 'the prompt was stopped by the bridge');
  await session.hostOnMainThread();
  t.true(ws.onMainThread, 'bridged, it runs on the main thread');
  await sleep(1800);
  t.true(tone(far.heard, 1300, 1000) > 0.8, `trunk far end hears the browser's 1300 Hz: ${tone(far.heard, 1300, 1000)}`);
  t.true(tone(peer.heard, 700, 1000) > 0.8, `browser hears the trunk's 700 Hz: ${tone(peer.heard, 700, 1000)}`);
  peer.source.press('7');
  far.source.press('3');
  await until(() => far.digits.length >= 1 && peer.digits.length >= 1, 3000, 'key presses across');
  await sleep(300);
  t.deepEqual(far.digits, ['7']);
  t.deepEqual(peer.digits, ['3']);

  const c = continuity(seen);
  t.is(c.ssrcs, 1, 'the far end sees one stream (the same SSRC before and after the move)');
  t.is(c.ports, 1, 'from one port');
  // the sequence goes on: a loaded machine may lose a packet or two while the socket changes hands
  t.true(c.missing <= 3, `packets missing from the far end's sequence: ${c.missing}`);
  t.true(session.stats().packetsSent > before + 50, 'the counters go on from the worker\'s');
  t.is(media.stats().sessions, 1, 'still one session for the engine');

  leg.close('remote');
  t.deepEqual(await bridge.done, { endedBy: 'b' });
  t.false(session.isClosed, 'the trunk call stays up');
  const after = far.heard.length;
  await until(() => far.heard.length >= after + 15, 3000, 'frames after the bridge');
  session.close();
  await sleep(50);
  t.is(media.stats().sessions, 0);
  t.is(media.activeSessions().length, 0);
});

test('two worker calls bridged (RTP <-> RTP, different laws): both move, tones pass through the law conversion; closing one ends the bridge and frees its port', async (t) => {
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
  // both legs move to the main thread, then a whole second each far end hears carries the other's tone
  // (waited for, not slept: a loaded machine may take longer over the move)
  await until(() => (a.session as WorkerSession).onMainThread && (b.session as WorkerSession).onMainThread, 10_000, 'both legs on the main thread');
  await until(() => tone(b.far.heard, 500, 1000) > 0.8 && tone(a.far.heard, 1100, 1000) > 0.8, 10_000, 'a second of each tone at the other end');
  t.true(tone(b.far.heard, 500, 1000) > 0.8, `b hears a's 500 Hz: ${tone(b.far.heard, 500, 1000)}`);
  t.true(tone(a.far.heard, 1100, 1000) > 0.8, `a hears b's 1100 Hz: ${tone(a.far.heard, 1100, 1000)}`);
  const port = a.session.localPort;
  a.session.close();
  t.deepEqual(await bridge.done, { endedBy: 'a' });
  t.false(b.session.isClosed);
  // the port is free again: nobody holds it on this machine
  const probe = (await import('node:dgram')).createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.bind(port, '127.0.0.1', () => resolve());
  });
  probe.close();
  t.pass();
});

test('a worker call closed while it moves gives its port back; plays and DTMF asked during the move run on the main thread', async (t) => {
  const media = await engine(t, 1);
  const a = await trunkLeg(media);
  const b = await trunkLeg(media);
  t.teardown(() => {
    a.far.close();
    b.far.close();
  });
  const moving = a.session.hostOnMainThread();
  const played = a.session.play(encodeG711('pcmu', new Int16Array(8000 * 0.2)));
  const dtmf = a.session.sendDtmf('5', { durationMs: 60 });
  await moving;
  t.true((await played).completed, 'a play asked during the move plays on the main thread');
  await dtmf;
  await until(() => a.far.digits.length >= 1, 2000, 'the digit');
  t.deepEqual(a.far.digits, ['5']);

  const port = b.session.localPort;
  const m = b.session.hostOnMainThread();
  b.session.close();
  await m;
  await sleep(50);
  t.is(media.stats().sessions, 1, 'only a is left');
  const probe = (await import('node:dgram')).createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.bind(port, '127.0.0.1', () => resolve());
  });
  probe.close();
});

test('a prompt playing in a worker when its session moves goes on from where it was on the main thread (a listen-in does not cut the message); one stopped by its caller does not', async (t) => {
  const media = await engine(t, 1);
  const a = await trunkLeg(media);
  t.teardown(() => a.far.close());
  const played = a.session.play(encodeG711('pcmu', new Int16Array(8000 * 1)));
  await sleep(300);
  await a.session.hostOnMainThread();
  const r = await played;
  t.true(r.completed, 'the prompt ended by itself, on the main thread');
  t.true(r.playedMs >= 900 && r.playedMs <= 1100, `played ${r.playedMs} ms in all`);

  const b = await trunkLeg(media);
  t.teardown(() => b.far.close());
  const cut = b.session.play(encodeG711('pcmu', new Int16Array(8000 * 1)));
  await sleep(300);
  b.session.stopPlayback();
  const moved = b.session.hostOnMainThread();
  t.false((await cut).completed, 'stopped by its caller: not played on after the move');
  await moved;
});

// A real browser on the WebRTC leg: Debian's Chromium (playwright-core) with a fake microphone playing a
// 1200 Hz tone offers audio; the box answers with a WebRTC leg bridged to a trunk's RTP session. The tone
// reaches the trunk's far end, the far end's 700 Hz tone reaches the browser (a WebAudio capture of the
// remote track, Goertzel here), and the browser's key presses (RTCDTMFSender) arrive as RFC 4733 events.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bridgeLegs } from '../../../media/rtp/bridge.ts';
import { MediaEngine } from '../../../media/rtp/media-engine.ts';
import { WebRtcLeg } from '../../../media/webrtc/leg.ts';
import { rtpRange } from '../../peers/ports.ts';
import { openBrowser } from '../../web-ui/browser.ts';
import { framesWithTone, RtpFarEnd, sleep, until } from './peers.ts';

/** Only the browser's loopback candidates: test traffic stays on 127.0.0.0/8. */
function loopbackOnly(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((l) => !l.startsWith('a=candidate:') || (l.split(' ')[4] === '127.0.0.1' && l.split(' ')[2]?.toLowerCase() === 'udp'))
    .join('\r\n');
}

/**
 * The browser's side, as a softphone page does it: the microphone on a peer connection, an offer with every
 * candidate gathered (SIP carries one complete SDP), and the remote track captured through WebAudio at
 * 8 kHz (Chromium feeds a remote track to WebAudio only while a media element plays it).
 */
const PAGE = `
let pc;
const samples = [];
async function makeOffer() {
  pc = new RTCPeerConnection();
  const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  for (const track of mic.getTracks()) pc.addTrack(track, mic);
  pc.ontrack = (e) => {
    const stream = e.streams[0] || new MediaStream([e.track]);
    const el = new Audio();
    el.muted = true;
    el.srcObject = stream;
    el.play();
    const ctx = new AudioContext({ sampleRate: 8000 });
    const src = ctx.createMediaStreamSource(stream);
    const proc = ctx.createScriptProcessor(1024, 1, 1);
    proc.onaudioprocess = (ev) => {
      for (const v of ev.inputBuffer.getChannelData(0)) samples.push(Math.round(v * 32767));
    };
    src.connect(proc);
    proc.connect(ctx.destination);
    ctx.resume();
  };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
  });
  return pc.localDescription.sdp;
}
async function applyAnswer(sdp) {
  await pc.setRemoteDescription({ type: 'answer', sdp });
}
`;

test('Chromium with a fake microphone: its tone reaches the trunk over a WebRTC leg and a bridge, the trunk\'s tone reaches the browser, its keypad reaches the trunk', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'webrtc-chromium-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const wav = path.join(dir, 'mic.wav');
  execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', wav, 'synth', '20', 'sine', '1200', 'vol', '0.5']);
  // a page on loopback HTTP is a secure context: the microphone is allowed
  const server = http.createServer((_req, res) => res.end(`<!doctype html><title>softphone test</title><script>${PAGE}</script>`));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const port = (server.address() as { port: number }).port;
  const { page } = await openBrowser(t, {
    extraArgs: [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`,
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  await page.goto(`http://127.0.0.1:${port}/`);

  const range = rtpRange(10);
  const media = new MediaEngine({ bindAddress: '127.0.0.1', rtpPortMin: range.min, rtpPortMax: range.max });
  media.start();
  t.teardown(() => media.stop());
  const far = await new RtpFarEnd('pcmu').start();
  t.teardown(() => far.close());
  const session = await media.createSession({ remoteAddress: '127.0.0.1', remotePort: far.port });
  far.sendTo(session.localPort);
  far.source.tone(700);

  const offer = (await page.evaluate('makeOffer()')) as string;
  t.regex(offer, /a=rtpmap:\d+ PCMU\/8000/, 'Chromium offers PCMU among its codecs');
  const filtered = loopbackOnly(offer);
  t.regex(filtered, /a=candidate:.* 127\.0\.0\.1 /, 'Chromium gathered a loopback candidate');

  const leg = new WebRtcLeg({ clock: media.clock, address: '127.0.0.1', silenceTimeoutMs: 5000 });
  t.teardown(() => leg.close());
  const answer = await leg.answer(filtered);
  t.regex(answer, /m=audio \d+ UDP\/TLS\/RTP\/SAVPF 0 \d+\r\n/, 'the box answers PCMU and telephone-event only');
  await page.evaluate(`applyAnswer(${JSON.stringify(answer)})`);
  await leg.connected;
  t.is(leg.codec, 'pcmu');
  t.not(leg.stats().telephoneEventPt, null, 'telephone-event negotiated with the browser');
  t.is(leg.stats().remoteAddress?.split(':')[0], '127.0.0.1');

  const bridge = bridgeLegs(session, leg);
  await sleep(2500);
  const atTrunk = framesWithTone(far.heard, 1200, 1000);
  t.true(atTrunk > 0.9, `the trunk far end hears the browser's microphone (1200 Hz) in ${Math.round(atTrunk * 100)}% of frames`);

  const heard = (await page.evaluate('samples.slice(-8000)')) as number[];
  const frames: Int16Array[] = [];
  for (let i = 0; i + 160 <= heard.length; i += 160) frames.push(Int16Array.from(heard.slice(i, i + 160)));
  const atBrowser = framesWithTone(frames, 700, 1000);
  t.true(atBrowser > 0.8, `the browser's WebAudio capture of the remote track carries the trunk's 700 Hz in ${Math.round(atBrowser * 100)}% of frames`);

  const digits: string[] = [];
  leg.on('dtmf', (d) => digits.push(d.digit));
  await page.evaluate("pc.getSenders()[0].dtmf.insertDTMF('4#', 120, 80)");
  await until(() => far.digits.length >= 2, 5000, 'the browser\'s key presses at the trunk');
  t.deepEqual(digits, ['4', '#'], 'the leg reports each press once');
  t.deepEqual(far.digits, ['4', '#'], 'the trunk far end receives them as RFC 4733 events');
  // frames are dropped only when this (shared, loaded) machine stalled the box's clock past its catch-up
  const s = bridge.stats();
  const skipped = media.clock.stats().skippedTicks;
  t.true(s.droppedAtoB <= skipped && s.droppedBtoA <= skipped, `drops only where the clock skipped ticks: ${JSON.stringify({ ...s, skipped })}`);

  await page.evaluate('pc.close()');
  t.deepEqual(await bridge.done, { endedBy: 'b' }, 'the browser hanging up ends the bridge');
  t.false(session.isClosed, 'the trunk leg stays up for the flow to go on');
});

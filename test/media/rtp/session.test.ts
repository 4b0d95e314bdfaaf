import test, { type ExecutionContext } from 'ava';
import { rtpRange } from '../../peers/ports.ts';
import dgram from 'node:dgram';
import { isAppError } from '../../../core/errors.ts';
import { alawEncode, ulawDecode } from '../../../media/dsp/g711.ts';
import { MediaEngine } from '../../../media/rtp/media-engine.ts';
import { parseRtp, type RtpHeader } from '../../../media/rtp/rtp-packet.ts';
import type { RtpSocket } from '../../../media/rtp/rtp-socket.ts';
import type { RtpSession } from '../../../media/rtp/session.ts';
import { MediaSourceSet } from '../../../media/rtp/source-filter.ts';
import { parseMediaSource, type MediaSourceRule } from '../../../core/media-sources.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(10);
  }
  return cond();
}

function engine(ports = 40): MediaEngine {
  const min = rtpRange(ports + 1).min;
  const e = new MediaEngine({ bindAddress: '127.0.0.1', rtpPortMin: min, rtpPortMax: min + ports });
  e.start();
  return e;
}

/** A prompt of recognisable bytes that never contain silence. */
function prompt(frames: number): Buffer {
  const b = Buffer.alloc(frames * 160);
  for (let i = 0; i < b.length; i++) b[i] = 0x10 + ((i * 7 + (i >> 5)) % 0x60);
  return b;
}

/** Two sessions pointing at each other. */
async function pair(e: MediaEngine, a: Parameters<MediaEngine['createSession']>[0] = {}, b: typeof a = {}) {
  const A = await e.createSession(a);
  const B = await e.createSession(b);
  A.setRemote('127.0.0.1', B.localPort);
  B.setRemote('127.0.0.1', A.localPort);
  return [A, B] as const;
}

/** Raw RTP packets arriving at a session's socket (a tap next to the session's own listener). */
function tap(s: RtpSession): Array<{ h: RtpHeader; payload: Buffer }> {
  const out: Array<{ h: RtpHeader; payload: Buffer }> = [];
  const socket = (s as unknown as { socket: dgram.Socket }).socket;
  socket.on('message', (m: Buffer) => {
    const h = parseRtp(m);
    if (h) out.push({ h, payload: Buffer.from(m.subarray(h.payloadOffset, h.payloadOffset + h.payloadLength)) });
  });
  return out;
}

function digits(s: RtpSession): Array<{ digit: string; source: string }> {
  const got: Array<{ digit: string; source: string }> = [];
  s.on('dtmf', (d) => got.push(d));
  return got;
}

test('a prompt played on one session arrives bit-exact at the other, with well-formed RTP', async (t) => {
  const e = engine();
  t.teardown(() => e.stop());
  const [A, B] = await pair(e);
  const packets = tap(B);
  const pcm: Int16Array[] = [];
  B.on('audio', (f) => pcm.push(f));
  await sleep(60); // some comfort silence first
  const p = prompt(50);
  const result = await A.play(p);
  t.deepEqual(result, { completed: true, playedMs: 1000 });
  await sleep(100);
  const audio = packets.filter((x) => x.h.payloadType === 0);
  const stream = Buffer.concat(audio.map((x) => x.payload));
  const at = stream.indexOf(p.subarray(0, 160));
  t.true(at >= 0, 'prompt found in the received stream');
  t.true(stream.subarray(at, at + p.length).equals(p), 'bit-exact');
  t.true(stream.subarray(0, at).every((b) => b === 0xff), 'silence (0xFF) before the prompt');
  // header discipline: one SSRC, sequence +1, timestamp +160 per packet, marker only on the first. A
  // machine that stalls the process past the clock's catch-up makes it skip ticks (it counts them): the
  // timestamp then follows real time, ahead by 160 per tick skipped, while the sequence goes on by one.
  t.is(new Set(audio.map((x) => x.h.ssrc)).size, 1);
  let jumped = 0;
  for (let i = 1; i < audio.length; i++) {
    t.is(audio[i].h.sequence, (audio[i - 1].h.sequence + 1) & 0xffff);
    const step = (audio[i].h.timestamp - audio[i - 1].h.timestamp) >>> 0;
    t.true(step >= 160 && step % 160 === 0, `timestamp step ${step} at packet ${i}`);
    jumped += step / 160 - 1;
  }
  const skipped = e.clock.stats().skippedTicks;
  t.true(jumped <= skipped, `timestamp ahead by ${jumped} ticks, the clock skipped ${skipped}`);
  t.true(audio[0].h.marker);
  t.false(audio.slice(1).some((x) => x.h.marker));
  // the decoded audio event carries the same samples
  const all = new Int16Array(pcm.reduce((n, f) => n + f.length, 0));
  let o = 0;
  for (const f of pcm) {
    all.set(f, o);
    o += f.length;
  }
  const want = ulawDecode(p);
  const start = all.findIndex((v, i) => v === want[0] && all[i + 1] === want[1] && all[i + 2] === want[2]);
  t.deepEqual([...all.subarray(start, start + want.length)], [...want]);
  t.is(B.stats().lost, 0);
  t.true(A.stats().packetsSent >= 50);
});

test('prompts in shared memory, at an odd offset, and ending mid-frame arrive bit-exact, the last frame padded with silence', async (t) => {
  // A frame is copied as 32-bit words when the prompt's bytes are 4-byte aligned, byte by byte otherwise;
  // both must give the same stream.
  const e = engine();
  t.teardown(() => e.stop());
  const [A, B] = await pair(e);
  const packets = tap(B);
  const bytes = prompt(12).subarray(0, 12 * 160 - 70); // ends 90 bytes into its last frame
  const shared = Buffer.from(new SharedArrayBuffer(bytes.length));
  bytes.copy(shared);
  const odd = Buffer.from(new SharedArrayBuffer(bytes.length + 1)).subarray(1); // byteOffset 1
  bytes.copy(odd);
  for (const [name, p] of [['shared', shared], ['odd offset', odd]] as const) {
    const from = packets.length;
    const result = await A.play(p);
    t.deepEqual(result, { completed: true, playedMs: 240 }, name);
    await sleep(80);
    const stream = Buffer.concat(packets.slice(from).filter((x) => x.h.payloadType === 0).map((x) => x.payload));
    const at = stream.indexOf(bytes.subarray(0, 160));
    t.true(at >= 0, `${name}: prompt found in the received stream`);
    t.true(stream.subarray(at, at + bytes.length).equals(bytes), `${name}: bit-exact`);
    t.true(stream.subarray(at + bytes.length, at + 12 * 160).every((b) => b === 0xff), `${name}: the last frame's rest is silence`);
  }
});

test('sessions of one thread build their packets in one buffer: four calls at once, two laws, each stream its own and bit-exact', async (t) => {
  // Connected sessions whose sends the kernel takes at once share the thread's send buffer (session.ts
  // SendBuffer): nothing of one call may show in another's packets, its SSRC, law or audio.
  const e = engine();
  t.teardown(() => e.stop());
  const [A, B] = await pair(e);
  const [C, D] = await pair(e, { payloadType: 8 }, { payloadType: 8 });
  const sessions = [A, B, C, D];
  const heard = sessions.map(tap);
  await sleep(100); // latched and connected
  let throughDgram = 0; // sends that did not take the direct path (and so not the shared buffer)
  for (const s of sessions) {
    const socket = (s as unknown as { socket: RtpSocket }).socket;
    t.not(socket.direct, null);
    const send = socket.send.bind(socket) as (...a: unknown[]) => void;
    (socket as { send: (...a: unknown[]) => void }).send = (...a: unknown[]) => {
      throughDgram++;
      send(...a);
    };
  }
  const prompts = sessions.map((_, i) => {
    const p = prompt(20);
    for (let k = 0; k < p.length; k++) p[k] = (p[k] + i * 0x11) & 0x7f; // each call's own bytes, never silence
    return p;
  });
  const results = await Promise.all(sessions.map((s, i) => s.play(prompts[i])));
  for (const r of results) t.deepEqual(r, { completed: true, playedMs: 400 });
  await sleep(100);
  t.is(throughDgram, 0, 'every packet went out through the shared buffer');
  for (let i = 0; i < 4; i++) {
    const got = heard[[1, 0, 3, 2][i]]; // what call i's far end received
    const pt = i < 2 ? 0 : 8;
    const silence = i < 2 ? 0xff : 0xd5;
    const audio = got.filter((x) => x.h.payloadType === pt);
    t.is(audio.length, got.length, `call ${i}: only its own law`);
    t.deepEqual([...new Set(audio.map((x) => x.h.ssrc))], [sessions[i].ssrc], `call ${i}: only its own SSRC`);
    const stream = Buffer.concat(audio.map((x) => x.payload));
    const at = stream.indexOf(prompts[i].subarray(0, 160));
    t.true(at >= 0 && stream.subarray(at, at + prompts[i].length).equals(prompts[i]), `call ${i}: its prompt bit-exact`);
    t.true(stream.subarray(0, at).every((b) => b === silence), `call ${i}: its own law's silence before`);
    for (let k = 1; k < audio.length; k++) t.is(audio[k].h.sequence, (audio[k - 1].h.sequence + 1) & 0xffff);
  }
});

test('DTMF both ways and both modes is received with the right digits and source, in PCMA too', async (t) => {
  const e = engine();
  t.teardown(() => e.stop());
  const [A, B] = await pair(e, { payloadType: 8, inbandDtmf: true }, { payloadType: 8, inbandDtmf: true });
  const atA = digits(A);
  const atB = digits(B);
  await Promise.all([A.sendDtmf('123#'), B.sendDtmf('*90D', { mode: 'inband' })]);
  await A.sendDtmf('48', { mode: 'inband', durationMs: 60 });
  await B.sendDtmf('A7', { mode: 'rfc4733', durationMs: 40 });
  await sleep(150);
  t.deepEqual(atB, [...'123#'].map((digit) => ({ digit, source: 'rfc4733' })).concat([...'48'].map((digit) => ({ digit, source: 'inband' }))));
  t.deepEqual(atA, [...'*90D'].map((digit) => ({ digit, source: 'inband' })).concat([...'A7'].map((digit) => ({ digit, source: 'rfc4733' }))));
});

test('without a negotiated telephone-event, DTMF goes in-band; in-band detection is off unless asked', async (t) => {
  const e = engine();
  t.teardown(() => e.stop());
  const [A, B] = await pair(e, { telephoneEventPt: null }, {});
  const [C, D] = await pair(e, {}, {});
  const atB = digits(B);
  const atD = digits(D);
  await Promise.all([A.sendDtmf('5'), C.sendDtmf('6', { mode: 'inband' })]);
  await sleep(100);
  t.deepEqual(atB, [], 'B has in-band detection off');
  B.on('audio', () => {});
  t.deepEqual(atD, []);
  t.true(A.stats().packetsSent > 0 && C.stats().packetsSent > 0);
  const [E, F] = await pair(e, { telephoneEventPt: null }, { inbandDtmf: true });
  const atF = digits(F);
  await E.sendDtmf('59');
  await sleep(100);
  t.deepEqual(atF, [{ digit: '5', source: 'inband' }, { digit: '9', source: 'inband' }]);
});

test('prompts queue; stopPlayback and an AbortSignal end them early with the time played', async (t) => {
  const e = engine();
  t.teardown(() => e.stop());
  const [A] = await pair(e);
  const first = A.play(prompt(10));
  const second = A.play(prompt(100));
  const third = A.play(prompt(100));
  t.deepEqual(await first, { completed: true, playedMs: 200 });
  await sleep(100);
  A.stopPlayback();
  const r2 = await second;
  t.false(r2.completed);
  t.true(r2.playedMs > 0 && r2.playedMs < 2000, String(r2.playedMs));
  t.deepEqual(await third, { completed: false, playedMs: 0 });
  const ac = new AbortController();
  const fourth = A.play(alawEncode(new Int16Array(8000)), { signal: ac.signal });
  setTimeout(() => ac.abort(), 100);
  const r4 = await fourth;
  t.false(r4.completed);
  t.true(r4.playedMs > 0 && r4.playedMs < 1000);
});

test('symmetric RTP: a session given the wrong remote port latches to where packets come from', async (t) => {
  const e = engine();
  t.teardown(() => e.stop());
  const A = await e.createSession();
  const B = await e.createSession();
  const nowhere = dgram.createSocket('udp4');
  await new Promise<void>((r) => nowhere.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => nowhere.close());
  A.setRemote('127.0.0.1', (nowhere.address() as { port: number }).port); // SDP says one thing ...
  B.setRemote('127.0.0.1', A.localPort); // ... packets come from another (a NAT)
  const latched = new Promise<{ address: string; port: number }>((r) => A.once('latched', r));
  const atB = tap(B);
  t.deepEqual(await latched, { address: '127.0.0.1', port: B.localPort });
  t.true(await waitFor(() => atB.length >= 3), 'A now reaches B');
  t.like(A.stats(), { latched: true, remotePort: B.localPort });
});

test('hold stops sending and resumes with a marker; rtp-timeout fires when the far end goes quiet', async (t) => {
  const e = engine();
  t.teardown(() => e.stop());
  const [A, B] = await pair(e, {}, { rtpTimeoutMs: 300 });
  const atB = tap(B);
  await sleep(100);
  const timedOut = new Promise<{ silentMs: number }>((r) => B.once('rtp-timeout', r));
  A.hold(true);
  const ev = await timedOut; // 300 ms without a packet from A
  t.true(ev.silentMs >= 300);
  const n = atB.length;
  await sleep(100);
  t.is(atB.length, n, 'nothing sent on hold');
  A.hold(false);
  t.true(await waitFor(() => atB.length > n));
  t.true(atB[n].h.marker, 'first packet after hold has the marker');
});

test('loss, duplicates and reordering through an impairing relay do not stall the call or its DTMF', async (t) => {
  const e = engine();
  t.teardown(() => e.stop());
  const A = await e.createSession();
  const B = await e.createSession({ inbandDtmf: true });
  // relay: facesA <-> A, facesB <-> B; A->B is impaired deterministically
  const facesA = dgram.createSocket('udp4');
  const facesB = dgram.createSocket('udp4');
  await Promise.all([facesA, facesB].map((s) => new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))));
  t.teardown(() => {
    facesA.close();
    facesB.close();
  });
  let n = 0;
  let held: Buffer | null = null;
  facesA.on('message', (m) => {
    n++;
    const send = (b: Buffer) => facesB.send(b, B.localPort, '127.0.0.1');
    if (n % 13 === 0) return; // lost
    if (n % 11 === 0) send(m); // duplicated
    if (n % 7 === 0 && held === null) {
      held = m; // sent after the next one
      return;
    }
    send(m);
    if (held) {
      send(held);
      held = null;
    }
  });
  facesB.on('message', (m) => facesA.send(m, A.localPort, '127.0.0.1'));
  A.setRemote('127.0.0.1', (facesA.address() as { port: number }).port);
  B.setRemote('127.0.0.1', (facesB.address() as { port: number }).port);
  const got = digits(B);
  const frames: number[] = [];
  B.on('audio', (f) => frames.push(f.length));
  const played = A.play(prompt(60));
  await A.sendDtmf('2580', { durationMs: 120 });
  t.deepEqual(await played, { completed: true, playedMs: 1200 });
  await A.sendDtmf('13', { mode: 'inband', durationMs: 120 });
  await sleep(200);
  t.deepEqual(
    got.map((d) => d.digit + d.source[0]),
    ['2r', '5r', '8r', '0r', '1i', '3i'],
  );
  const s = B.stats();
  t.log(s);
  t.true(s.lost > 0 && s.duplicates > 0 && s.reordered > 0);
  t.true(frames.every((len) => len === 160));
  // still alive afterwards: packets keep flowing both ways
  const before = B.stats().packetsReceived;
  await sleep(100);
  t.true(B.stats().packetsReceived > before);
});

test('junk on the RTP port is ignored; the engine tracks, releases and runs out of ports cleanly', async (t) => {
  const e = engine(4); // three even ports
  t.teardown(() => e.stop());
  const [A, B] = await pair(e);
  const junk = dgram.createSocket('udp4');
  t.teardown(() => junk.close());
  for (const m of [Buffer.alloc(0), Buffer.alloc(5), Buffer.from('INVITE sip:x SIP/2.0\r\n'), Buffer.alloc(172, 0xff), Buffer.from([0x80, 200, 0, 1])]) {
    junk.send(m, A.localPort, '127.0.0.1');
  }
  // the datagrams are read when the loop next polls: wait for them rather than for a fixed time
  t.true(await waitFor(() => A.stats().ignored >= 4, 10_000), `ignored ${A.stats().ignored}`);
  t.false(A.isClosed);
  t.is(e.activeSessions().length, 2);
  const C = await e.createSession();
  const err = await t.throwsAsync(e.createSession());
  t.true(isAppError(err) && err.code === 'E_RTP_PORTS');
  const closed = new Promise<void>((r) => C.once('close', () => r()));
  C.close();
  await closed;
  t.is(e.activeSessions().length, 2);
  const D = await e.createSession();
  t.is(D.localPort % 2, 0);
  await e.stop();
  t.true(A.isClosed && B.isClosed && D.isClosed);
  t.is(e.activeSessions().length, 0);
  t.false(e.clock.running);
});

test('after latching, packets from anyone else are dropped; a non-symmetric session accepts them', async (t) => {
  const e = engine();
  t.teardown(() => e.stop());
  const [A, B] = await pair(e);
  const C = await e.createSession({ symmetric: false });
  C.setRemote('127.0.0.1', A.localPort);
  await sleep(100); // A and B have latched onto each other
  const intruder = dgram.createSocket('udp4');
  t.teardown(() => intruder.close());
  const atB = digits(B);
  const atC = digits(C);
  const press = (seq: number) => {
    const pkt = Buffer.alloc(16);
    pkt[0] = 0x80;
    pkt[1] = 0x80 | 101;
    pkt.writeUInt16BE(seq, 2);
    pkt.writeUInt32BE(123456, 4);
    pkt.writeUInt32BE(0xabcdef, 8);
    pkt[12] = 9; // digit 9
    pkt[13] = 0x80 | 10;
    pkt.writeUInt16BE(800, 14);
    return pkt;
  };
  intruder.send(press(1), B.localPort, '127.0.0.1');
  intruder.send(press(1), C.localPort, '127.0.0.1');
  await sleep(100);
  t.deepEqual(atB, [], 'injected RTP is not heard by a latched session');
  t.deepEqual(atC, [{ digit: '9', source: 'rfc4733' }]);
  t.like(C.stats(), { latched: false, remotePort: A.localPort });
});

/** An RFC 4733 end packet for a digit (a new event each call: the timestamp moves). */
function press(digit: number, seq: number): Buffer {
  const pkt = Buffer.alloc(16);
  pkt[0] = 0x80;
  pkt[1] = 0x80 | 101;
  pkt.writeUInt16BE(seq, 2);
  pkt.writeUInt32BE(1000 + seq * 800, 4);
  pkt.writeUInt32BE(0x5eed, 8);
  pkt[12] = digit;
  pkt[13] = 0x80 | 10;
  pkt.writeUInt16BE(800, 14);
  return pkt;
}

/** An audio packet (PCMU, loud noise). */
function noise(seq: number): Buffer {
  const pkt = Buffer.alloc(12 + 160, 0x11);
  pkt[0] = 0x80;
  pkt[1] = 0;
  pkt.writeUInt16BE(seq, 2);
  pkt.writeUInt32BE(seq * 160, 4);
  pkt.writeUInt32BE(0xbad, 8);
  return pkt;
}

async function socketOn(t: ExecutionContext, address: string): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, address, () => r()));
  t.teardown(() => s.close());
  return s;
}

test('media from an address the far end did not declare is dropped and counted, before the SDP, before and after latching', async (t) => {
  const e = engine();
  t.teardown(() => e.stop());
  const A = await e.createSession();
  const B = await e.createSession();
  const atA = digits(A);
  const heard: number[] = [];
  A.on('audio', (f) => heard.push(f.length));
  const latches: Array<{ address: string; port: number }> = [];
  A.on('latched', (l) => latches.push(l));
  const attacker = await socketOn(t, '127.0.0.2');
  const sameHost = await socketOn(t, '127.0.0.1');
  const spray = (n: number) => {
    for (let i = 0; i < n; i++) attacker.send(i % 2 ? press(9, i) : noise(i), A.localPort, '127.0.0.1');
  };
  // 1. nothing declared yet: nobody is heard, not even from the address the far end will declare
  spray(10);
  sameHost.send(press(1, 1), A.localPort, '127.0.0.1');
  t.true(await waitFor(() => A.stats().droppedForeign === 11));
  // 2. declared, not latched yet (B does not send to A yet): the attacker is still refused
  A.setRemote('127.0.0.1', B.localPort);
  spray(10);
  t.true(await waitFor(() => A.stats().droppedForeign === 21));
  t.like(A.stats(), { latched: false, remoteAddress: '127.0.0.1', remotePort: B.localPort });
  // 3. the far end speaks from its declared port: A latches to it, and the attacker stays out
  B.setRemote('127.0.0.1', A.localPort);
  t.true(await waitFor(() => A.stats().latched));
  spray(10);
  await B.sendDtmf('4');
  await sleep(100);
  t.deepEqual(atA, [{ digit: '4', source: 'rfc4733' }], 'only the far end\'s key is taken');
  t.deepEqual(latches, [], 'latched to the declared address and port itself');
  t.like(A.stats(), { remoteAddress: '127.0.0.1', remotePort: B.localPort, firstForeignSource: `127.0.0.2:${(attacker.address() as { port: number }).port}` });
  t.true(A.stats().droppedForeign >= 21);
  t.true(e.stats().droppedForeign >= 21);
  t.true(heard.length > 0, 'the far end\'s audio is heard');
});

test('a trunk\'s media sources are heard and latched to; the declared address and port still win', async (t) => {
  const e = engine();
  t.teardown(() => e.stop());
  const A = await e.createSession({ mediaSources: new MediaSourceSet([parseMediaSource('127.0.0.2/32:1024-65535') as MediaSourceRule]) });
  const B = await e.createSession();
  const atA = digits(A);
  const gateway = await socketOn(t, '127.0.0.2');
  const gwPort = (gateway.address() as { port: number }).port;
  const latches: Array<{ address: string; port: number }> = [];
  A.on('latched', (l) => latches.push(l));
  // before the SDP: heard (early media from the carrier's media servers), not latched to
  gateway.send(press(7, 1), A.localPort, '127.0.0.1');
  t.true(await waitFor(() => atA.length === 1));
  t.like(A.stats(), { latched: false, remotePort: null, droppedForeign: 0 });
  // the SDP declares B; media comes from the gateway first: latched there (a port of a configured range)
  A.setRemote('127.0.0.1', B.localPort);
  gateway.send(press(8, 2), A.localPort, '127.0.0.1');
  t.true(await waitFor(() => latches.length === 1));
  t.deepEqual(latches[0], { address: '127.0.0.2', port: gwPort });
  const toGateway = new Promise<Buffer>((r) => gateway.once('message', r));
  t.truthy(await toGateway, 'symmetric RTP: A now sends to where media came from');
  // the declared pair speaks: it takes over, and the gateway is no longer heard
  B.setRemote('127.0.0.1', A.localPort);
  t.true(await waitFor(() => latches.length === 2));
  t.deepEqual(latches[1], { address: '127.0.0.1', port: B.localPort });
  const before = A.stats().droppedForeign;
  gateway.send(press(9, 3), A.localPort, '127.0.0.1');
  await sleep(100);
  t.deepEqual(atA.map((d) => d.digit), ['7', '8']);
  t.true(A.stats().droppedForeign >= before, 'dropped (by the kernel once connected, else counted)');
});

test('an asymmetric session takes any port of the declared address, never another address', async (t) => {
  const e = engine();
  t.teardown(() => e.stop());
  const C = await e.createSession({ symmetric: false });
  C.setRemote('127.0.0.1', 9);
  const atC = digits(C);
  const other = await socketOn(t, '127.0.0.2');
  const same = await socketOn(t, '127.0.0.1');
  other.send(press(9, 1), C.localPort, '127.0.0.1');
  same.send(press(3, 2), C.localPort, '127.0.0.1');
  t.true(await waitFor(() => atC.length === 1 && C.stats().droppedForeign === 1));
  await sleep(50);
  t.deepEqual(atC, [{ digit: '3', source: 'rfc4733' }]);
  t.like(C.stats(), { latched: false, remotePort: 9 });
});

test('sendDtmf rejects characters that are not keys, and resolves at once on a closed session', async (t) => {
  const e = engine();
  t.teardown(() => e.stop());
  const [A] = await pair(e);
  await t.throwsAsync(A.sendDtmf('12x'), { instanceOf: RangeError });
  A.close();
  await A.sendDtmf('1');
  t.deepEqual(await A.play(Buffer.alloc(160)), { completed: false, playedMs: 0 });
});

// The far ends of bench/bridge.ts, in a child process (on CPU 1 when pinned): trunk-side RTP far ends on a
// few shared UDP sockets, and one werift WebRTC peer per browser leg (full ICE on loopback, DTLS-SRTP).
// Every far end sends one 20 ms PCMU frame per period, each tagged with its stream and a counter, and
// checks the tags of what comes back across the bridge: a counter skipped is a frame lost.
import dgram from 'node:dgram';
import { once } from 'node:events';
import { RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, type RtpPacket, type RTCRtpTransceiver } from 'werift';

export type ToFar =
  | { type: 'init'; sockets: number }
  | { type: 'offer'; id: number }
  | { type: 'answer'; id: number; sdp: string }
  | { type: 'start'; id: number; trunkPort: number; otherPort?: number }
  | { type: 'stop'; id: number }
  | { type: 'snapshot' }
  | { type: 'exit' };

export type FromFar =
  | { type: 'ports'; ports: number[] }
  | { type: 'offer'; id: number; sdp: string }
  | { type: 'up'; id: number; ok: boolean; error?: string }
  | { type: 'snapshot'; received: number; lost: number; late: number; sent: number; cpuMicros: number; wallMs: number };

const MAGIC = 0xa5;
const FRAME = 160;
const sockets: dgram.Socket[] = [];
const peers = new Map<number, { pc: RTCPeerConnection; t: RTCRtpTransceiver | null; header: RtpHeader }>();

interface Stream {
  id: number;
  counter: number;
  seq: number;
  ts: number;
  send: (packet: Buffer, payload: Buffer, seq: number, ts: number) => void;
}
const streams = new Map<number, Stream[]>();
const seen = new Map<number, number>(); // stream id -> next counter expected
let received = 0;
let lost = 0;
let late = 0;
let sent = 0;

function check(payload: Uint8Array): void {
  if (payload.length < 9 || payload[0] !== MAGIC) return; // silence of an underrun, or a key press
  const view = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const id = view.readUInt32BE(1);
  const c = view.readUInt32BE(5);
  const next = seen.get(id);
  if (next === undefined || c >= next) {
    if (next !== undefined) lost += c - next;
    seen.set(id, c + 1);
    received++;
  } else late++;
}

function tagged(id: number, counter: number): Buffer {
  const b = Buffer.alloc(FRAME, 0xff);
  b[0] = MAGIC;
  b.writeUInt32BE(id, 1);
  b.writeUInt32BE(counter >>> 0, 5);
  return b;
}

function udpStream(id: number, socketIndex: number, port: number): Stream {
  const socket = sockets[socketIndex % sockets.length];
  return {
    id,
    counter: 0,
    seq: id & 0xffff,
    ts: 0,
    send: (packet) => socket.send(packet, port, '127.0.0.1'),
  };
}

function peerStream(id: number, peer: { t: RTCRtpTransceiver | null; header: RtpHeader }): Stream {
  const sender = (peer.t as RTCRtpTransceiver).sender;
  peer.header.ssrc = sender.ssrc;
  return {
    id,
    counter: 0,
    seq: 0,
    ts: 0,
    send: (_packet, payload, seq, ts) => {
      const h = peer.header;
      h.sequenceNumber = seq;
      h.timestamp = ts;
      void sender.dtlsTransport.sendRtp(payload, h);
    },
  };
}

function tick(): void {
  for (const list of streams.values()) {
    for (const s of list) {
      const payload = tagged(s.id, s.counter++);
      const packet = Buffer.alloc(12 + FRAME);
      packet[0] = 0x80;
      packet[1] = 0;
      packet.writeUInt16BE(s.seq, 2);
      packet.writeUInt32BE(s.ts >>> 0, 4);
      packet.writeUInt32BE(0x10000 + s.id, 8);
      payload.copy(packet, 12);
      s.send(packet, payload, s.seq, s.ts >>> 0);
      s.seq = (s.seq + 1) & 0xffff;
      s.ts = (s.ts + FRAME) >>> 0;
      sent++;
    }
  }
}

// one drift-free 20 ms loop for every stream; after a stall, up to 3 periods are caught up
let next = performance.now() + 20;
function loop(): void {
  const behind = Math.floor((performance.now() - next) / 20);
  if (behind > 3) next += (behind - 3) * 20;
  while (performance.now() >= next - 0.5) {
    tick();
    next += 20;
  }
  setTimeout(loop, Math.max(1, Math.round(next - performance.now())));
}

const reply = (m: FromFar) => process.send?.(m);

async function makePeer(id: number): Promise<string> {
  const pc = new RTCPeerConnection({
    codecs: {
      audio: [
        new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 }),
        new RTCRtpCodecParameters({ mimeType: 'audio/telephone-event', clockRate: 8000, channels: 1, payloadType: 101 }),
      ],
      video: [],
    },
    headerExtensions: { audio: [], video: [] },
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceFilterCandidatePair: (pair) => pair.localCandidate.host === '127.0.0.1' && pair.remoteCandidate.host === '127.0.0.1',
  });
  const t = pc.addTransceiver('audio', { direction: 'sendrecv' });
  pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((p: RtpPacket) => check(p.payload)));
  peers.set(id, { pc, t, header: new RtpHeader({ payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, extensions: [] }) });
  await pc.setLocalDescription(await pc.createOffer());
  while (pc.iceGatheringState !== 'complete') await new Promise((r) => setTimeout(r, 10));
  return (pc.localDescription?.sdp ?? '').split('\r\n').filter((l) => !l.startsWith('a=candidate:') || l.split(' ')[4] === '127.0.0.1').join('\r\n');
}

async function connect(id: number, sdp: string): Promise<void> {
  const peer = peers.get(id);
  if (!peer) throw new Error(`no peer ${id}`);
  await peer.pc.setRemoteDescription({ type: 'answer', sdp });
  const t0 = Date.now();
  while (peer.pc.connectionState !== 'connected') {
    if (peer.pc.connectionState === 'failed' || Date.now() - t0 > 20_000) throw new Error(`peer ${id}: ${peer.pc.connectionState}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

process.on('message', (m: ToFar) => {
  void (async () => {
    switch (m.type) {
      case 'init': {
        for (let i = 0; i < m.sockets; i++) {
          const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
          s.bind(0, '127.0.0.1');
          await once(s, 'listening');
          s.on('message', (msg) => check(msg.subarray(12)));
          sockets.push(s);
        }
        loop();
        reply({ type: 'ports', ports: sockets.map((s) => s.address().port) });
        break;
      }
      case 'offer':
        reply({ type: 'offer', id: m.id, sdp: await makePeer(m.id) });
        break;
      case 'answer':
        try {
          await connect(m.id, m.sdp);
          reply({ type: 'up', id: m.id, ok: true });
        } catch (err) {
          reply({ type: 'up', id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) });
        }
        break;
      case 'start': {
        const list = [udpStream(2 * m.id, m.id, m.trunkPort)];
        const peer = peers.get(m.id);
        if (peer) list.push(peerStream(2 * m.id + 1, peer));
        else if (m.otherPort !== undefined) list.push(udpStream(2 * m.id + 1, m.id + 1, m.otherPort));
        streams.set(m.id, list);
        break;
      }
      case 'stop': {
        streams.delete(m.id);
        const peer = peers.get(m.id);
        peers.delete(m.id);
        seen.delete(2 * m.id);
        seen.delete(2 * m.id + 1);
        if (peer) await peer.pc.close().catch(() => {});
        break;
      }
      case 'snapshot': {
        const cpu = process.cpuUsage();
        reply({ type: 'snapshot', received, lost, late, sent, cpuMicros: cpu.user + cpu.system, wallMs: performance.now() });
        break;
      }
      case 'exit':
        process.exit(0);
    }
  })();
});

// The far end for bench/media.ts, run as a child process on the other core so it does not compete
// with the sender. Two roles, driven over IPC:
// - raw sink: counts datagrams of the raw-UDP baseline (with `echo`, also returns each to its sender:
//   the baseline's receive direction);
// - reflector: returns every RTP packet to where it came from (the return direction of each call),
//   turning a run of them into an RFC 4733 key press every two seconds per call, and measures
//   loss and arrival jitter of the forward direction.
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks'; // the global is a getter, and this reads it per packet
import { literalLookup } from '../../media/rtp/port-pool.ts';
import { createRtpSocket, type RtpSocket, sendDirectTo } from '../../media/rtp/rtp-socket.ts';
import { LatencyHistogram } from '../../media/rtp/clock.ts';
import { BatchIo, loadUdpBatch } from '../../media/rtp/batch-io.ts';
import { udpBatchModule } from '../../media/rtp/worker-engine.ts';

const EVENT_PT = 101;
const PRESS_EVERY = 100; // packets between key presses per call (2 s)
const PRESS_PACKETS = 7; // 4 growing + 3 end packets: a 100 ms press

interface Flow {
  ssrc: number;
  nextSeq: number;
  received: number;
  lost: number;
  lastArrival: number;
  count: number;
  eventTs: number;
  digit: number;
}

export type ToReceiver = { type: 'raw-sink'; echo?: boolean } | { type: 'raw-stop' } | { type: 'reflect'; sockets: number } | { type: 'snapshot' } | { type: 'exit' };
export type FromReceiver =
  | { type: 'raw-sink'; port: number }
  | { type: 'raw-count'; received: number }
  | { type: 'reflect'; ports: number[]; batched: boolean }
  | { type: 'snapshot'; received: number; lost: number; pressesStarted: number; pressesCompleted: number; jitterP99Ms: number; cpuMicros: number; wallMs: number };

const flows = new Map<number, Flow>();
const jitter = new LatencyHistogram();
let received = 0;
let lost = 0;
let pressesStarted = 0;
let pressesCompleted = 0;
const sockets: dgram.Socket[] = [];

function reply(m: FromReceiver): void {
  process.send?.(m);
}

async function bind(socket: dgram.Socket): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  try {
    socket.setRecvBufferSize(4 * 1024 * 1024);
    socket.setSendBufferSize(4 * 1024 * 1024);
  } catch {
    // capped by net.core.rmem_max; the default still works at lower rates
  }
  return socket.address().port;
}

// The reflector answers through the socket's handle as the box's sessions send (rtp-socket.ts): with
// dgram's public send per packet, at 1,050-1,100 calls this process took its whole core (97-99 %) and
// dropped packets before the media worker it measures was at 92 %.
function reflect(socket: RtpSocket) {
  const d = socket.direct;
  const send = d === null ? (buf: Buffer, port: number, address: string) => void socket.send(buf, port, address) : (buf: Buffer, port: number, address: string) => void sendDirectTo(d.state, d.handle, buf, port, address);
  return (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    const now = performance.now();
    const seq = (msg[2] << 8) | msg[3];
    const ssrc = ((msg[8] << 24) | (msg[9] << 16) | (msg[10] << 8) | msg[11]) >>> 0;
    let f = flows.get(rinfo.port);
    // a port bound again by a later call (the next ladder reuses ports) is a new stream: its own SSRC
    // and sequence numbers, no losses or late packets carried over from the call before
    if (f === undefined || f.ssrc !== ssrc) {
      f = { ssrc, nextSeq: seq, received: 0, lost: 0, lastArrival: now, count: 0, eventTs: 0, digit: 0 };
      flows.set(rinfo.port, f);
    } else {
      jitter.add(Math.abs(now - f.lastArrival - 20));
    }
    f.lastArrival = now;
    const gap = (seq - f.nextSeq) & 0xffff;
    if (gap !== 0 && gap < 0x8000) {
      f.lost += gap;
      lost += gap;
    } else if (gap >= 0x8000 && f.lost > 0) {
      f.lost--; // a late one we had counted as lost
      lost--;
    }
    if (gap < 0x8000) f.nextSeq = (seq + 1) & 0xffff;
    f.received++;
    received++;
    // every PRESS_EVERY packets, the next PRESS_PACKETS go back as one key press
    const k = f.count++ % PRESS_EVERY;
    if (k < PRESS_PACKETS && f.count > PRESS_EVERY) {
      if (k === 0) {
        f.eventTs = ((msg[4] << 24) | (msg[5] << 16) | (msg[6] << 8) | msg[7]) >>> 0;
        f.digit = (f.digit + 1) % 10;
        pressesStarted++;
      }
      const end = k >= 4;
      const duration = end ? 800 : (k + 1) * 160;
      msg[1] = (k === 0 ? 0x80 : 0) | EVENT_PT;
      msg.writeUInt32BE(f.eventTs, 4);
      msg[12] = f.digit;
      msg[13] = (end ? 0x80 : 0) | 10;
      msg[14] = duration >> 8;
      msg[15] = duration & 0xff;
      if (k === PRESS_PACKETS - 1) pressesCompleted++;
      send(msg.subarray(0, 16), rinfo.port, rinfo.address);
      return;
    }
    send(msg, rinfo.port, rinfo.address);
  };
}

/**
 * The far ends read in batches, as the media workers do (batch-io.ts), polled every millisecond: read
 * one datagram at a time, this process took its core at about 3,000 calls (with the bench's main
 * thread beside it) and its late and lost echoes failed steps the media core was still carrying. The
 * network's far ends have cores of their own. BENCH_FAR_BATCH=0 (--far-batch no) reads as before.
 */
function reflectorBatch(): BatchIo | null {
  if (process.env.BENCH_FAR_BATCH === '0') return null;
  const m = udpBatchModule();
  if (m.path === null) return null;
  const batch = new BatchIo(loadUdpBatch(m.path));
  const poll = (): void => {
    // a read takes one datagram per ready socket: read again while every socket had one (with 8
    // sockets and 200 calls, one read a millisecond took 8 of the 10 that came, and the rest queued)
    for (let i = 0; i < 1024 && batch.poll() >= batch.sockets; i++);
    setTimeout(poll, 1);
  };
  setTimeout(poll, 1);
  return batch;
}

let rawCount = 0;
let rawSocket: dgram.Socket | null = null;

process.on('message', async (m: ToReceiver) => {
  switch (m.type) {
    case 'raw-sink': {
      const sink = dgram.createSocket({ type: 'udp4', lookup: literalLookup });
      rawSocket = sink;
      rawCount = 0;
      if (m.echo) {
        sink.on('message', (msg, rinfo) => {
          rawCount++;
          sink.send(msg, rinfo.port, rinfo.address);
        });
      } else {
        sink.on('message', () => {
          rawCount++;
        });
      }
      reply({ type: 'raw-sink', port: await bind(sink) });
      break;
    }
    case 'raw-stop':
      // let the socket drain what is queued before counting
      setTimeout(() => {
        reply({ type: 'raw-count', received: rawCount });
        rawSocket?.close();
        rawSocket = null;
      }, 200);
      break;
    case 'reflect': {
      const ports: number[] = [];
      const batch = reflectorBatch();
      for (let i = 0; i < m.sockets; i++) {
        const s = createRtpSocket({ type: 'udp4', lookup: literalLookup }, { batch });
        s.receive({ onDatagram: reflect(s) });
        ports.push(await bind(s));
        sockets.push(s);
      }
      reply({ type: 'reflect', ports, batched: batch !== null });
      break;
    }
    case 'snapshot': {
      const cpu = process.cpuUsage();
      reply({
        type: 'snapshot',
        received,
        lost,
        pressesStarted,
        pressesCompleted,
        jitterP99Ms: jitter.quantile(0.99),
        cpuMicros: cpu.user + cpu.system,
        wallMs: performance.now(),
      });
      jitter.reset();
      break;
    }
    case 'exit':
      for (const s of sockets) s.close();
      process.exit(0);
  }
});

process.on('disconnect', () => process.exit(0));

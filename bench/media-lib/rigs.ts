// The two ways bench/media.ts runs calls: on the main thread (MediaEngine, one clock, the send
// lateness read on every 16th call's socket), or in media worker threads as the embedded engine
// runs them (WorkerMediaEngine: one clock per worker, each worker reading its own sampled sends).
import { LatencyHistogram } from '../../media/rtp/clock.ts';
import { MediaEngine } from '../../media/rtp/media-engine.ts';
import { RtpSession } from '../../media/rtp/session.ts';
import { beforeEachSend } from '../../media/rtp/rtp-socket.ts';
import type { MediaSession } from '../../media/rtp/session-types.ts';
import { WorkerMediaEngine } from '../../media/rtp/worker-engine.ts';

export interface RigFigures {
  /** p99 of sampled packets' send lateness against their clock's deadline (worst worker). */
  p99PacketMs: number;
  p99TickMs: number;
  p99WorkMs: number;
  skippedTicks: number;
  /** Packets the calls' sessions never received (return direction), since the start. */
  lostReturn: number;
  /** RTP packets the calls' sessions sent, since the start. */
  packetsSent: number;
}

export interface Rig {
  readonly label: string;
  readonly phases: number;
  /** A call; with no far end's port, it sends nothing until setRemote(). */
  open(remotePort?: number): Promise<MediaSession>;
  resetStats(): Promise<void>;
  figures(): Promise<RigFigures>;
  stop(): Promise<void>;
  /** Media workers: whether each one's sockets use batched I/O (media/rtp/batch-io.ts). */
  batchedIo?: () => Array<boolean | null>;
  /** Media workers: each one's kernel thread id (null where unknown). */
  threadIds?: () => Array<number | null>;
}

const RANGE = { bindAddress: '127.0.0.1', rtpPortMin: 20000, rtpPortMax: 40000 };

export function mainThreadRig(phases?: number): Rig {
  const engine = new MediaEngine({ ...RANGE, clockPhases: phases });
  engine.start();
  const clock = engine.clock;
  const lateness = new LatencyHistogram();
  const sessions: RtpSession[] = [];
  const closed = { sent: 0, lost: 0 };
  return {
    label: 'main thread',
    phases: clock.phases,
    async open(remotePort) {
      const port = await engine.ports.allocate();
      if (sessions.length % 16 === 0) {
        beforeEachSend(port.socket, () => lateness.add(performance.now() - clock.deadlineMs));
      }
      const s = new RtpSession({
        socket: port.socket, localAddress: port.address, localPort: port.port, clock, payloadType: 0, telephoneEventPt: 101,
        ...(remotePort === undefined ? {} : { remoteAddress: '127.0.0.1', remotePort }), onClose: () => port.release(),
      });
      s.once('close', () => {
        const st = s.stats();
        closed.sent += st.packetsSent;
        closed.lost += st.lost;
        sessions.splice(sessions.indexOf(s), 1);
      });
      sessions.push(s);
      return s;
    },
    async resetStats() {
      clock.resetStats();
      lateness.reset();
    },
    async figures() {
      const cs = clock.stats();
      return {
        p99PacketMs: lateness.quantile(0.99), p99TickMs: cs.p99LatenessMs, p99WorkMs: cs.p99WorkMs, skippedTicks: cs.skippedTicks,
        lostReturn: sessions.reduce((a, s) => a + s.stats().lost, closed.lost),
        packetsSent: sessions.reduce((a, s) => a + s.stats().packetsSent, closed.sent),
      };
    },
    stop: () => engine.stop(),
  };
}

export function workerRig(workers: number, phases?: number, batchIo = true): Rig {
  const engine = new WorkerMediaEngine({ ...RANGE, clockPhases: phases, workers, probeSends: true, batchIo });
  engine.start();
  return {
    label: `${workers} media worker${workers > 1 ? 's' : ''}`,
    phases: phases ?? 10,
    open: (remotePort) =>
      engine.createSession({ payloadType: 0, telephoneEventPt: 101, ...(remotePort === undefined ? {} : { remoteAddress: '127.0.0.1', remotePort }) }),
    async resetStats() {
      engine.resetClockStats();
      await engine.summaries(); // the reset has been done once every worker answered after it
    },
    async figures() {
      const all = await engine.summaries();
      return {
        p99PacketMs: Math.max(...all.map((s) => s.p99SendLatenessMs ?? 0)),
        p99TickMs: Math.max(...all.map((s) => s.clock.p99LatenessMs)),
        p99WorkMs: Math.max(...all.map((s) => s.clock.p99WorkMs)),
        skippedTicks: all.reduce((a, s) => a + s.clock.skippedTicks, 0),
        lostReturn: all.reduce((a, s) => a + s.lostReceived, 0),
        packetsSent: all.reduce((a, s) => a + s.packetsSent, 0),
      };
    },
    stop: () => engine.stop(),
    batchedIo: () => engine.batchedIo(),
    threadIds: () => engine.threadIds(),
  };
}

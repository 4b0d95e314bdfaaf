// Our side of the signalling bench: N calls with at most `window` in flight, each hung up as soon as it
// is answered (INVITE/100/200/ACK/BYE/200). A slot frees when the BYE's 200 has arrived, as a call of
// sipp's -l window ends with its last message.
import fs from 'node:fs';
import type { CallEngine } from '../../core/call-port.ts';
import { silentLogger } from '../../core/log.ts';
import { EmbeddedEngine } from '../../sip/embedded/engine.ts';
import { LocalSdp } from '../../sip/embedded/sdp.ts';
import { SipStack } from '../../sip/embedded/sip-stack.ts';
import { UserAgent } from '../../sip/embedded/user-agent.ts';

export interface CallerFigures {
  calls: number;
  ok: number;
  failed: number;
  elapsedSec: number;
  setupsPerSec: number;
  /** INVITE sent to 200 received, milliseconds. */
  setupP50Ms: number;
  setupP99Ms: number;
  /** This process's CPU time per call, microseconds. */
  cpuUsPerCall: number;
  /** Datagrams the kernel dropped on our SIP socket (receive buffer full) during the run. */
  sipSocketDrops: number | null;
  /** The first few failures, for the report. */
  failures: string[];
}

/** One call placed and hung up after answer; resolves with its setup time, or a failure text. */
export type PlaceOne = () => Promise<{ setupMs: number } | { failure: string }>;

export interface Caller {
  readonly name: string;
  readonly sipPort: number;
  place: PlaceOne;
  close(): Promise<void>;
}

/** The kernel's drop counter of a UDP socket bound to 127.0.0.1:port (last column of /proc/net/udp). */
export function udpDrops(port: number): number | null {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  try {
    const line = fs.readFileSync('/proc/net/udp', 'utf8').split('\n').find((l) => l.trim().split(/\s+/)[1] === local);
    return line ? Number(line.trim().split(/\s+/).pop()) : null;
  } catch {
    return null;
  }
}

async function windowed(total: number, window: number, place: PlaceOne, port: number): Promise<CallerFigures> {
  const drops0 = udpDrops(port);
  const setups: number[] = [];
  const failures: string[] = [];
  let started = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (started < total) {
      started++;
      const r = await place();
      if ('setupMs' in r) setups.push(r.setupMs);
      else if (failures.push(r.failure) > 20) failures.length = 20;
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, total) }, worker));
  const elapsedSec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  setups.sort((a, b) => a - b);
  const pct = (p: number): number => setups.length ? Math.round(setups[Math.min(setups.length - 1, Math.floor(p * setups.length))]! * 10) / 10 : NaN;
  return {
    calls: total,
    ok: setups.length,
    failed: total - setups.length,
    elapsedSec,
    setupsPerSec: setups.length / elapsedSec,
    setupP50Ms: pct(0.5),
    setupP99Ms: pct(0.99),
    cpuUsPerCall: (cpu.user + cpu.system) / total,
    sipSocketDrops: drops0 === null ? null : (udpDrops(port) ?? drops0) - drops0,
    failures: failures.slice(0, 5),
  };
}

export function measure(caller: Caller, total: number, window: number): Promise<CallerFigures> {
  return windowed(total, window, caller.place, caller.sipPort);
}

/** The engine as production runs it: trunk guard, channel accounting, an RTP session per call. */
export async function engineCaller(target: string, rtpBase: number, rtpPorts: number): Promise<Caller> {
  const engine = new EmbeddedEngine({
    settings: {
      sip: { bindAddress: '127.0.0.1', port: 0, transports: ['udp'], userAgent: 'vba-bench', guard: { action: 'reject', maxRepliesPerSecPerSource: 1 } },
      media: { rtpPortMin: rtpBase, rtpPortMax: rtpBase + rtpPorts, ptimeMs: 20, jitterPackets: 3 },
      trunks: [],
      defaultTrunk: null,
    },
    logger: silentLogger(),
  });
  await engine.start();
  return { name: 'engine', sipPort: engine.sipPort, place: portPlacer(engine, target), close: () => engine.close() };
}

/** One call through the call port (any engine): dialled, hung up on answer, timed to the answer. */
export function portPlacer(engine: Pick<CallEngine, 'dial'>, target: string): PlaceOne {
  return async () => {
    const t0 = performance.now();
    const call = engine.dial({ to: target, from: 'bench', ringTimeoutMs: 10_000 });
    let setupMs = -1;
    const answered = await Promise.race([
      new Promise<boolean>((r) => call.once('answered', () => { setupMs = performance.now() - t0; r(true); })),
      call.done.then(() => false),
    ]);
    if (answered) await call.hangup('bench');
    const end = await call.done;
    if (!answered || end.sipCode !== 200) return { failure: `${end.outcome}/${end.sipCode ?? '-'} ${end.reason ?? ''}`.trim() };
    return { setupMs };
  };
}

/** The bare user agent: the same SIP stack and dialogs, no RTP session, no guard, no call port. */
export async function userAgentCaller(target: string): Promise<Caller> {
  const logger = silentLogger();
  const stack = new SipStack({ bindAddress: '127.0.0.1', port: 0, transports: ['udp'], userAgent: 'vba-bench', logger });
  await stack.start();
  const ua = new UserAgent({ stack, logger });
  ua.start();
  const offer = new LocalSdp({ address: '127.0.0.1', port: 40000, codecs: ['PCMU', 'PCMA'] }).offer();
  return {
    name: 'user-agent',
    sipPort: stack.port,
    async place() {
      const t0 = performance.now();
      const call = ua.invite({ uri: target, fromUser: 'bench', sdpOffer: offer, ringTimeoutMs: 10_000 });
      let setupMs = -1;
      const answered = await Promise.race([
        new Promise<boolean>((r) => call.once('answered', () => { setupMs = performance.now() - t0; r(true); })),
        call.done.then(() => false),
      ]);
      if (answered) await call.bye();
      const end = await call.done;
      if (!answered || !end.answered) return { failure: `${end.status} ${end.reason}` };
      return { setupMs };
    },
    async close() {
      await ua.stop(1000);
      await stack.stop();
    },
  };
}

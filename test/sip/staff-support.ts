// An embedded engine on loopback with staff endpoints switched on (issue 16): desk phones may
// register from `ranges` as the users of `passwords`, in realm "box.test"; a trunk on 127.0.0.1.
import type { ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Call, StaffDirectory } from '../../core/call-port.ts';
import type { Logger } from '../../core/log.ts';
import { silentLogger } from '../../core/log.ts';
import { EmbeddedEngine } from '../../sip/embedded/engine.ts';
import { rtpRange } from '../peers/ports.ts';
import { loopbackTrunk } from '../support/engine.ts';

export const REALM = 'box.test';

export function directory(passwords: Record<string, string>, ranges: string[]): StaffDirectory {
  return {
    deskPhoneHa1: (user, realm) => {
      const p = passwords[user];
      return p === undefined ? null : createHash('md5').update(`${user}:${realm}:${p}`).digest('hex');
    },
    deskPhoneRanges: () => ranges,
  };
}

export function capturingLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { out.push(String(chunk)); cb(); } });
  return { logger: pino({ level: 'info' }, stream), lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

export async function staffEngine(t: ExecutionContext, o: {
  passwords?: Record<string, string>; ranges?: string[]; logger?: Logger; trunkPort?: number; incomingAnswerTimeoutMs?: number;
} = {}): Promise<EmbeddedEngine> {
  const rtp = rtpRange(22);
  const trunks = [loopbackTrunk(o.trunkPort ?? 5999)];
  const engine = new EmbeddedEngine({
    settings: {
      sip: { bindAddress: '127.0.0.1', port: 0, transports: ['udp'], userAgent: 'vba-test', guard: { action: 'reject', maxRepliesPerSecPerSource: 5 } },
      media: { rtpPortMin: rtp.min, rtpPortMax: rtp.max, ptimeMs: 20, jitterPackets: 3 },
      trunks,
      defaultTrunk: 'sipp',
    },
    logger: o.logger ?? silentLogger(),
    staff: { directory: directory(o.passwords ?? { alice: 'secret' }, o.ranges ?? ['127.0.0.3/32']), realm: REALM },
    incomingAnswerTimeoutMs: o.incomingAnswerTimeoutMs,
  });
  await engine.start();
  t.teardown(() => engine.close());
  return engine;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await sleep(50);
  }
  return check();
}

/** Resolves once the call is answered; rejects when it ends first or after `ms`. */
export function answered(call: Call, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (call.state === 'answered') return resolve();
    const timer = setTimeout(() => reject(new Error('not answered in time')), ms);
    call.once('answered', () => { clearTimeout(timer); resolve(); });
    void call.done.then((e) => { clearTimeout(timer); reject(new Error(`ended: ${e.outcome} ${e.sipCode}`)); });
  });
}

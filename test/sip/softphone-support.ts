// A browser softphone's signalling at the embedded engine (issue 16), for the tests that play sip.js's
// part: an engine with the staff side on, behind the box's HTTP port, and the admin's logged-in SIP
// WebSocket to it. The WebRTC leg is a stand-in (the real one, DTLS-SRTP, is media/webrtc's and is
// tested there; the Chromium tests in test/web-ui run the whole path).
import type { ExecutionContext } from 'ava';
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { silentLogger } from '../../core/log.ts';
import type { WebRtcLegPort } from '../../sip/embedded/browser-call.ts';
import { EmbeddedEngine } from '../../sip/embedded/engine.ts';
import { sipPackage, type SipMessage } from '../../sip/embedded/sip-types.ts';
import { login, printedPassword, startBox } from '../http/helpers.ts';
import { rtpRange } from '../peers/ports.ts';
import { directory } from './staff-support.ts';

/** What every stand-in leg does the same way; each test says how its leg offers, accepts or answers. */
export abstract class StandInLegBase extends EventEmitter implements WebRtcLegPort {
  readonly codec = 'pcmu' as const;
  closed = false;
  private resolveConnected!: () => void;
  readonly connected = new Promise<void>((r) => { this.resolveConnected = r; });
  abstract offer(): Promise<string>;
  abstract accept(answerSdp: string): Promise<void>;
  async play(): Promise<{ completed: boolean; playedMs: number }> { return { completed: true, playedMs: 0 }; }
  stopPlayback(): void {}
  async sendDtmf(): Promise<void> {}
  get isClosed(): boolean { return this.closed; }
  setRelay(): void {}
  close(): void { this.closed = true; }
  /** ICE and DTLS are up (the stand-in says when). */
  protected markConnected(): void { this.resolveConnected(); }
}

export interface Softphone<L> {
  engine: EmbeddedEngine;
  /** The stand-in legs the engine made, in order. */
  legs: L[];
  /** The next message from the box that `match` accepts (taken out of what has arrived, or waited for). */
  next<M extends SipMessage>(match: (m: SipMessage) => boolean): Promise<M>;
  /** A SIP message to the box, as the browser sends it. */
  send(text: string): void;
}

/** The engine and box started, the admin logged in, and the admin's SIP WebSocket open. */
export async function softphone<L extends WebRtcLegPort>(t: ExecutionContext, makeLeg: () => L): Promise<Softphone<L>> {
  const legs: L[] = [];
  const rtp = rtpRange(10);
  const engine = new EmbeddedEngine({
    settings: {
      sip: { bindAddress: '127.0.0.1', port: 0, transports: ['udp'], userAgent: 'vba-test', guard: { action: 'reject', maxRepliesPerSecPerSource: 5 } },
      media: { rtpPortMin: rtp.min, rtpPortMax: rtp.max, ptimeMs: 20, jitterPackets: 3 },
      trunks: [], defaultTrunk: null,
    },
    logger: silentLogger(),
    staff: { directory: directory({}, []), realm: 'box.test' },
    webrtc: () => { const l = makeLeg(); legs.push(l); return l; },
  });
  await engine.start();
  t.teardown(() => engine.close());
  const box = await startBox({ engine, mayTakeCalls: () => true });
  t.teardown(() => box.close());
  const admin = await login(box, 'admin', printedPassword(box));
  const ws = new WebSocket(`ws://127.0.0.1:${box.svc.port}/api/sip`, 'sip', { headers: { cookie: admin.cookie } });
  await new Promise((r) => ws.once('open', r));
  t.teardown(() => ws.close());
  const inbox: SipMessage[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (d) => {
    const m = sipPackage.parse(String(d));
    if (m) { inbox.push(m); for (const w of waiters.splice(0)) w(); }
  });
  const next = async <M extends SipMessage>(match: (m: SipMessage) => boolean): Promise<M> => {
    for (;;) {
      const i = inbox.findIndex(match);
      if (i >= 0) return inbox.splice(i, 1)[0] as M;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return { engine, legs, next, send: (text) => ws.send(text) };
}

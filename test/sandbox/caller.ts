// A caller for sandbox tests: our own embedded UAC (sip/embedded) with an RTP session from media/rtp,
// so the sandbox is exercised over real SIP and RTP on loopback.
import { silentLogger } from '../../core/log.ts';
import { MediaEngine } from '../../media/rtp/media-engine.ts';
import type { RtpSession } from '../../media/rtp/session.ts';
import { buildOffer, parseRemoteSdp } from '../../sip/embedded/sdp.ts';
import { SipStack } from '../../sip/embedded/sip-stack.ts';
import { UserAgent } from '../../sip/embedded/user-agent.ts';
import type { OutgoingCall, Termination } from '../../sip/embedded/outgoing-call.ts';
import { freeUdpRange } from '../peers/ports.ts';

export interface CallerLeg {
  call: OutgoingCall;
  session: RtpSession;
  /** Resolves on the final response: the status (200 when answered). */
  final: Promise<number>;
  done: Promise<Termination>;
  dtmf: Array<{ digit: string; source: string; at: number }>;
  answeredAt: number | null;
  /** Receive times of audio frames at speech level (RMS above 400). */
  speechAt: number[];
}

export class Caller {
  private stack: SipStack | null = null;
  private ua: UserAgent | null = null;
  private media: MediaEngine | null = null;

  async start(transport: 'udp' | 'tcp' = 'udp', rtpPorts = 40): Promise<void> {
    const base = await freeUdpRange(rtpPorts);
    this.stack = new SipStack({ bindAddress: '127.0.0.1', port: 0, transports: [transport], userAgent: 'test-caller', logger: silentLogger() });
    await this.stack.start();
    this.ua = new UserAgent({ stack: this.stack, logger: silentLogger() });
    this.ua.start();
    this.media = new MediaEngine({ bindAddress: '127.0.0.1', rtpPortMin: base, rtpPortMax: base + rtpPorts - 1 });
    this.media.start();
  }

  async dial(sandboxPort: number, user: string, opts: { ringTimeoutMs?: number; transport?: 'udp' | 'tcp'; telephoneEvent?: boolean; inbandDtmf?: boolean } = {}): Promise<CallerLeg> {
    const session = await this.media!.createSession({ payloadType: 0, telephoneEventPt: opts.telephoneEvent === false ? null : 101, inbandDtmf: opts.inbandDtmf ?? false });
    let offer = buildOffer({ address: '127.0.0.1', port: session.localPort, codecs: ['PCMU'] });
    if (opts.telephoneEvent === false) offer = offer.replace(/ 101\r\n/, '\r\n').replace(/a=rtpmap:101.*\r\na=fmtp:101.*\r\n/, '');
    const tp = opts.transport === 'tcp' ? ';transport=tcp' : '';
    const call = this.ua!.invite({ uri: `sip:${user}@127.0.0.1:${sandboxPort}${tp}`, fromUser: 'box', sdpOffer: offer, ringTimeoutMs: opts.ringTimeoutMs ?? 30_000 });
    const leg: CallerLeg = { call, session, final: Promise.resolve(0), done: call.done, dtmf: [], answeredAt: null, speechAt: [] };
    session.on('audio', (pcm) => {
      let e = 0;
      for (const v of pcm) e += v * v;
      if (e / pcm.length > 400 * 400) leg.speechAt.push(performance.now());
    });
    session.on('dtmf', (d) => leg.dtmf.push({ ...d, at: performance.now() }));
    leg.final = new Promise<number>((resolve) => {
      call.once('answered', ({ sdp }) => {
        leg.answeredAt = performance.now();
        const r = parseRemoteSdp(sdp, ['PCMU', 'PCMA']);
        session.setRemote(r.address, r.port);
        resolve(200);
      });
      call.once('failed', (f) => resolve(f.status));
    });
    void call.done.then(() => session.close());
    return leg;
  }

  async stop(): Promise<void> {
    await this.ua?.stop(1000);
    await this.stack?.stop();
    await this.media?.stop();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

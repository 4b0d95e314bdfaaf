// Ringing a browser softphone (issue 16): an INVITE over its WebSocket (ws-transport.ts) whose SDP
// offer comes from a WebRTC leg (ICE, DTLS-SRTP: media/webrtc, given to the engine as a factory).
// The call answers once the browser's 200 OK is acknowledged and the leg is connected; then it plays,
// collects, records and bridges through the leg. A ring timeout or hang-up before the answer CANCELs.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Bridge, Call, CallEnded, CallEvents, PlayResult, PromptRef, RecordOptions, RecordResult, StaffDialRequest } from '../../core/call-port.ts';
import type { Logger } from '../../core/log.ts';
import { encodeG711, type G711Law } from '../../media/dsp/g711.ts';
import type { PromptCache } from '../../media/rtp/prompt-cache.ts';
import { CallKeys, type CollectOptions } from '../shared/call-keys.ts';
import { CallLife, inviteFailureEnd, type CallEnd } from '../shared/call-life.ts';
import { playWithKeys, recordLeg } from '../shared/leg-media.ts';
import type { StaffBinding } from '../shared/staff-registry.ts';
import { bridgeCalls, type Bridgeable, type BridgeLeg } from './bridge.ts';
import { sdpOfMessage } from './incoming-dialog.ts';
import { randomToken } from './net-util.ts';
import { headerText, q850FromReason, tagOf, type SipHeaders, type SipRequest, type SipResponse } from './sip-types.ts';
import type { StaffSocket } from './ws-transport.ts';
import { dtmfFromInfo } from '../shared/dtmf-info.ts';

/** What the engine needs of a WebRTC leg (media/webrtc's WebRtcLeg fits). */
export interface WebRtcLegPort {
  offer(): Promise<string>;
  accept(answerSdp: string): Promise<void>;
  readonly connected: Promise<void>;
  readonly codec: G711Law;
  on(event: 'audio', fn: (pcm: Int16Array) => void): unknown;
  on(event: 'dtmf', fn: (e: { digit: string; source: 'rfc4733' }) => void): unknown;
  on(event: 'close', fn: (e: { reason: string }) => void): unknown;
  off(event: 'audio', fn: (pcm: Int16Array) => void): unknown;
  play(encoded: Buffer, opts?: { signal?: AbortSignal }): Promise<{ completed: boolean; playedMs: number }>;
  stopPlayback(): void;
  sendDtmf(digits: string): Promise<void>;
  close(): void;
}

export interface BrowserCallDeps {
  socket: StaffSocket;
  binding: StaffBinding;
  leg: WebRtcLegPort;
  prompts: Pick<PromptCache, 'forPrompt'>;
  logger: Logger;
}

const MAX_QUEUED_FRAMES = 6;
const PROTECTED = new Set(['via', 'call-id', 'cseq', 'from', 'to', 'contact', 'content-length', 'content-type', 'route']);

export class BrowserCall extends EventEmitter<CallEvents> implements Bridgeable {
  readonly id = randomUUID();
  readonly done: Promise<CallEnded>;
  private st: Call['state'] = 'dialling';
  private readonly d: BrowserCallDeps;
  private readonly req: StaffDialRequest;
  private readonly log: Logger;
  private readonly life: CallLife;
  private readonly keys = new CallKeys((digit, source) => this.emit('dtmf', { digit, source }));
  private readonly callId = `b${randomToken(12)}`;
  private readonly fromTag = randomToken(6);
  private invite: SipRequest | null = null;
  private branch = '';
  private remoteTag: string | undefined;
  private cseq = 1;
  private ringTimer: NodeJS.Timeout | null = null;
  private hangupRequested = false;
  private finalStatus: number | null = null;
  private readonly releases: Array<() => void> = [];

  constructor(d: BrowserCallDeps, req: StaffDialRequest) {
    super();
    this.d = d;
    this.req = req;
    this.log = d.logger.child({ call: this.id, browser: true, ...(req.tag ? { tag: req.tag } : {}) });
    this.life = new CallLife(this.log, this);
    this.done = this.life.done;
    d.leg.on('dtmf', (e) => { if (this.st === 'answered') this.keys.receive(e.digit, e.source, 'rfc4733'); });
    d.leg.on('close', (e) => { if (this.st === 'answered') this.byeAndEnd({ outcome: 'human', sipCode: 200, q850: null, endedBy: 'error', reason: `WebRTC leg closed (${e.reason})` }); });
    this.releases.push(d.socket.whenGone(() => this.end({ outcome: this.st === 'answered' ? 'human' : 'no-answer', sipCode: this.finalStatus, q850: null, endedBy: 'remote', reason: 'softphone disconnected' })));
    setImmediate(() => { this.setup().catch((e: unknown) => this.end({ outcome: 'trunk-failure', sipCode: null, q850: null, endedBy: 'error', reason: (e as Error).message })); });
  }

  get state(): Call['state'] { return this.st; }

  async play(prompt: PromptRef, opts: { bargeIn?: boolean; signal?: AbortSignal } = {}): Promise<PlayResult> {
    if (this.st !== 'answered' || opts.signal?.aborted) return { completed: false, playedMs: 0 };
    const leg = this.d.leg;
    const bytes = await this.d.prompts.forPrompt(prompt, leg.codec);
    if (this.st !== 'answered' || opts.signal?.aborted) return { completed: false, playedMs: 0 };
    return playWithKeys(this.keys, opts, (signal) => leg.play(bytes, { signal }));
  }

  collect(opts: CollectOptions): Promise<string> {
    return this.keys.collect(opts, this);
  }

  async record(opts: RecordOptions): Promise<RecordResult> {
    if (this.st !== 'answered') return { ms: 0, endedBy: 'hangup', spoke: false };
    return recordLeg(this.d.leg, this.keys, this.done, opts);
  }

  mediaLeg(): BridgeLeg | null {
    if (this.st !== 'answered') return null;
    const leg = this.d.leg;
    let queued = 0;
    return {
      onAudio: (fn) => { leg.on('audio', fn); return () => { leg.off('audio', fn); }; },
      sendAudio: (pcm) => {
        if (queued >= MAX_QUEUED_FRAMES) return;
        queued++;
        void leg.play(encodeG711(leg.codec, pcm)).finally(() => { queued--; });
      },
      sendDigit: (digit) => { void leg.sendDtmf(digit); },
      stopPrompts: () => leg.stopPlayback(),
    };
  }

  bridge(other: Call): Bridge {
    return bridgeCalls(this, other);
  }

  async hangup(reason = 'hangup'): Promise<void> {
    if (this.st === 'ended') return;
    this.hangupRequested = true;
    if (this.st === 'answered') this.byeAndEnd({ outcome: 'human', sipCode: 200, q850: 16, endedBy: 'local', reason });
    else this.cancel();
    await this.done;
  }

  forceEnd(reason: string): void {
    if (this.st === 'answered') this.sendInDialog('BYE');
    else this.cancel();
    this.end({ outcome: this.st === 'answered' ? 'human' : 'interrupted', sipCode: this.finalStatus, q850: null, endedBy: 'local', reason });
  }

  private async setup(): Promise<void> {
    const b = this.d.binding;
    const offer = await this.d.leg.offer();
    if (this.hangupRequested || this.st === 'ended') return this.end({ outcome: 'no-answer', sipCode: null, q850: null, endedBy: 'local', reason: 'hung up before ringing' });
    const headers: SipHeaders = {
      to: { uri: `sip:${b.user}@box.invalid`, params: {} },
      from: { name: `"${this.req.display.replace(/["\\\r\n]/g, '')}"`, uri: 'sip:box@box.invalid', params: { tag: this.fromTag } },
      'call-id': this.callId,
      cseq: { seq: this.cseq, method: 'INVITE' },
      contact: [{ uri: 'sip:box@box.invalid;transport=ws', params: {} }],
      'max-forwards': '70',
      'content-type': 'application/sdp',
    };
    for (const [k, v] of Object.entries(this.req.headers ?? {})) {
      if (!PROTECTED.has(k.toLowerCase()) && /^[A-Za-z0-9-]+$/.test(k) && !/[\r\n]/.test(v)) headers[k.toLowerCase()] = v;
    }
    const rq: SipRequest = { method: 'INVITE', uri: b.contact, headers, content: offer };
    this.invite = rq;
    this.releases.push(this.d.socket.adopt(this.callId, (r) => this.onRequest(r)));
    this.life.inviteSent();
    this.branch = this.d.socket.send(rq, (rs) => this.onResponse(rs));
    this.ringTimer = setTimeout(() => { this.log.debug('ring timeout: cancelling'); this.cancel(); }, this.req.ringTimeoutMs ?? 30_000);
    if (this.hangupRequested) this.cancel();
  }

  private onResponse(rs: SipResponse): void {
    if (this.st === 'ended') {
      if (rs.status >= 200 && rs.status < 300) { this.remoteTag = tagOf(rs.headers.to); this.ack(); this.sendInDialog('BYE'); }
      return;
    }
    if (rs.status < 200) {
      if (rs.status === 180 || rs.status === 183) {
        this.life.progressed();
        this.life.ringing();
        if (this.st === 'dialling') { this.st = 'ringing'; this.emit('progress', { kind: 'ringing', sipCode: rs.status }); }
      }
      return;
    }
    this.clearRing();
    this.finalStatus = rs.status;
    if (rs.status >= 300) {
      this.end(inviteFailureEnd({ status: rs.status, reason: rs.reason, q850: q850FromReason(rs.headers), local: false }, { rang: this.life.rang, hangupRequested: this.hangupRequested }));
      return;
    }
    this.remoteTag = tagOf(rs.headers.to);
    this.ack();
    if (this.hangupRequested) { this.byeAndEnd({ outcome: 'no-answer', sipCode: 487, q850: null, endedBy: 'local', reason: 'answer crossed the hang-up' }); return; }
    void this.connect(sdpOfMessage(rs));
  }

  private async connect(answer: string | undefined): Promise<void> {
    try {
      if (!answer) throw new Error('200 OK without SDP');
      await this.d.leg.accept(answer);
      await this.d.leg.connected;
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'browser media did not connect: hanging up');
      this.byeAndEnd({ outcome: 'trunk-failure', sipCode: 488, q850: 65, endedBy: 'error', reason: `media: ${(e as Error).message}` });
      return;
    }
    if (this.st === 'ended') return;
    this.life.answered();
    this.st = 'answered';
    this.log.info({ codec: this.d.leg.codec }, 'browser softphone answered');
    this.emit('answered');
  }

  private onRequest(rq: SipRequest): void {
    const s = this.d.socket;
    switch (rq.method) {
      case 'ACK':
        return;
      case 'BYE':
        s.respond(rq, 200, 'OK');
        this.end({ outcome: this.st === 'answered' ? 'human' : 'no-answer', sipCode: this.finalStatus, q850: q850FromReason(rq.headers) ?? 16, endedBy: 'remote', reason: 'softphone hung up' });
        return;
      case 'INFO': {
        s.respond(rq, 200, 'OK');
        const digit = dtmfFromInfo(headerText(rq.headers, 'content-type'), rq.content);
        if (digit && this.st === 'answered') this.keys.receive(digit, 'info', 'auto');
        return;
      }
      default:
        s.respond(rq, rq.method === 'INVITE' || rq.method === 'UPDATE' ? 488 : 405, rq.method === 'INVITE' || rq.method === 'UPDATE' ? 'Not Acceptable Here' : 'Method Not Allowed');
    }
  }

  private cancel(): void {
    const inv = this.invite;
    if (!inv || this.finalStatus !== null || this.st === 'ended') {
      if (!inv && this.st !== 'ended') this.end({ outcome: 'no-answer', sipCode: null, q850: null, endedBy: 'local', reason: 'hung up before ringing' });
      return;
    }
    this.clearRing();
    const rq: SipRequest = {
      method: 'CANCEL', uri: inv.uri,
      headers: { to: inv.headers.to, from: inv.headers.from, 'call-id': this.callId, cseq: { seq: inv.headers.cseq!.seq, method: 'CANCEL' }, 'max-forwards': '70' },
    };
    this.d.socket.send(rq, () => {}, this.branch);
  }

  private ack(): void {
    const inv = this.invite!;
    this.d.socket.send({
      method: 'ACK', uri: this.d.binding.contact,
      headers: { to: { ...inv.headers.to!, params: { tag: this.remoteTag } }, from: inv.headers.from, 'call-id': this.callId, cseq: { seq: inv.headers.cseq!.seq, method: 'ACK' }, 'max-forwards': '70' },
    });
  }

  private sendInDialog(method: string): void {
    const inv = this.invite;
    if (!inv) return;
    this.cseq++;
    this.d.socket.send({
      method, uri: this.d.binding.contact,
      headers: { to: { ...inv.headers.to!, params: { tag: this.remoteTag } }, from: inv.headers.from, 'call-id': this.callId, cseq: { seq: this.cseq, method }, 'max-forwards': '70' },
    }, () => {});
  }

  private byeAndEnd(e: CallEnd): void {
    this.sendInDialog('BYE');
    this.end(e);
  }

  private clearRing(): void {
    if (this.ringTimer) clearTimeout(this.ringTimer);
    this.ringTimer = null;
  }

  private end(e: CallEnd): void {
    this.life.end(e, () => {
      this.st = 'ended';
      this.clearRing();
      this.d.leg.close();
      // A late BYE retransmission still finds the dialog for a moment.
      const releases = this.releases.splice(0);
      setTimeout(() => { for (const r of releases) r(); }, 5000).unref();
    });
  }
}

// The user agent: places outgoing calls and routes every request the stack lets through to the
// dialog it belongs to. A new INVITE or REGISTER goes to the inbound handlers the engine installs
// (calls from trunks, staff registrations: issue 16); without them, or when they decline, it is refused.
import { EventEmitter } from 'node:events';
import type { Logger } from '../../core/log.ts';
import { RefusalLog } from '../shared/refusal-log.ts';
import { OutgoingCall, type InviteOptions } from './outgoing-call.ts';
import type { SipStack } from './sip-stack.ts';
import { tagOf, type RemoteInfo, type SipRequest } from './sip-types.ts';

export type { InviteOptions } from './outgoing-call.ts';

export interface UserAgentOptions {
  stack: SipStack;
  logger: Logger;
  /** Where refused requests are logged (once per source and interval); default one of its own. */
  refusals?: RefusalLog;
}

export interface RefusedRequest {
  method: string;
  source: string;
  status: number;
}

export interface UserAgentEvents {
  /** A request that would have started something (an inbound call, a registration) was refused. */
  refused: [RefusedRequest];
}

/** A dialog the user agent routes requests to besides its own outgoing calls (e.g. a call coming in). */
export interface RoutedDialog {
  matches(rq: SipRequest): boolean;
  handleRequest(rq: SipRequest, remote: RemoteInfo): void;
}

export interface InboundHandlers {
  /** A new INVITE (no To tag); true when it was taken (answered or refused by the handler). */
  invite?: (rq: SipRequest, remote: RemoteInfo) => boolean;
  /** A REGISTER; true when it was taken. */
  register?: (rq: SipRequest, remote: RemoteInfo) => boolean;
}

export interface UserAgentStats {
  activeCalls: number;
  refusedInvites: number;
  refusedOther: number;
}

const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE';

export class UserAgent extends EventEmitter<UserAgentEvents> {
  private readonly stack: SipStack;
  private readonly log: Logger;
  private readonly refusals: RefusalLog;
  private readonly calls = new Map<string, OutgoingCall>();
  private readonly dialogs = new Map<string, RoutedDialog>();
  private inbound: InboundHandlers = {};
  private refusedInvites = 0;
  private refusedOther = 0;
  private readonly onRequest = (rq: SipRequest, remote: RemoteInfo): void => this.route(rq, remote);
  private started = false;

  constructor(opts: UserAgentOptions) {
    super();
    this.stack = opts.stack;
    this.log = opts.logger;
    this.refusals = opts.refusals ?? new RefusalLog({ logger: opts.logger });
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stack.on('request', this.onRequest);
  }

  /** Hang up every call (bounded wait), then stop listening. */
  async stop(timeoutMs = 3000): Promise<void> {
    const pending = [...this.calls.values()].map((c) => c.bye().catch(() => {}));
    await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    for (const c of [...this.calls.values()]) c.abandon();
    this.calls.clear();
    this.dialogs.clear();
    this.stack.off('request', this.onRequest);
    this.started = false;
  }

  /** Handlers for requests that start something (the engine's staff and inbound parts). */
  setInbound(h: InboundHandlers): void {
    this.inbound = h;
  }

  /** Route in-dialog requests with this Call-ID to `d` until the returned function is called. */
  adopt(callId: string, d: RoutedDialog): () => void {
    this.dialogs.set(callId, d);
    return () => { if (this.dialogs.get(callId) === d) this.dialogs.delete(callId); };
  }

  invite(opts: InviteOptions): OutgoingCall {
    const call = new OutgoingCall(this.stack, opts, this.log);
    this.calls.set(call.callId, call);
    call.once('terminated', () => this.calls.delete(call.callId));
    call.start();
    return call;
  }

  activeCalls(): number {
    return this.calls.size;
  }

  stats(): UserAgentStats {
    return { activeCalls: this.calls.size, refusedInvites: this.refusedInvites, refusedOther: this.refusedOther };
  }

  private route(rq: SipRequest, remote: RemoteInfo): void {
    const call = this.calls.get(rq.headers['call-id'] ?? '');
    if (call?.matches(rq)) {
      call.handleRequest(rq);
      return;
    }
    const routed = this.dialogs.get(rq.headers['call-id'] ?? '');
    if (routed?.matches(rq)) {
      routed.handleRequest(rq, remote);
      return;
    }
    if (rq.method === 'ACK') return;
    if (tagOf(rq.headers.to)) {
      this.stack.reply(rq, 481, 'Call/Transaction Does Not Exist');
      return;
    }
    switch (rq.method) {
      case 'OPTIONS':
        // Trunks ping us too; answering keeps them from marking us down.
        this.stack.reply(rq, 200, 'OK', { headers: { allow: ALLOW, accept: 'application/sdp' } });
        return;
      case 'CANCEL':
        this.stack.reply(rq, 481, 'Call/Transaction Does Not Exist');
        return;
      case 'NOTIFY':
        this.stack.reply(rq, 200, 'OK');
        return;
      case 'INVITE':
        if (this.inbound.invite?.(rq, remote)) return;
        this.refuse(rq, remote, 403, 'Forbidden (outbound only)', 'outbound-only');
        return;
      default:
        if (rq.method === 'REGISTER' && this.inbound.register?.(rq, remote)) return;
        if (rq.method === 'REGISTER') this.refuse(rq, remote, 403, 'Forbidden', 'registration-refused');
        else this.refuse(rq, remote, 405, 'Method Not Allowed', 'method-not-allowed');
    }
  }

  /** Refuse a request that starts something (counted, logged once per source and interval). */
  refuse(rq: SipRequest, remote: RemoteInfo, status: number, text: string, reason: string): void {
    if (rq.method === 'INVITE') this.refusedInvites++;
    else this.refusedOther++;
    this.stack.reply(rq, status, text, status === 405 ? { headers: { allow: ALLOW } } : {});
    // A trunk's address can be spoofed too: logged once per source and interval, the rest counted.
    this.refusals.note(remote.address, { method: rq.method, reason, status });
    this.emit('refused', { method: rq.method, source: remote.address, status });
  }
}

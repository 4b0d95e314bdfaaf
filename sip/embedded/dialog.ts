// A dialog as the caller (UAC) sees it (RFC 3261 §12): identity, route set, remote target and
// CSeq spaces, and the in-dialog requests built from them (ACK, BYE, ...).
import type { NameAddr, RouteEntry, SipHeaders, SipRequest, SipResponse } from './sip-types.ts';
import { parseUri, tagOf } from './sip-types.ts';

export interface DialogState {
  callId: string;
  local: NameAddr;
  remote: NameAddr;
  remoteTarget: string;
  /** Route set in the order requests carry it (reverse of Record-Route in the response). */
  routeSet: RouteEntry[];
  localCseq: number;
  contact: NameAddr;
}

function copyRoute(r: RouteEntry): RouteEntry {
  const uri = typeof r.uri === 'string' ? r.uri : { ...r.uri, params: { ...r.uri.params }, headers: { ...r.uri.headers } };
  return { name: r.name, uri, params: { ...r.params } };
}

export class Dialog {
  readonly callId: string;
  readonly local: NameAddr;
  readonly remote: NameAddr;
  remoteTarget: string;
  readonly routeSet: RouteEntry[];
  private localCseq: number;
  private remoteCseq: number | null = null;
  private readonly contact: NameAddr;

  constructor(s: DialogState) {
    this.callId = s.callId;
    this.local = s.local;
    this.remote = s.remote;
    this.remoteTarget = s.remoteTarget;
    this.routeSet = s.routeSet;
    this.localCseq = s.localCseq;
    this.contact = s.contact;
  }

  /** Build the dialog from our INVITE and the response (2xx or 1xx with a To tag) that creates it. */
  static fromResponse(invite: SipRequest, rs: SipResponse): Dialog {
    const h = invite.headers;
    const contact = Array.isArray(rs.headers.contact) ? rs.headers.contact[0] : undefined;
    const to = rs.headers.to ?? h.to!;
    return new Dialog({
      callId: h['call-id']!,
      local: { name: h.from!.name, uri: h.from!.uri, params: { tag: tagOf(h.from) } },
      remote: { name: to.name, uri: to.uri, params: { tag: tagOf(to) } },
      // Without a Contact (a broken peer) the Request-URI is the best target we have.
      remoteTarget: contact && parseUri(contact.uri) ? contact.uri : String(invite.uri),
      routeSet: [...(rs.headers['record-route'] ?? [])].reverse().map(copyRoute),
      localCseq: h.cseq!.seq,
      contact: (Array.isArray(h.contact) ? h.contact[0] : undefined) ?? { uri: String(invite.uri), params: {} },
    });
  }

  get localTag(): string | undefined { return tagOf(this.local); }
  get remoteTag(): string | undefined { return tagOf(this.remote); }

  /** Does an incoming request belong to this dialog (Call-ID, our tag in To, theirs in From)? */
  matches(rq: SipRequest): boolean {
    return rq.headers['call-id'] === this.callId && tagOf(rq.headers.to) === this.localTag && tagOf(rq.headers.from) === this.remoteTag;
  }

  /** Check and record the far end's CSeq; false when it went backwards (answer 500). */
  acceptRemoteCseq(rq: SipRequest): boolean {
    const seq = rq.headers.cseq?.seq;
    if (seq === undefined) return false;
    if (this.remoteCseq !== null && seq <= this.remoteCseq) return false;
    this.remoteCseq = seq;
    return true;
  }

  /** A re-INVITE or UPDATE may move the far end: take its new Contact as the remote target. */
  refreshTarget(rq: SipRequest): void {
    const c = Array.isArray(rq.headers.contact) ? rq.headers.contact[0] : undefined;
    if (c && parseUri(c.uri)) this.remoteTarget = c.uri;
  }

  /** A new in-dialog request (next CSeq). */
  request(method: string, extra: { headers?: SipHeaders; content?: string } = {}): SipRequest {
    this.localCseq++;
    return this.build(method, this.localCseq, extra);
  }

  /** The ACK for a 2xx to the INVITE with this CSeq (RFC 3261 §13.2.2.4). */
  ack(inviteCseq: number, extra: { headers?: SipHeaders; content?: string } = {}): SipRequest {
    return this.build('ACK', inviteCseq, extra);
  }

  private build(method: string, seq: number, extra: { headers?: SipHeaders; content?: string }): SipRequest {
    const headers: SipHeaders = {
      to: { ...this.remote, params: { ...this.remote.params } },
      from: { ...this.local, params: { ...this.local.params } },
      'call-id': this.callId,
      cseq: { seq, method },
      'max-forwards': '70',
      ...(this.routeSet.length ? { route: this.routeSet.map(copyRoute) } : {}),
      ...(method !== 'ACK' && method !== 'BYE' ? { contact: [{ ...this.contact, params: { ...this.contact.params } }] } : {}),
      ...extra.headers,
    };
    const rq: SipRequest = { method, uri: this.remoteTarget, headers };
    if (extra.content) rq.content = extra.content;
    return rq;
  }
}

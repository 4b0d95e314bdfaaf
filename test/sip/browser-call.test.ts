// Ringing a browser softphone over its SIP WebSocket (issue 16): the socket is real (the box's HTTP
// port, a logged-in user) and the test plays sip.js's part of the signalling; the WebRTC media leg is a
// stand-in that records what the engine asks of it (the real one, DTLS-SRTP, is media/webrtc's and
// is tested there). What is checked: the INVITE carries the leg's offer, the caller's name and the
// contact card; 180/200/ACK; the answer reaches the leg; BYE either way; CANCEL at ring timeout.
import test, { type ExecutionContext } from 'ava';
import type { Call } from '../../core/call-port.ts';
import { sipPackage, type SipRequest } from '../../sip/embedded/sip-types.ts';
import { softphone, StandInLegBase } from './softphone-support.ts';

class StandInLeg extends StandInLegBase {
  accepted: string | null = null;
  async offer(): Promise<string> { return 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0 101\r\na=setup:actpass\r\n'; }
  async accept(sdp: string): Promise<void> { this.accepted = sdp; this.markConnected(); }
}

async function setup(t: ExecutionContext) {
  const { engine, legs, next: nextMessage, send } = await softphone(t, () => new StandInLeg());
  const next = (method: string): Promise<SipRequest> => nextMessage<SipRequest>((m) => 'method' in m && m.method === method);
  const reply = (rq: SipRequest, status: number, reason: string, extra: { content?: string; toTag?: string } = {}): void => {
    const rs = sipPackage.makeResponse(rq, status, reason, extra.content ? { headers: { 'content-type': 'application/sdp' }, content: extra.content } : {});
    if (extra.toTag) rs.headers.to = { ...rs.headers.to!, params: { ...rs.headers.to!.params, tag: extra.toTag } };
    send(sipPackage.stringify(rs));
  };
  // sip.js registers the softphone first.
  send(['REGISTER sip:box.invalid SIP/2.0', 'Via: SIP/2.0/WSS c.invalid;branch=z9hG4bKr1', 'Max-Forwards: 70', 'To: <sip:admin@box.invalid>',
    'From: <sip:admin@box.invalid>;tag=r1', 'Call-ID: r1', 'CSeq: 1 REGISTER', 'Contact: <sip:ph@c.invalid;transport=ws>;expires=600', 'Content-Length: 0', '', ''].join('\r\n'));
  await nextMessage((m) => 'status' in m && m.headers.cseq?.method === 'REGISTER');
  t.is(engine.staffEndpoints().length, 1);
  return { engine, legs, next, reply, send };
}

function answered(call: Call): Promise<void> {
  return new Promise((resolve, reject) => {
    call.once('answered', () => resolve());
    void call.done.then((e) => reject(new Error(`ended: ${e.outcome} ${e.sipCode}`)));
  });
}

const ANSWER_SDP = 'v=0\r\no=- 2 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=setup:active\r\n';

test('the softphone is rung with the leg\'s offer, answers, and hangs up with BYE', async (t) => {
  const { engine, legs, next, reply, send } = await setup(t);
  const call = engine.dialStaff({ user: 'admin', display: 'Jane Doe', headers: { 'X-Contact-Card': 'Jane Doe; campaign Spring' } });
  const invite = await next('INVITE');
  t.regex(String(invite.content), /UDP\/TLS\/RTP\/SAVPF/);
  t.is(invite.headers.from?.name, '"Jane Doe"');
  t.is(invite.headers['x-contact-card'], 'Jane Doe; campaign Spring');
  const up = answered(call);
  reply(invite, 180, 'Ringing', { toTag: 'b1' });
  reply(invite, 200, 'OK', { toTag: 'b1', content: ANSWER_SDP });
  const ack = await next('ACK');
  t.is(ack.headers.to?.params.tag, 'b1');
  await up;
  t.is(legs[0]!.accepted, ANSWER_SDP);
  t.true(engine.staffEndpoints()[0]!.busy);
  send(['BYE sip:box@box.invalid;transport=ws SIP/2.0', 'Via: SIP/2.0/WSS c.invalid;branch=z9hG4bKbye1', 'Max-Forwards: 70',
    `To: ${invite.headers.from!.name} <${invite.headers.from!.uri}>;tag=${invite.headers.from!.params.tag}`, 'From: <sip:admin@box.invalid>;tag=b1',
    `Call-ID: ${invite.headers['call-id']}`, 'CSeq: 1 BYE', 'Content-Length: 0', '', ''].join('\r\n'));
  const ended = await call.done;
  t.like(ended, { outcome: 'human', endedBy: 'remote' });
  t.true(legs[0]!.closed);
  t.false(engine.staffEndpoints()[0]!.busy);
});

test('unanswered at the ring timeout, the softphone gets CANCEL on the INVITE\'s branch', async (t) => {
  const { engine, next, reply } = await setup(t);
  const call = engine.dialStaff({ user: 'admin', display: 'Jane Doe', ringTimeoutMs: 800 });
  const invite = await next('INVITE');
  reply(invite, 180, 'Ringing', { toTag: 'b2' });
  const cancel = await next('CANCEL');
  t.is(cancel.headers.via?.[0]?.params.branch, invite.headers.via?.[0]?.params.branch);
  reply(cancel, 200, 'OK');
  reply(invite, 487, 'Request Terminated', { toTag: 'b2' });
  t.like(await call.done, { outcome: 'no-answer', sipCode: 487 });
});

test('a softphone that declines ends the staff call as declined; the box hanging up an answered call sends BYE', async (t) => {
  const { engine, next, reply } = await setup(t);
  const declined = engine.dialStaff({ user: 'admin', display: 'Jane Doe' });
  const inv1 = await next('INVITE');
  reply(inv1, 180, 'Ringing', { toTag: 'b3' });
  reply(inv1, 603, 'Decline', { toTag: 'b3' });
  t.like(await declined.done, { outcome: 'declined', sipCode: 603 });

  const call = engine.dialStaff({ user: 'admin', display: 'Jane Doe' });
  const inv2 = await next('INVITE');
  const up = answered(call);
  reply(inv2, 200, 'OK', { toTag: 'b4', content: ANSWER_SDP });
  await up;
  const hung = call.hangup('done');
  const bye = await next('BYE');
  t.is(bye.headers.to?.params.tag, 'b4');
  reply(bye, 200, 'OK');
  await hung;
  t.like(await call.done, { outcome: 'human', endedBy: 'local' });
});

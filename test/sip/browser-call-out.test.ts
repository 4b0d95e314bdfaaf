// A browser softphone calling out through the box (issue 16), at the engine: the socket is real (the box's
// HTTP port, a logged-in user) and the test plays sip.js's part; the WebRTC leg is a stand-in that records
// the offer it is asked to answer (the real one is media/webrtc's; the Chromium test
// test/web-ui/softphone-call-out.test.ts runs the whole path). What is checked: an INVITE From another
// user than the session's is refused; the softphone's own is handed to the domain as a 'staff-call' of kind
// browser; a refusal reaches the browser with the domain's reason phrase; an answer is the leg's answer SDP
// in a 200 OK; BYE from the box is in the browser's dialog; a CANCEL while it rings ends it (487).
import test, { type ExecutionContext } from 'ava';
import type { StaffCallOut } from '../../core/call-port.ts';
import { tagOf, type SipRequest, type SipResponse } from '../../sip/embedded/sip-types.ts';
import { softphone, StandInLegBase } from './softphone-support.ts';

const OFFER = 'v=0\r\no=- 7 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0 101\r\na=setup:actpass\r\n';
const ANSWER = 'v=0\r\no=- 8 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0 101\r\na=setup:passive\r\n';

class StandInLeg extends StandInLegBase {
  offered: string | null = null;
  async offer(): Promise<string> { throw new Error('a call out is answered, not offered'); }
  async accept(): Promise<void> { throw new Error('a call out is answered, not offered'); }
  async answer(sdp: string): Promise<string> { this.offered = sdp; setTimeout(() => this.markConnected(), 50); return ANSWER; }
}

async function setup(t: ExecutionContext) {
  const { engine, legs, next, send: sendText } = await softphone(t, () => new StandInLeg());
  const calls: StaffCallOut[] = [];
  engine.on('staff-call', (c) => calls.push(c));
  const response = (status: number, method = 'INVITE') => next<SipResponse>((m) => 'status' in m && m.status === status && m.headers.cseq?.method === method);
  const request = (method: string) => next<SipRequest>((m) => 'method' in m && m.method === method);
  const send = (lines: string[], body = ''): void => sendText([...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'));
  const invite = (from: string, callId: string): void => send([
    'INVITE sip:06%2012%2034%2056%2078@box.invalid SIP/2.0', `Via: SIP/2.0/WSS c.invalid;branch=z9hG4bK${callId}`, 'Max-Forwards: 70',
    'To: <sip:06%2012%2034%2056%2078@box.invalid>', `From: "Me" <sip:${from}@box.invalid>;tag=f${callId}`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE',
    'Contact: <sip:ph@c.invalid;transport=ws>', 'Content-Type: application/sdp',
  ], OFFER);
  return { engine, legs, calls, response, request, send, invite };
}

test('an INVITE From another user than the logged-in one is refused, and nothing reaches the domain', async (t) => {
  const { calls, response, invite } = await setup(t);
  invite('agent', 'c1');
  const rs = await response(403);
  t.is(rs.reason, 'Forbidden (not the logged-in user)');
  t.deepEqual(calls, []);
});

test('the softphone\'s own INVITE is handed to the domain as a browser staff call; its refusal reaches the browser with the reason phrase', async (t) => {
  const { calls, response, invite, legs } = await setup(t);
  invite('admin', 'c2');
  await response(100);
  const c = await until(() => calls[0]);
  t.like(c, { user: 'admin', kind: 'browser', dialled: '06 12 34 56 78' });
  await c.call.reject(403, 'Forbidden (staff calls out are off)');
  const rs = await response(403);
  t.is(rs.reason, 'Forbidden (staff calls out are off)');
  t.like(await c.call.done, { sipCode: 403, endedBy: 'local' });
  t.is(legs.length, 0, 'no media leg for a refused call');
});

test('answered, the browser gets the leg\'s answer to its offer in a 200 OK; the box hangs up with BYE in the browser\'s dialog', async (t) => {
  const { calls, response, request, invite, send, legs } = await setup(t);
  invite('admin', 'c3');
  const c = await until(() => calls[0]);
  await c.call.answer();
  t.is(c.call.state, 'answered');
  t.is(legs[0]!.offered, OFFER);
  const ok = await response(200);
  t.is(ok.content, ANSWER);
  const tag = tagOf(ok.headers.to);
  t.truthy(tag);
  send(['ACK sip:box@box.invalid;transport=ws SIP/2.0', 'Via: SIP/2.0/WSS c.invalid;branch=z9hG4bKa3', 'Max-Forwards: 70',
    `To: <sip:06%2012%2034%2056%2078@box.invalid>;tag=${tag}`, 'From: "Me" <sip:admin@box.invalid>;tag=fc3', 'Call-ID: c3', 'CSeq: 1 ACK']);
  await c.call.hangup('test');
  const bye = await request('BYE');
  t.is(typeof bye.uri === 'string' ? bye.uri : '', 'sip:ph@c.invalid;transport=ws');
  t.is(bye.headers['call-id'], 'c3');
  t.is(tagOf(bye.headers.from), tag);
  t.is(tagOf(bye.headers.to), 'fc3');
  t.true(legs[0]!.closed);
});

test('a CANCEL while the far end rings ends the staff call (487) and the INVITE is answered 487', async (t) => {
  const { calls, response, invite, send } = await setup(t);
  invite('admin', 'c4');
  const c = await until(() => calls[0]);
  send(['CANCEL sip:06%2012%2034%2056%2078@box.invalid SIP/2.0', 'Via: SIP/2.0/WSS c.invalid;branch=z9hG4bKc4', 'Max-Forwards: 70',
    'To: <sip:06%2012%2034%2056%2078@box.invalid>', 'From: "Me" <sip:admin@box.invalid>;tag=fc4', 'Call-ID: c4', 'CSeq: 1 CANCEL']);
  await response(200, 'CANCEL');
  await response(487);
  t.like(await c.call.done, { outcome: 'no-answer', sipCode: 487, endedBy: 'remote' });
});

async function until<T>(get: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

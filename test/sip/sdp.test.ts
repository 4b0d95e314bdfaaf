// SDP: our offer, reading answers and offers, answering holds, refusing unusable SDP.
import test from 'ava';
import { isAppError } from '../../core/errors.ts';
import { answerDirection, buildOffer, LocalSdp, parseRemoteSdp } from '../../sip/embedded/sdp.ts';
import { dtmfFromInfo } from '../../sip/shared/dtmf-info.ts';

const answer = (lines: string[]) => ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 't=0 0', ...lines].join('\r\n') + '\r\n';

test('our offer: codecs in the trunk order, telephone-event 0-15, ptime 20, sendrecv', (t) => {
  const sdp = buildOffer({ address: '192.0.2.5', port: 40002, codecs: ['PCMA', 'PCMU'], sessionId: '42' });
  t.is(sdp, [
    'v=0', 'o=- 42 1 IN IP4 192.0.2.5', 's=-', 'c=IN IP4 192.0.2.5', 't=0 0', 'm=audio 40002 RTP/AVP 8 0 101',
    'a=rtpmap:8 PCMA/8000', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15', 'a=ptime:20', 'a=sendrecv', '',
  ].join('\r\n'));
});

test('an answer: address, port, first common codec, their telephone-event type', (t) => {
  const m = parseRemoteSdp(answer(['c=IN IP4 198.51.100.7', 'm=audio 31000 RTP/AVP 8 96', 'a=rtpmap:96 telephone-event/8000', 'a=ptime:20']), ['PCMU', 'PCMA']);
  t.deepEqual(m, {
    address: '198.51.100.7', port: 31000, codec: 'PCMA', payloadType: 8, telephoneEventPt: 96, direction: 'sendrecv',
    hold: false, ptime: 20, offeredPts: [8, 96],
  });
});

test('media-level c= wins over the session one; no telephone-event gives null', (t) => {
  const m = parseRemoteSdp(answer(['c=IN IP4 10.0.0.1', 'm=audio 4000 RTP/AVP 0', 'c=IN IP4 10.0.0.2']), ['PCMU']);
  t.is(m.address, '10.0.0.2');
  t.is(m.telephoneEventPt, null);
});

test('hold is detected from sendonly, inactive or c=0.0.0.0, and answered recvonly/inactive', (t) => {
  const sendonly = parseRemoteSdp(answer(['c=IN IP4 10.0.0.1', 'm=audio 4000 RTP/AVP 0', 'a=sendonly']), ['PCMU']);
  const nulled = parseRemoteSdp(answer(['c=IN IP4 0.0.0.0', 'm=audio 4000 RTP/AVP 0']), ['PCMU']);
  const inactive = parseRemoteSdp(answer(['c=IN IP4 10.0.0.1', 'a=inactive', 'm=audio 4000 RTP/AVP 0']), ['PCMU']);
  t.true(sendonly.hold && nulled.hold && inactive.hold);
  t.is(answerDirection(sendonly), 'recvonly');
  t.is(answerDirection(nulled), 'recvonly');
  t.is(answerDirection(inactive), 'inactive');
  t.is(answerDirection({ direction: 'recvonly', address: '10.0.0.1' }), 'sendonly');
});

test('answering a re-offer keeps our port and codec, bumps the version only when the body changes', (t) => {
  const local = new LocalSdp({ address: '192.0.2.5', port: 40002, codecs: ['PCMU', 'PCMA'], sessionId: '7' });
  local.offer();
  const reoffer = answer(['c=IN IP4 10.0.0.1', 'm=audio 5000 RTP/AVP 8 0 101', 'a=rtpmap:101 telephone-event/8000', 'a=sendonly']);
  const held = local.answer(reoffer, 'PCMU');
  t.is(held.remote.codec, 'PCMU', 'the current codec is kept while still offered');
  t.regex(held.sdp, /^o=- 7 2 IN IP4/m);
  t.regex(held.sdp, /^m=audio 40002 RTP\/AVP 0 101$/m);
  t.regex(held.sdp, /^a=recvonly$/m);
  const again = local.answer(reoffer, 'PCMU');
  t.regex(again.sdp, /^o=- 7 2 IN IP4/m, 'same answer, same version');
});

test('unusable SDP is a clear E_SDP error', (t) => {
  const cases = [
    answer(['c=IN IP4 10.0.0.1', 'm=audio 4000 RTP/AVP 18', 'a=rtpmap:18 G729/8000']),
    answer(['c=IN IP4 10.0.0.1', 'm=video 4000 RTP/AVP 96']),
    answer(['c=IN IP4 10.0.0.1', 'm=audio 0 RTP/AVP 0']),
    answer(['m=audio 4000 RTP/AVP 0']),
    'garbage',
  ];
  for (const c of cases) {
    const e = t.throws(() => parseRemoteSdp(c, ['PCMU', 'PCMA']));
    t.true(isAppError(e) && e.code === 'E_SDP', String(e?.message));
  }
  t.throws(() => parseRemoteSdp(cases[0]!, ['PCMU']), { message: /No common codec/ });
});

test('SIP INFO DTMF bodies', (t) => {
  t.is(dtmfFromInfo('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n'), '5');
  t.is(dtmfFromInfo('application/dtmf-relay; charset=x', 'signal= #\r\n'), '#');
  t.is(dtmfFromInfo('application/dtmf-relay', 'Signal=11\r\n'), '#');
  t.is(dtmfFromInfo('application/dtmf', '9'), '9');
  t.is(dtmfFromInfo('text/plain', '9'), null);
  t.is(dtmfFromInfo('application/dtmf-relay', 'Signal=X'), null);
});

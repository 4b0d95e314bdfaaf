// The drachtio engine's small pure parts: reading drachtio-server's address list, FreeSWITCH's sofia
// status, Reason headers, the trunk's codec order applied to FreeSWITCH's offer, and WAV headers of
// a recording still being written.
import test from 'ava';
import { profileAddress } from '../../media/freeswitch/esl-probe.ts';
import { wavDataOffset } from '../../media/freeswitch/audio-tap.ts';
import { wavHeader } from '../../media/prompts/pcm.ts';
import { orderAudioCodecs } from '../../media/freeswitch/sdp-order.ts';
import { pickHostport } from '../../sip/drachtio/links.ts';
import { q850FromReasonText } from '../../sip/drachtio/srf.ts';

test('our Contact address is drachtio-server\'s UDP one', (t) => {
  t.is(pickHostport('tcp/127.0.0.1:25377,udp/127.0.0.1:25377'), '127.0.0.1:25377');
  t.is(pickHostport('tcp/10.0.0.2:5060'), '10.0.0.2:5060');
  t.is(pickHostport(undefined), null);
});

test('the fsmrf profile\'s address is read from sofia status only when it runs', (t) => {
  const status = [
    '                     Name\t   Type\t                                      Data\tState',
    '=================================================================================================',
    '            drachtio_mrf\tprofile\t           sip:mod_sofia@127.0.0.1:5080\tRUNNING (0)',
    '           127.0.0.1\talias\t                                drachtio_mrf\tALIASED',
  ].join('\n');
  t.is(profileAddress(status, 'drachtio_mrf'), '127.0.0.1:5080');
  t.is(profileAddress(status.replace('RUNNING', 'DOWN'), 'drachtio_mrf'), null);
  t.is(profileAddress(status, 'other'), null);
});

test('Q.850 cause from a Reason header, ignoring SIP causes', (t) => {
  t.is(q850FromReasonText('Q.850;cause=17;text="User busy"'), 17);
  t.is(q850FromReasonText('SIP;cause=200;text="Call completed elsewhere", Q.850 ; cause=31'), 31);
  t.is(q850FromReasonText('SIP;cause=486'), null);
  t.is(q850FromReasonText(undefined), null);
});

test('FreeSWITCH\'s offer reordered for an A-law-first trunk; codecs the trunk lacks are left out', (t) => {
  const offer = ['v=0', 'o=FS 1 1 IN IP4 127.0.0.1', 's=FS', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 16384 RTP/AVP 0 8 101',
    'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', ''].join('\r\n');
  const both = orderAudioCodecs(offer, ['PCMA', 'PCMU']);
  t.regex(both, /m=audio 16384 RTP\/AVP 8 0 101\r\n/);
  const alaw = orderAudioCodecs(offer, ['PCMA']);
  t.regex(alaw, /m=audio 16384 RTP\/AVP 8 101\r\n/);
  t.false(alaw.includes('PCMU/8000'));
  t.true(alaw.includes('telephone-event/8000'));
  t.is(orderAudioCodecs(offer, []), offer);
});

test('PCM starts after the data chunk, whatever chunks come before it; raw files have no header', (t) => {
  const h = wavHeader(0);
  t.is(wavDataOffset(h), 44);
  t.is(wavDataOffset(h.subarray(0, 30)), null);
  const list = Buffer.alloc(8 + 10);
  list.write('LIST', 0, 'latin1');
  list.writeUInt32LE(10, 4);
  const withList = Buffer.concat([h.subarray(0, 36), list, h.subarray(36)]);
  t.is(wavDataOffset(withList), 44 + 18);
  t.is(wavDataOffset(Buffer.alloc(64, 1)), 0);
});

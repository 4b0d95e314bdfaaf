import test from 'ava';
import { buildRtpPacket, emptyRtpHeader, looksLikeRtcp, parseRtp, parseRtpInto, writeRtpHeader } from '../../../media/rtp/rtp-packet.ts';

test('a header written then parsed gives the same fields, including 32-bit values above 2^31', (t) => {
  const payload = Buffer.alloc(160, 0xff);
  const pkt = buildRtpPacket({ marker: true, payloadType: 8, sequence: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef }, payload);
  t.is(pkt.length, 172);
  t.is(pkt[0], 0x80);
  t.is(pkt[1], 0x88);
  const h = parseRtp(pkt);
  t.like(h, { marker: true, payloadType: 8, sequence: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, payloadOffset: 12, payloadLength: 160 });
});

test('CSRCs, a header extension and padding are skipped to find the payload', (t) => {
  const buf = Buffer.alloc(12 + 8 + 8 + 4 + 3);
  writeRtpHeader(buf, { marker: false, payloadType: 0, sequence: 7, timestamp: 160, ssrc: 1 });
  buf[0] |= 0x20 | 0x10 | 2; // padding, extension, two CSRCs
  buf.writeUInt16BE(0xbede, 20); // extension profile
  buf.writeUInt16BE(1, 22); // one 32-bit word of extension
  buf.write('abcd', 28, 'latin1'); // payload
  buf[buf.length - 1] = 3; // three bytes of padding
  const h = emptyRtpHeader();
  t.true(parseRtpInto(buf, h));
  t.is(h.payloadOffset, 28);
  t.is(h.payloadLength, 4);
  t.is(buf.subarray(h.payloadOffset, h.payloadOffset + h.payloadLength).toString('latin1'), 'abcd');
});

test('malformed datagrams are rejected without throwing', (t) => {
  t.is(parseRtp(Buffer.alloc(11)), null);
  t.is(parseRtp(Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])), null, 'version 1');
  const ext = Buffer.alloc(14);
  ext[0] = 0x90; // extension announced but cut short
  t.is(parseRtp(ext), null);
  const csrc = Buffer.alloc(12);
  csrc[0] = 0x8f; // 15 CSRCs in a 12-byte packet
  t.is(parseRtp(csrc), null);
  const pad = Buffer.alloc(13);
  pad[0] = 0xa0;
  pad[12] = 200; // more padding than packet
  t.is(parseRtp(pad), null);
  t.true(looksLikeRtcp(Buffer.from([0x80, 200, 0, 6])));
  t.false(looksLikeRtcp(Buffer.from([0x80, 0, 0, 6])));
});

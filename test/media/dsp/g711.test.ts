import test from 'ava';
import { execFileSync } from 'node:child_process';
import {
  alawDecode,
  alawDecodeSample,
  alawEncode,
  alawEncodeSample,
  decodeG711Into,
  SILENCE_BYTE,
  ulawDecode,
  ulawDecodeSample,
  ulawEncode,
  ulawEncodeSample,
} from '../../../media/dsp/g711.ts';
import { requireTool } from '../../support/tools.ts';

function allSamples(): Int16Array {
  const pcm = new Int16Array(65536);
  for (let i = 0; i < 65536; i++) pcm[i] = i - 32768;
  return pcm;
}

test('mu-law known values', (t) => {
  t.is(ulawEncodeSample(0), 0xff);
  t.is(ulawEncodeSample(-1), 0x7f);
  t.is(ulawEncodeSample(32767), 0x80);
  t.is(ulawEncodeSample(-32768), 0x00);
  t.is(ulawDecodeSample(0xff), 0);
  t.is(ulawDecodeSample(0x7f), 0);
  t.is(ulawDecodeSample(0x80), 32124);
  t.is(ulawDecodeSample(0x00), -32124);
  t.is(ulawDecodeSample(0xef), 132);
});

test('A-law known values', (t) => {
  t.is(alawEncodeSample(0), 0xd5);
  t.is(alawEncodeSample(-1), 0x55);
  t.is(alawEncodeSample(32767), 0xaa);
  t.is(alawEncodeSample(-32768), 0x2a);
  t.is(alawDecodeSample(0xd5), 8);
  t.is(alawDecodeSample(0x55), -8);
  t.is(alawDecodeSample(0xaa), 32256);
  t.is(alawDecodeSample(0x2a), -32256);
  t.is(SILENCE_BYTE.pcma, alawEncodeSample(0));
  t.is(SILENCE_BYTE.pcmu, ulawEncodeSample(0));
});

test('every byte survives decode then encode (mu-law negative zero folds to positive zero)', (t) => {
  for (let b = 0; b < 256; b++) {
    t.is(ulawEncodeSample(ulawDecodeSample(b)), b === 0x7f ? 0xff : b, `mu-law byte ${b}`);
    t.is(alawEncodeSample(alawDecodeSample(b)), b, `A-law byte ${b}`);
  }
});

test('encoding is monotonic and the quantisation error stays within one step', (t) => {
  const pcm = allSamples();
  for (const [enc, dec] of [
    [ulawEncode, ulawDecode],
    [alawEncode, alawDecode],
  ] as const) {
    const back = dec(enc(pcm));
    let prev = -Infinity;
    for (let i = 0; i < pcm.length; i++) {
      t.true(back[i] >= prev || back[i] === prev, 'monotonic');
      prev = back[i];
      const err = Math.abs(back[i] - pcm[i]);
      // the largest G.711 step is 1024 (mu-law top segment), plus clipping at the extremes
      if (err > 1100) t.fail(`sample ${pcm[i]} decoded to ${back[i]}`);
    }
  }
  t.pass();
});

test('buffer codecs match the per-sample functions and decodeG711Into writes in place', (t) => {
  const pcm = Int16Array.from([0, 1, -1, 1000, -1000, 32767, -32768, 12345]);
  const u = ulawEncode(pcm);
  const a = alawEncode(pcm);
  t.deepEqual([...u], [...pcm].map(ulawEncodeSample));
  t.deepEqual([...a], [...pcm].map(alawEncodeSample));
  t.deepEqual([...ulawDecode(u)], [...u].map(ulawDecodeSample));
  const out = new Int16Array(pcm.length + 2);
  decodeG711Into('pcma', a, out, 2);
  t.deepEqual([...out.subarray(2)], [...a].map(alawDecodeSample));
});

test('decoding is bit-exact with sox; encoding agrees within one code at segment edges', (t) => {
  const sox = requireTool('sox', 'sox');
  const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const pcm = allSamples();
  for (const [law, dec, enc] of [
    ['u-law', ulawDecode, ulawEncode],
    ['a-law', alawDecode, alawEncode],
  ] as const) {
    const out = execFileSync(sox, ['-t', 'raw', '-r', '8000', '-e', law, '-b', '8', '-c', '1', '-', '-t', 'raw', '-e', 'signed', '-b', '16', '-L', '-'], {
      input: bytes,
    });
    t.deepEqual([...new Int16Array(out.buffer, out.byteOffset, 256)], [...dec(bytes)], `${law} decode`);
    // sox rounds to the nearest 13/14-bit value before companding where G.711 truncates: allow one code.
    const theirs = execFileSync(sox, ['-t', 'raw', '-r', '8000', '-e', 'signed', '-b', '16', '-c', '1', '-L', '-', '-D', '-t', 'raw', '-e', law, '-'], {
      input: Buffer.from(pcm.buffer),
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const ours = enc(pcm);
    let differ = 0;
    for (let i = 0; i < pcm.length; i++) {
      if (theirs[i] === ours[i]) continue;
      differ++;
      if (Math.abs(dec(Buffer.from([theirs[i]]))[0] - dec(Buffer.from([ours[i]]))[0]) > 1024) t.fail(`${law} sample ${pcm[i]}`);
    }
    t.true(differ < pcm.length / 50, `${law}: ${differ} samples differ`);
  }
});

import test from 'ava';
import { execFileSync } from 'node:child_process';
import { DTMF_DIGITS, dtmfTone, InbandDtmfDetector } from '../../../media/dsp/goertzel-dtmf.ts';
import { requireTool } from '../../support/tools.ts';

// Seeded noise so failures reproduce.
function noise(n: number, amplitude: number, seed = 12345): Int16Array {
  let a = seed >>> 0;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = Math.round((u * 2 - 1) * amplitude);
  }
  return out;
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function mix(a: Int16Array, b: Int16Array): Int16Array {
  const out = new Int16Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Math.max(-32768, Math.min(32767, a[i] + (b[i % b.length] ?? 0)));
  return out;
}

const silence = (ms: number) => new Int16Array(ms * 8);

/** Feeds audio in 20 ms frames, like the RTP session does. */
function detect(pcm: Int16Array, det = new InbandDtmfDetector()): string {
  let digits = '';
  for (let o = 0; o < pcm.length; o += 160) digits += det.push(pcm.subarray(o, o + 160)).join('');
  return digits;
}

test('every key, 100 ms on and 100 ms off, is detected once and in order', (t) => {
  const parts: Int16Array[] = [silence(50)];
  for (const d of DTMF_DIGITS) parts.push(dtmfTone(d, 100), silence(100));
  t.is(detect(concat(parts)), DTMF_DIGITS);
});

test('digits in white noise (about 12 dB SNR per tone) are still detected exactly', (t) => {
  const digits = '159*#0D';
  const parts: Int16Array[] = [silence(30)];
  for (const d of digits) parts.push(dtmfTone(d, 80, 3000), silence(70));
  const clean = concat(parts);
  t.is(detect(mix(clean, noise(clean.length, 1300))), digits);
});

test('a key held for two seconds gives one digit; a 40 ms gap separates two presses', (t) => {
  t.is(detect(concat([dtmfTone('7', 2000), silence(200)])), '7');
  t.is(detect(concat([dtmfTone('3', 60), silence(40), dtmfTone('3', 60), silence(40)])), '33');
});

test('tones too short (20 ms), too weak or with excessive twist are rejected', (t) => {
  t.is(detect(concat([dtmfTone('5', 20), silence(100), dtmfTone('5', 20), silence(100)])), '');
  t.is(detect(concat([dtmfTone('5', 200, 150), silence(100)])), '');
  // 12 dB reverse twist: high group much stronger than the low group
  const row = dtmfTone('1', 200, 1000);
  const skewed = new Int16Array(row.length);
  for (let i = 0; i < row.length; i++) skewed[i] = Math.round(500 * Math.sin((2 * Math.PI * 697 * i) / 8000) + 2000 * Math.sin((2 * Math.PI * 1209 * i) / 8000));
  t.is(detect(skewed), '');
});

test('a sweeping chirp, noise and two-tone chords off the DTMF grid give no digits', (t) => {
  const n = 8000 * 5;
  const chirp = new Int16Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    phase += (2 * Math.PI * (300 + (3000 * i) / n)) / 8000;
    chirp[i] = Math.round(8000 * Math.sin(phase));
  }
  t.is(detect(chirp), '');
  t.is(detect(noise(n, 10000, 7)), '');
  const chord = new Int16Array(8000);
  for (let i = 0; i < chord.length; i++) chord[i] = Math.round(5000 * (Math.sin((2 * Math.PI * 600 * i) / 8000) + Math.sin((2 * Math.PI * 1100 * i) / 8000)));
  t.is(detect(chord), '');
});

test('speech from espeak-ng gives no false digits', (t) => {
  const espeak = requireTool('espeak-ng', 'espeak-ng');
  const sox = requireTool('sox', 'sox');
  const text =
    'Hello, this is a reminder from your local office. Your appointment is tomorrow at nine thirty in the morning. ' +
    'Press one to confirm, two to hear this message again, or nine to stop receiving these calls. Thank you and goodbye.';
  const voices = ['en', 'en-us', 'fr', 'de'];
  const chunks: Buffer[] = [];
  for (const v of voices) {
    for (const pitch of ['30', '70']) {
      const raw = execFileSync(espeak, ['-v', v, '-p', pitch, '--stdout', text], { maxBuffer: 64 << 20 });
      chunks.push(execFileSync(sox, ['-t', 'wav', '-', '-t', 'raw', '-r', '8000', '-e', 'signed', '-b', '16', '-c', '1', '-L', '-'], { input: raw, maxBuffer: 64 << 20, stdio: ['pipe', 'pipe', 'ignore'] }));
    }
  }
  const wav = Buffer.concat(chunks);
  const pcm = new Int16Array(wav.buffer, wav.byteOffset, wav.length >> 1);
  t.true(pcm.length > 8000 * 30, 'at least 30 s of speech');
  t.is(detect(pcm), '');
});

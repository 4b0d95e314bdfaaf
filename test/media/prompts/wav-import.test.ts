// PCM WAV without ffmpeg: the files are made here with ffmpeg (a real peer), then PATH is emptied for this
// test process, so every import below runs with no audio tool at all. The results are measured again with
// ffmpeg's own EBU R128 meter (by absolute path), and what needs a tool is refused naming its package.
import test from 'ava';
import { httpStatus } from '../../../appliance/http/error-status.ts';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isAppError, type ErrorCode } from '../../../core/errors.ts';
import { importRecording } from '../../../media/prompts/import.ts';
import { integratedLoudness } from '../../../media/prompts/loudness.ts';
import { readWavS16 } from '../../../media/prompts/pcm.ts';
import { resample } from '../../../media/prompts/resample.ts';
import { detectTools } from '../../../media/prompts/tools.ts';
import { LOUDNESS_TARGET } from '../../../media/prompts/transcode.ts';
import { synthesize } from '../../../media/prompts/tts.ts';

const run = promisify(execFile);
const FFMPEG = '/usr/bin/ffmpeg';
const work = mkdtempSync(join(tmpdir(), 'vba-wav-'));
const emptyBin = join(work, 'empty-bin');
test.after.always(() => rmSync(work, { recursive: true, force: true }));

let speech = '';
const made: Record<string, string> = {};

async function ff(name: string, args: string[]): Promise<string> {
  const out = join(work, name);
  await run(FFMPEG, ['-v', 'error', '-y', '-i', speech, ...args, out]);
  return out;
}

test.before(async () => {
  speech = join(work, 'speech.wav');
  await run('espeak-ng', ['-v', 'en-us', '-w', speech, 'Hello, this is a message from your pharmacy. Your order is ready.']);
  // Lead and tail silence, far too quiet: what a phone app exports.
  const pad = ['-af', 'adelay=700,apad=pad_dur=0.6,volume=-20dB'];
  made.u8Mono11k = await ff('u8-mono-11025.wav', [...pad, '-ar', '11025', '-ac', '1', '-c:a', 'pcm_u8']);
  made.s16Stereo44k = await ff('s16-stereo-44100.wav', [...pad, '-ar', '44100', '-ac', '2', '-c:a', 'pcm_s16le']);
  made.s24Mono48k = await ff('s24-mono-48000.wav', [...pad, '-ar', '48000', '-ac', '1', '-c:a', 'pcm_s24le']);
  made.f32Stereo22k = await ff('f32-stereo-22050.wav', [...pad, '-ar', '22050', '-ac', '2', '-c:a', 'pcm_f32le']);
  made.s16Mono8k = await ff('s16-mono-8000.wav', [...pad, '-ar', '8000', '-ac', '1', '-c:a', 'pcm_s16le']);
  // Loud and peaky, so the limiter has to hold the peaks under the ceiling.
  made.hot = await ff('hot.wav', ['-af', 'volume=+12dB,alimiter=limit=0.99', '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le']);
  made.mp3 = await ff('message.mp3', ['-c:a', 'libmp3lame', '-b:a', '64k']);
  made.adpcm = await ff('adpcm.wav', ['-ar', '8000', '-ac', '1', '-c:a', 'adpcm_ms']);
  made.hiRate = await ff('96k.wav', ['-ar', '96000', '-ac', '1', '-c:a', 'pcm_s16le']);
  // Left and right in opposite phase: the mono mix-down is silence.
  await run(FFMPEG, ['-v', 'error', '-y', '-i', speech, '-filter_complex', '[0:a]asplit[a][b];[b]volume=-1[n];[a][n]join=inputs=2:channel_layout=stereo', '-ar', '44100', '-c:a', 'pcm_s16le', join(work, 'antiphase.wav')]);
  made.antiphase = join(work, 'antiphase.wav');
  const full = readFileSync(made.s16Stereo44k);
  made.cut = join(work, 'cut.wav');
  writeFileSync(made.cut, full.subarray(0, Math.floor(full.length / 2)));
  made.text = join(work, 'notes.wav');
  writeFileSync(made.text, 'Call list for Monday\nMrs Smith 0612345678\n'.repeat(50));
  await run('mkdir', ['-p', emptyBin]);
  process.env.PATH = emptyBin;
});

async function ebur128(wav: string): Promise<{ i: number; peak: number }> {
  const r = await run(FFMPEG, ['-hide_banner', '-nostats', '-i', wav, '-af', 'ebur128=peak=true', '-f', 'null', '-']);
  const summary = r.stderr.slice(r.stderr.lastIndexOf('Summary:'));
  const i = Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)?.[1]);
  const peak = Number(/Peak:\s+(-?[\d.]+) dBFS/.exec(summary)?.[1]);
  return { i, peak };
}

const GOOD: Array<[string, string, string]> = [
  ['8-bit mono at 11.025 kHz', 'u8Mono11k', 'pcm_u8'],
  ['16-bit stereo at 44.1 kHz', 's16Stereo44k', 'pcm_s16le'],
  ['24-bit mono at 48 kHz', 's24Mono48k', 'pcm_s24le'],
  ['32-bit float stereo at 22.05 kHz', 'f32Stereo22k', 'pcm_f32le'],
  ['16-bit mono at 8 kHz', 's16Mono8k', 'pcm_s16le'],
];

for (const [title, key, codec] of GOOD) {
  test(`imports a ${title} WAV with no audio tool on PATH: 8 kHz, trimmed, on loudness target as ffmpeg measures it`, async (t) => {
    t.true(detectTools().every((x) => !x.present));
    const lib = join(work, `lib-${key}`);
    const meta = await importRecording(made[key]!, { libraryDir: lib, name: title, id: key });
    t.is(meta.format, 'wav');
    t.is(meta.codec, codec);
    t.true(meta.trimmedMs.lead >= 450 && meta.trimmedMs.lead <= 700, `lead trimmed ${meta.trimmedMs.lead} ms`);
    t.true(meta.trimmedMs.tail >= 300, `tail trimmed ${meta.trimmedMs.tail} ms`);
    t.true(meta.durationMs > 2500 && meta.durationMs < 4200, `duration ${meta.durationMs} ms`);
    const wav = readWavS16(readFileSync(meta.prompt.wav!));
    t.is(wav.rate, 8000);
    const measured = await ebur128(meta.prompt.wav!);
    t.true(Math.abs(measured.i - LOUDNESS_TARGET.integratedLufs) <= 1, `ffmpeg measures ${measured.i} LUFS (we said ${meta.loudnessLufs})`);
    t.true(Math.abs(measured.i - meta.loudnessLufs) <= 0.3, 'our meter agrees with ffmpeg\'s');
    t.true(measured.peak <= LOUDNESS_TARGET.truePeakDbtp + 0.5, `true peak ${measured.peak} dBFS`);
    t.is(readFileSync(meta.prompt.pcmu).length, wav.samples.length);
    t.is(readFileSync(meta.prompt.pcma).length, wav.samples.length);
  });
}

test('a loud, peaky WAV: the limiter keeps the true peak under -2 dBTP while the loudness reaches the target', async (t) => {
  const meta = await importRecording(made.hot!, { libraryDir: join(work, 'lib-hot'), name: 'hot', id: 'hot' });
  const measured = await ebur128(meta.prompt.wav!);
  t.true(measured.peak <= LOUDNESS_TARGET.truePeakDbtp + 0.3, `true peak ${measured.peak}`);
  t.true(Math.abs(measured.i - LOUDNESS_TARGET.integratedLufs) <= 1, `loudness ${measured.i}`);
});

function tone(hz: number, rate: number, seconds: number, amp = 0.5): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amp * Math.sin((2 * Math.PI * hz * i) / rate);
  return out;
}

function rmsDb(x: Float32Array, skip: number): number {
  let s = 0;
  let n = 0;
  for (let i = skip; i < x.length - skip; i++, n++) s += x[i]! * x[i]!;
  return 10 * Math.log10(s / n);
}

test('the resampler keeps the telephone band and keeps what is above 4 kHz from folding back', (t) => {
  const ref = rmsDb(tone(1000, 8000, 1), 400);
  for (const rate of [11025, 16000, 22050, 44100, 48000]) {
    for (const hz of [300, 1000, 3000, 3400]) {
      const got = rmsDb(resample(tone(hz, rate, 1), rate, 8000), 400);
      t.true(Math.abs(got - ref) < 0.5, `${hz} Hz from ${rate} Hz: ${(got - ref).toFixed(2)} dB`);
    }
    // 5 kHz would alias to 3 kHz, 6.5 kHz to 1.5 kHz: both must be gone.
    for (const hz of [5000, 6500].filter((f) => f < rate / 2)) {
      const got = rmsDb(resample(tone(hz, rate, 1), rate, 8000), 400);
      t.true(got - ref < -70, `${hz} Hz from ${rate} Hz leaks ${(got - ref).toFixed(1)} dB`);
    }
  }
});

test('the loudness meter follows BS.1770: a 997 Hz sine of peak 0.1 reads -23 LUFS', (t) => {
  // A full-scale 997 Hz sine reads -3.01 LKFS (BS.1770-4); scaled to peak 0.1 (-20 dB) it reads about -23.
  const x = tone(997, 8000, 5, 0.1);
  const l = integratedLoudness(x, 8000);
  t.true(Math.abs(l - -23.01) < 0.3, `${l.toFixed(2)} LUFS`);
});

test('a stereo WAV is mixed down to mono: channels in opposite phase cancel into silence, refused as silent', async (t) => {
  const err = await t.throwsAsync(importRecording(made.antiphase!, { libraryDir: join(work, 'lib-anti'), name: 'anti' }));
  t.regex(err?.message ?? '', /is silent/);
});

const REFUSED: Array<[string, string, RegExp, ErrorCode]> = [
  ['an MP3', 'mp3', /"message\.mp3" is MP3 audio, which this box reads only with ffmpeg: install the Debian package "ffmpeg"/, 'E_TOOL_MISSING'],
  ['an ADPCM WAV', 'adpcm', /a WAV with adpcm_ms coding, which this box reads only with ffmpeg/, 'E_TOOL_MISSING'],
  ['a 96 kHz WAV', 'hiRate', /a WAV with a sample rate of 96000 Hz, which this box reads only with ffmpeg/, 'E_TOOL_MISSING'],
  ['a truncated WAV', 'cut', /truncated: it stops at .* of the .* its header announces/, 'E_PROMPT'],
  ['a text file renamed .wav', 'text', /is not audio/, 'E_PROMPT'],
];

for (const [title, key, message, code] of REFUSED) {
  test(`without ffmpeg, ${title} is refused with ${code} and leaves nothing behind`, async (t) => {
    const lib = join(work, `lib-refused-${key}`);
    const err = await t.throwsAsync(importRecording(made[key]!, { libraryDir: lib, name: title }));
    t.true(isAppError(err));
    if (isAppError(err)) {
      t.is(err.code, code);
      t.regex(err.message, message);
      if (code === 'E_TOOL_MISSING') t.deepEqual({ tool: err.where?.tool, package: err.where?.package }, { tool: 'ffmpeg', package: 'ffmpeg' });
    }
    let left: string[] = [];
    try {
      left = readdirSync(lib);
    } catch {
      left = [];
    }
    t.deepEqual(left, []);
  });
}

test('without espeak-ng, text-to-speech is refused naming the package', async (t) => {
  const err = await t.throwsAsync(synthesize('Hello there', { voice: 'en', libraryDir: join(work, 'lib-tts') }));
  t.true(isAppError(err));
  if (isAppError(err)) {
    t.is(err.code, 'E_TOOL_MISSING');
    t.is(httpStatus(err.code), 501);
    t.regex(err.message, /espeak-ng is not installed on this box: install the Debian package "espeak-ng" \(sudo apt-get install -y espeak-ng\)/);
  }
});

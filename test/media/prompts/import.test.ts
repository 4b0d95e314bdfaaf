// Importing recordings: one file of each format staff upload, generated here with espeak-ng and ffmpeg,
// plus the broken files people really send (cut short, empty, not audio). A failed import leaves nothing.
import test from 'ava';
import { httpStatus } from '../../../appliance/http/error-status.ts';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isAppError } from '../../../core/errors.ts';
import { importRecording } from '../../../media/prompts/import.ts';
import { listRecordings, readRecording } from '../../../media/prompts/library.ts';
import { readWavS16 } from '../../../media/prompts/pcm.ts';
import { LOUDNESS_TARGET } from '../../../media/prompts/transcode.ts';

const run = promisify(execFile);
let work = '';
let source = '';

test.before(async () => {
  work = await mkdtemp(join(tmpdir(), 'vba-import-'));
  const speech = join(work, 'speech.wav');
  await run('espeak-ng', ['-v', 'en-us', '-w', speech, 'Hello, this is a message from your pharmacy. Your order is ready.']);
  // 0.8 s of silence before, 0.6 s after, recorded far too quietly, in CD stereo: what a phone app exports.
  source = join(work, 'source.wav');
  await run('ffmpeg', ['-v', 'error', '-y', '-i', speech, '-af', 'adelay=800,apad=pad_dur=0.6,volume=-18dB', '-ar', '44100', '-ac', '2', source]);
});

test.after.always(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function makeFormat(name: string, args: string[]): Promise<string> {
  const out = join(work, name);
  await run('ffmpeg', ['-v', 'error', '-y', '-i', source, ...args, out]);
  return out;
}

async function libraryEntries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

const FORMATS: Array<[string, string[], string, string]> = [
  ['message.wav', [], 'wav', 'pcm_s16le'],
  ['message.mp3', ['-c:a', 'libmp3lame', '-b:a', '64k'], 'mp3', 'mp3'],
  ['message.ogg', ['-c:a', 'libopus', '-b:a', '32k'], 'ogg', 'opus'],
  ['message.m4a', ['-c:a', 'aac', '-b:a', '64k'], 'm4a', 'aac'],
  ['message.flac', ['-c:a', 'flac'], 'flac', 'flac'],
];

for (const [file, args, format, codec] of FORMATS) {
  test(`imports ${format.toUpperCase()}: 8 kHz WAV + G.711 both laws, loudness on target, silence trimmed`, async (t) => {
    const input = await makeFormat(file, args);
    const lib = join(work, `lib-${format}`);
    const meta = await importRecording(input, { libraryDir: lib, name: `Pharmacy ${format}`, id: `pharmacy-${format}` });
    t.is(meta.format, format);
    t.is(meta.codec, codec);
    t.is(meta.originalName, file);
    t.is(meta.prompt.id, `pharmacy-${format}`);
    // Speech itself lasts ~3.3 s; the 0.8 s lead and 0.6 s tail are trimmed (a little padding is kept).
    t.true(meta.trimmedMs.lead >= 550 && meta.trimmedMs.lead <= 800, `lead trimmed ${meta.trimmedMs.lead} ms`);
    t.true(meta.trimmedMs.tail >= 300, `tail trimmed ${meta.trimmedMs.tail} ms`);
    t.true(meta.durationMs > 2500 && meta.durationMs < 4200, `duration ${meta.durationMs} ms`);
    t.true(Math.abs(meta.loudnessLufs - LOUDNESS_TARGET.integratedLufs) <= 1.5, `loudness ${meta.loudnessLufs} LUFS`);
    t.true(meta.truePeakDbtp <= LOUDNESS_TARGET.truePeakDbtp + 0.5, `true peak ${meta.truePeakDbtp}`);
    t.is(meta.waveform.length, 200);
    t.true(Math.max(...meta.waveform) > 0.2 && Math.max(...meta.waveform) <= 1);

    const wav = readWavS16(await readFile(meta.prompt.wav as string));
    t.is(wav.rate, 8000);
    t.is(Math.round((wav.samples.length / 8) / 10), Math.round(meta.durationMs / 10));
    // Headerless G.711: one byte per 8 kHz sample, same length as the WAV.
    t.is((await stat(meta.prompt.pcmu)).size, wav.samples.length);
    t.is((await stat(meta.prompt.pcma)).size, wav.samples.length);
    t.deepEqual(await readFile(meta.originalPath), await readFile(input), 'the original is kept as uploaded');
    t.deepEqual(await libraryEntries(lib), [`pharmacy-${format}`], 'no staging folder left behind');
    const again = await readRecording(lib, `pharmacy-${format}`);
    t.deepEqual(again, meta);
  });
}

interface Bad {
  title: string;
  make: () => Promise<string>;
  message: RegExp;
}

const BAD: Bad[] = [
  {
    title: 'a truncated WAV',
    make: async () => {
      const full = await readFile(await makeFormat('cut.wav', []));
      const p = join(work, 'cut-short.wav');
      await writeFile(p, full.subarray(0, Math.floor(full.length / 2)));
      return p;
    },
    message: /truncated.*stops at .* of the .* its header announces/,
  },
  {
    title: 'a truncated M4A',
    make: async () => {
      const full = await readFile(await makeFormat('cut.m4a', ['-c:a', 'aac']));
      const p = join(work, 'cut-short.m4a');
      await writeFile(p, full.subarray(0, Math.floor(full.length / 2)));
      return p;
    },
    message: /truncated/,
  },
  {
    title: 'a truncated FLAC',
    make: async () => {
      const full = await readFile(await makeFormat('cut.flac', ['-c:a', 'flac']));
      const p = join(work, 'cut-short.flac');
      await writeFile(p, full.subarray(0, Math.floor(full.length / 2)));
      return p;
    },
    message: /truncated/,
  },
  {
    title: 'a zero-length file',
    make: async () => {
      const p = join(work, 'empty.mp3');
      await writeFile(p, Buffer.alloc(0));
      return p;
    },
    message: /is empty \(0 bytes\)/,
  },
  {
    title: 'a text file renamed .wav',
    make: async () => {
      const p = join(work, 'notes.wav');
      await writeFile(p, 'Call list for Monday\nMrs Smith 0612345678\n'.repeat(50));
      return p;
    },
    message: /is not audio/,
  },
  {
    title: 'an image',
    make: async () => {
      const p = join(work, 'logo.png');
      await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=blue:s=32x32', '-frames:v', '1', p]);
      return p;
    },
    message: /image or a video without sound/,
  },
  {
    title: 'an unsupported format (AIFF)',
    make: async () => makeFormat('message.aiff', []),
    message: /unsupported format AIFF/,
  },
  {
    title: 'a silent recording',
    make: async () => {
      const p = join(work, 'silence.wav');
      await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'anullsrc=r=8000:cl=mono', '-t', '3', p]);
      return p;
    },
    message: /is silent/,
  },
];

for (const bad of BAD) {
  test(`refuses ${bad.title} with a clear E_PROMPT error and leaves nothing behind`, async (t) => {
    const input = await bad.make();
    const lib = join(work, `lib-bad-${bad.title.replace(/\W+/g, '-')}`);
    const err = await t.throwsAsync(importRecording(input, { libraryDir: lib, name: bad.title }));
    t.true(isAppError(err), `${String(err)}`);
    if (isAppError(err)) {
      t.is(err.code, 'E_PROMPT');
      t.is(httpStatus(err.code), 400);
      t.regex(err.message, bad.message);
      t.false(/\bat \S+\.ts:\d+/.test(err.message), 'no stack trace in the message');
    }
    t.deepEqual(await libraryEntries(lib), [], 'no recording and no staging folder');
    t.deepEqual(await listRecordings(lib), []);
  });
}

test('an id already in the library is refused and the existing recording is untouched', async (t) => {
  const input = await makeFormat('dup.wav', []);
  const lib = join(work, 'lib-dup');
  const first = await importRecording(input, { libraryDir: lib, name: 'first', id: 'greeting' });
  const err = await t.throwsAsync(importRecording(input, { libraryDir: lib, name: 'second', id: 'greeting' }));
  t.regex(err?.message ?? '', /already exists/);
  t.deepEqual(await readRecording(lib, 'greeting'), first);
  t.deepEqual(await libraryEntries(lib), ['greeting']);
});

test('an id that could escape the library folder is refused before any work', async (t) => {
  const err = await t.throwsAsync(importRecording(source, { libraryDir: join(work, 'lib-id'), name: 'x', id: '../etc' }));
  t.regex(err?.message ?? '', /invalid recording id/);
  t.deepEqual(await libraryEntries(join(work, 'lib-id')), []);
});

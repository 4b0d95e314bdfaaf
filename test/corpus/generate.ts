// Labelled corpus of call openings for answering-machine and beep detection: people answering and voicemail
// greetings with beeps, spoken by espeak-ng in English and French, mixed with noise and silences, passed
// through the telephone band (sox sinc 300-3400) and G.711 at 8 kHz. Each case is a pure function of
// (seed, index); files are cached in test/corpus/out/ (git-ignored) and regenerated only when missing.
//
//   npx tsx test/corpus/generate.ts --seed 1 --count 120 [--workers 2] [--out dir]
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { readWavS16 } from '../../media/prompts/pcm.ts';
import { fill, GREETINGS, HUMAN_AGAIN, HUMAN_FIRST, VOICES, type Lang } from './phrases.ts';
import { activeSpan, dbToGain, noise, pick, rms, rng, tone, uniform, logUniform, type NoiseKind, type Rand } from './signal.ts';

const run = promisify(execFile);
const GEN_VERSION = 3;
const RATE = 22050;
export const DEFAULT_OUT = join(dirname(fileURLToPath(import.meta.url)), 'out');

export interface CorpusCase {
  id: string;
  label: 'human' | 'machine';
  lang: Lang;
  voice: string;
  /** G.711 law of the stored file (headerless, 8 kHz), decoded the way a call would. */
  law: 'pcmu' | 'pcma';
  file: string;
  durationMs: number;
  /** Where the first words start and where they end (person: the first utterance; machine: the whole greeting). */
  speechStartMs: number;
  speechEndMs: number;
  beep: { hz: number; startMs: number; endMs: number } | null;
  /** Convenience: beep.endMs or null. */
  beepEndMs: number | null;
  noise: { kind: NoiseKind; snrDb: number };
  words: string[];
  version: number;
}

export interface Manifest {
  version: number;
  seed: number;
  count: number;
  outDir: string;
  cases: CorpusCase[];
}

type Piece = { kind: 'speech'; text: string } | { kind: 'silence'; ms: number } | { kind: 'beep'; hz: number; ms: number; db: number } | { kind: 'click' };

interface Plan {
  label: 'human' | 'machine';
  lang: Lang;
  voice: string;
  wpm: number;
  pitch: number;
  law: 'pcmu' | 'pcma';
  speechDb: number;
  noise: { kind: NoiseKind; snrDb: number };
  pieces: Piece[];
  minTotalMs: number;
}

/** Everything random about a case, drawn from its own seeded stream. */
function plan(seed: number, index: number): Plan {
  const r = rng(seed * 1_000_003 + index * 7919 + 17);
  const label = index % 2 === 0 ? 'human' : 'machine';
  const lang: Lang = r() < 0.5 ? 'en' : 'fr';
  const voice = pick(r, VOICES[lang]);
  const wpm = Math.round(uniform(r, 135, 200));
  const pitch = Math.round(uniform(r, 30, 70));
  const law = r() < 0.5 ? 'pcmu' : 'pcma';
  const pieces: Piece[] = [];
  if (label === 'human') {
    // Picking up a handset often makes a click before anything is said.
    if (r() < 0.3) pieces.push({ kind: 'silence', ms: uniform(r, 30, 200) }, { kind: 'click' });
    pieces.push({ kind: 'silence', ms: r() < 0.85 ? uniform(r, 250, 1300) : uniform(r, 1300, 2200) });
    pieces.push({ kind: 'speech', text: fill(pick(r, HUMAN_FIRST[lang]), r, lang) });
    // Some people say two short things in a row ("Hello? ... Hello?") before waiting.
    if (r() < 0.12) pieces.push({ kind: 'silence', ms: uniform(r, 300, 600) }, { kind: 'speech', text: pick(r, HUMAN_AGAIN[lang]) });
    pieces.push({ kind: 'silence', ms: uniform(r, 1600, 3200) });
    if (r() < 0.5) pieces.push({ kind: 'speech', text: pick(r, HUMAN_AGAIN[lang]) }, { kind: 'silence', ms: uniform(r, 800, 1500) });
    const kind = pick<NoiseKind>(r, ['hiss', 'white', 'pink', 'brown', 'street', 'hum']);
    return { label, lang, voice, wpm, pitch, law, speechDb: uniform(r, -34, -16), noise: { kind, snrDb: kind === 'hiss' ? uniform(r, 35, 50) : uniform(r, 10, 30) }, pieces, minTotalMs: 6000 };
  }
  pieces.push({ kind: 'silence', ms: uniform(r, 100, 1000) });
  const sentences = pick(r, GREETINGS[lang]);
  sentences.forEach((s, i) => {
    if (i > 0) pieces.push({ kind: 'silence', ms: uniform(r, 200, 700) });
    pieces.push({ kind: 'speech', text: fill(s, r, lang) });
  });
  pieces.push({ kind: 'silence', ms: uniform(r, 150, 1000) });
  if (r() < 0.85) pieces.push({ kind: 'beep', hz: Math.round(logUniform(r, 425, 1800)), ms: Math.round(uniform(r, 150, 1200)), db: uniform(r, -22, -8) });
  pieces.push({ kind: 'silence', ms: uniform(r, 3000, 4000) });
  const noisy = r() < 0.3;
  const kind: NoiseKind = noisy ? pick<NoiseKind>(r, ['pink', 'street', 'white']) : 'hiss';
  return { label, lang, voice, wpm, pitch, law, speechDb: uniform(r, -28, -16), noise: { kind, snrDb: noisy ? uniform(r, 18, 30) : uniform(r, 35, 50) }, pieces, minTotalMs: 0 };
}

async function speak(text: string, p: Plan, dir: string, n: number): Promise<Float32Array> {
  const wav = join(dir, `s${n}.wav`);
  const txt = join(dir, `s${n}.txt`);
  await writeFile(txt, text, 'utf8');
  await run('espeak-ng', ['-v', p.voice, '-s', String(p.wpm), '-p', String(p.pitch), '-z', '-b', '1', '-w', wav, '-f', txt]);
  const { rate, samples } = readWavS16(await readFile(wav));
  if (rate !== RATE) throw new Error(`espeak-ng wrote ${rate} Hz, expected ${RATE}`);
  const f = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) f[i] = (samples[i] ?? 0) / 32768;
  // Cut espeak's own leading/trailing near-silence so the labels are where the voice is.
  const span = activeSpan(f, 0.01);
  return f.slice(span.start, span.end);
}

const ms = (samples: number): number => Math.round((samples / RATE) * 1000);

async function render(seed: number, index: number, outDir: string): Promise<CorpusCase> {
  const p = plan(seed, index);
  const id = `s${seed}-${String(index).padStart(3, '0')}`;
  const ext = p.law === 'pcmu' ? 'ul' : 'al';
  const file = `${id}.${ext}`;
  const sidecar = join(outDir, `${id}.json`);
  try {
    const prev = JSON.parse(await readFile(sidecar, 'utf8')) as CorpusCase;
    await readFile(join(outDir, file)).then((b) => {
      if (b.length === 0) throw new Error('empty');
    });
    if (prev.version === GEN_VERSION) return prev;
  } catch {
    /* missing or stale: generate */
  }
  const r: Rand = rng(seed * 7_777_777 + index * 131 + 5);
  const tmp = await mkdtemp(join(outDir, `.tmp-${id}-`));
  try {
    const parts: Float32Array[] = [];
    const speechSpans: Array<{ start: number; end: number }> = [];
    let beep: CorpusCase['beep'] = null;
    let at = 0;
    let n = 0;
    const speechGain = dbToGain(p.speechDb);
    const words: string[] = [];
    for (const piece of p.pieces) {
      let chunk: Float32Array;
      if (piece.kind === 'silence') chunk = new Float32Array(Math.round((piece.ms * RATE) / 1000));
      else if (piece.kind === 'click') {
        chunk = new Float32Array(Math.round(0.03 * RATE));
        for (let i = 0; i < chunk.length; i++) chunk[i] = (r() * 2 - 1) * 0.3 * Math.exp(-i / (0.004 * RATE));
      } else if (piece.kind === 'beep') {
        chunk = tone(piece.hz, piece.ms, dbToGain(piece.db) * Math.SQRT2, RATE);
        beep = { hz: piece.hz, startMs: ms(at), endMs: ms(at + chunk.length) };
      } else {
        const voice = await speak(piece.text, p, tmp, n++);
        // Set the active speech level, not the peak: what a phone line's level really describes.
        const g = speechGain / Math.max(1e-6, rms(voice));
        chunk = voice.map((v) => v * g);
        speechSpans.push({ start: at, end: at + chunk.length });
        words.push(piece.text);
      }
      parts.push(chunk);
      at += chunk.length;
    }
    const total = Math.max(at, Math.round((p.minTotalMs * RATE) / 1000));
    const mix = new Float32Array(total);
    let off = 0;
    for (const c of parts) {
      mix.set(c, off);
      off += c.length;
    }
    const noiseGain = speechGain * dbToGain(-p.noise.snrDb);
    const bg = noise(r, p.noise.kind, total, RATE);
    for (let i = 0; i < total; i++) mix[i] = (mix[i] ?? 0) + (bg[i] ?? 0) * noiseGain;
    let peak = 0;
    for (const v of mix) peak = Math.max(peak, Math.abs(v));
    if (peak > 0.95) for (let i = 0; i < total; i++) mix[i] = ((mix[i] ?? 0) * 0.95) / peak;

    const raw = join(tmp, 'mix.f32');
    const buf = Buffer.alloc(total * 4);
    for (let i = 0; i < total; i++) buf.writeFloatLE(mix[i] ?? 0, i * 4);
    await writeFile(raw, buf);
    const g711 = join(tmp, file);
    // The telephone band, then 8 kHz G.711: what the box receives from a trunk.
    await run('sox', ['-V1', '-t', 'f32', '-r', String(RATE), '-c', '1', raw, '-t', ext, '-r', '8000', '-c', '1', g711, 'sinc', '300-3400']);
    const first = speechSpans[0] ?? { start: 0, end: 0 };
    const firstUtteranceEnd = p.label === 'human' ? first.end : (speechSpans[speechSpans.length - 1]?.end ?? 0);
    const c: CorpusCase = {
      id,
      label: p.label,
      lang: p.lang,
      voice: `${p.voice} ${p.wpm}wpm p${p.pitch}`,
      law: p.law,
      file,
      durationMs: ms(total),
      speechStartMs: ms(first.start),
      speechEndMs: ms(firstUtteranceEnd),
      beep,
      beepEndMs: beep ? beep.endMs : null,
      noise: { kind: p.noise.kind, snrDb: Math.round(p.noise.snrDb * 10) / 10 },
      words,
      version: GEN_VERSION,
    };
    // Audio first, then its labels: a sidecar always describes a complete file.
    await rename(g711, join(outDir, file));
    await writeFile(join(tmp, 'case.json'), `${JSON.stringify(c)}\n`);
    await rename(join(tmp, 'case.json'), sidecar);
    return c;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Generate (or reuse) cases 0..count-1 of `seed`, `workers` at a time; writes and returns the manifest. */
export async function generateCorpus(opts: { seed: number; count: number; outDir?: string; workers?: number }): Promise<Manifest> {
  const outDir = opts.outDir ?? DEFAULT_OUT;
  await mkdir(outDir, { recursive: true });
  const workers = Math.max(1, opts.workers ?? cpus().length);
  const cases: CorpusCase[] = new Array<CorpusCase>(opts.count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, opts.count) }, async () => {
      while (next < opts.count) {
        const i = next++;
        cases[i] = await render(opts.seed, i, outDir);
      }
    }),
  );
  const manifest: Manifest = { version: GEN_VERSION, seed: opts.seed, count: opts.count, outDir, cases };
  const path = join(outDir, `manifest-s${opts.seed}-n${opts.count}.json`);
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  await writeFile(tmp, `${JSON.stringify(manifest, null, 1)}\n`);
  await rename(tmp, path);
  return manifest;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t0 = Date.now();
  const m = await generateCorpus({ seed: Number(arg('seed', '1')), count: Number(arg('count', '120')), outDir: arg('out', DEFAULT_OUT), workers: Number(arg('workers', String(cpus().length))) });
  const machines = m.cases.filter((c) => c.label === 'machine');
  process.stdout.write(
    `${JSON.stringify({ seed: m.seed, cases: m.cases.length, humans: m.cases.length - machines.length, machines: machines.length, withBeep: machines.filter((c) => c.beep).length, seconds: (Date.now() - t0) / 1000, outDir: m.outDir })}\n`,
  );
}

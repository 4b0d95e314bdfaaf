// The sandbox's voices: what people say when they pick up, voicemail greetings (English and French, a
// few lengths) and beeps, made with Debian espeak-ng and sox, band-limited to the telephone band and
// stored as headerless 8 kHz G.711 (both laws). Generated once per folder and cached; a change to the
// definitions below changes the version and regenerates.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppError } from '../../core/errors.ts';
import { encodeG711, type G711Law } from '../../media/dsp/g711.ts';
import { firstErrorLine, runTool } from '../../media/prompts/tools.ts';

export type ClipKind = 'utterance' | 'greeting' | 'beep';
export type Language = 'en' | 'fr';

export interface ClipInfo {
  id: string;
  kind: ClipKind;
  /** Null for beeps. */
  lang: Language | null;
  text: string | null;
  ms: number;
}

export interface Clip extends ClipInfo {
  pcmu: Buffer;
  pcma: Buffer;
}

export interface SandboxAudio {
  dir: string;
  utterances: Clip[];
  greetings: Clip[];
  beeps: Clip[];
}

interface SpeechDef { id: string; kind: 'utterance' | 'greeting'; lang: Language; voice: string; rate: number; text: string }
interface BeepDef { id: string; kind: 'beep'; hz: number; ms: number }
type ClipDef = SpeechDef | BeepDef;

const DEFS: readonly ClipDef[] = [
  { id: 'hello-en-1', kind: 'utterance', lang: 'en', voice: 'en-us+m3', rate: 165, text: 'Hello?' },
  { id: 'hello-en-2', kind: 'utterance', lang: 'en', voice: 'en-gb+f2', rate: 160, text: 'Yes?' },
  { id: 'hello-en-3', kind: 'utterance', lang: 'en', voice: 'en-us+f4', rate: 170, text: "Hello, who's this?" },
  { id: 'hello-fr-1', kind: 'utterance', lang: 'fr', voice: 'fr-fr+f3', rate: 160, text: 'Allô oui ?' },
  { id: 'hello-fr-2', kind: 'utterance', lang: 'fr', voice: 'fr-fr+m2', rate: 165, text: 'Oui, allô ?' },
  { id: 'hello-fr-3', kind: 'utterance', lang: 'fr', voice: 'fr-be+m4', rate: 160, text: 'Allô ?' },
  { id: 'greeting-en-short', kind: 'greeting', lang: 'en', voice: 'en-us+f2', rate: 165, text: "Hi, it's Sam. Leave a message." },
  {
    id: 'greeting-en-medium', kind: 'greeting', lang: 'en', voice: 'en-gb+m3', rate: 160,
    text: "Hello, you've reached Alex Martin. I can't take your call right now. Please leave a message after the tone.",
  },
  {
    id: 'greeting-en-long', kind: 'greeting', lang: 'en', voice: 'en-us+m1', rate: 155,
    text: "Hi, this is the voicemail of Jordan Lee. I'm away from my phone at the moment. Please leave your name, your number and a short message after the tone, and I'll call you back as soon as I can. Thank you.",
  },
  { id: 'greeting-fr-short', kind: 'greeting', lang: 'fr', voice: 'fr-fr+f2', rate: 165, text: "Bonjour, c'est Claire. Laissez un message." },
  {
    id: 'greeting-fr-medium', kind: 'greeting', lang: 'fr', voice: 'fr-fr+m3', rate: 160,
    text: "Bonjour, vous êtes bien sur la messagerie de Pierre Durand. Je ne suis pas disponible. Laissez un message après le bip.",
  },
  {
    id: 'greeting-fr-long', kind: 'greeting', lang: 'fr', voice: 'fr-be+f3', rate: 155,
    text: 'Bonjour, vous êtes sur le répondeur de Sophie Martin. Je ne peux pas vous répondre pour le moment. Merci de laisser votre nom, votre numéro et un message après le signal sonore, je vous rappellerai dès que possible. Bonne journée.',
  },
  { id: 'beep-1000-500', kind: 'beep', hz: 1000, ms: 500 },
  { id: 'beep-850-350', kind: 'beep', hz: 850, ms: 350 },
  { id: 'beep-1400-250', kind: 'beep', hz: 1400, ms: 250 },
  { id: 'beep-700-800', kind: 'beep', hz: 700, ms: 800 },
];

/** sox effects: telephone band, leading/trailing silence trimmed, peak at -4 dBFS. */
const SPEECH_EFFECTS = ['sinc', '300-3400', 'silence', '1', '0.02', '1%', 'reverse', 'silence', '1', '0.02', '1%', 'reverse', 'gain', '-n', '-4'];
const RAW_8K = ['-r', '8000', '-c', '1', '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-L'];

export const AUDIO_VERSION = createHash('sha256').update(JSON.stringify([DEFS, SPEECH_EFFECTS, RAW_8K, 1])).digest('hex').slice(0, 16);
const MANIFEST = 'manifest.json';

interface Manifest {
  version: string;
  clips: ClipInfo[];
}

async function tool(cmd: string, args: string[], stdin?: Buffer): Promise<Buffer> {
  const r = await runTool(cmd, args, { timeoutMs: 60_000, ...(stdin ? { stdin } : {}) });
  if (r.code !== 0) throw new AppError('E_PROMPT', `sandbox audio: ${cmd} failed: ${firstErrorLine(r.stderr)}`, { tool: cmd });
  return r.stdout;
}

async function render(def: ClipDef): Promise<Int16Array> {
  let raw: Buffer;
  if (def.kind === 'beep') {
    const s = (def.ms / 1000).toFixed(3);
    raw = await tool('sox', ['-n', ...RAW_8K, '-', 'synth', s, 'sine', String(def.hz), 'fade', 'h', '0.008', s, '0.008', 'gain', '-n', '-6']);
  } else {
    const wav = await tool('espeak-ng', ['-v', def.voice, '-s', String(def.rate), '--stdout', def.text]);
    raw = await tool('sox', ['-t', 'wav', '-', ...RAW_8K, '-', ...SPEECH_EFFECTS], wav);
  }
  if (raw.length < 800) throw new AppError('E_PROMPT', `sandbox audio: ${def.id} came out empty`, { clip: def.id });
  const copy = Buffer.from(raw);
  return new Int16Array(copy.buffer, copy.byteOffset, copy.length >> 1);
}

function fileOf(dir: string, id: string, law: G711Law): string {
  return join(dir, `${id}.${law}`);
}

async function readManifest(dir: string): Promise<Manifest | null> {
  try {
    const m = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as Manifest;
    if (m.version !== AUDIO_VERSION || !Array.isArray(m.clips)) return null;
    for (const c of m.clips) if (!existsSync(fileOf(dir, c.id, 'pcmu')) || !existsSync(fileOf(dir, c.id, 'pcma'))) return null;
    return m;
  } catch {
    return null;
  }
}

async function generate(into: string): Promise<Manifest> {
  await mkdir(into, { recursive: true });
  const clips = await Promise.all(DEFS.map(async (def): Promise<ClipInfo> => {
    const pcm = await render(def);
    await writeFile(fileOf(into, def.id, 'pcmu'), encodeG711('pcmu', pcm));
    await writeFile(fileOf(into, def.id, 'pcma'), encodeG711('pcma', pcm));
    return {
      id: def.id,
      kind: def.kind,
      lang: def.kind === 'beep' ? null : def.lang,
      text: def.kind === 'beep' ? null : def.text,
      ms: Math.round(pcm.length / 8),
    };
  }));
  const manifest: Manifest = { version: AUDIO_VERSION, clips };
  await writeFile(join(into, MANIFEST), JSON.stringify(manifest, null, 2));
  return manifest;
}

/**
 * Make sure `dir` holds the current sandbox audio, generating it when missing or out of date (a few
 * seconds, about 200 KB). Safe when several processes start at once: each builds in a private folder
 * and the first to finish moves its folder into place.
 */
export async function ensureSandboxAudio(dir: string): Promise<ClipInfo[]> {
  const existing = await readManifest(dir);
  if (existing) return existing.clips;
  await mkdir(dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const made = await generate(tmp);
    const now = await readManifest(dir);
    if (now) return now.clips;
    if (existsSync(dir)) {
      const old = `${dir}.old-${randomBytes(4).toString('hex')}`;
      await rename(dir, old).catch(() => {});
      await rm(old, { recursive: true, force: true });
    }
    try {
      await rename(tmp, dir);
    } catch (e) {
      const other = await readManifest(dir);
      if (other) return other.clips;
      throw e;
    }
    return made.clips;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Ensure, then load every clip into memory (both laws), grouped by kind. */
export async function loadSandboxAudio(dir: string): Promise<SandboxAudio> {
  const infos = await ensureSandboxAudio(dir);
  const clips = await Promise.all(infos.map(async (c): Promise<Clip> => ({
    ...c,
    pcmu: await readFile(fileOf(dir, c.id, 'pcmu')),
    pcma: await readFile(fileOf(dir, c.id, 'pcma')),
  })));
  const order = (a: Clip, b: Clip) => a.id.localeCompare(b.id);
  return {
    dir,
    utterances: clips.filter((c) => c.kind === 'utterance').sort(order),
    greetings: clips.filter((c) => c.kind === 'greeting').sort(order),
    beeps: clips.filter((c) => c.kind === 'beep').sort(order),
  };
}

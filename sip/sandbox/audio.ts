// The sandbox's voices: what people say when they pick up, voicemail greetings (English and French, a
// few lengths) and beeps. The speech ships with the box in sip/sandbox/voices/ (rendered once by
// render-voices.ts with espeak-ng and sox, 8 kHz mu-law, about 480 kB); the beeps are synthesised here.
// So the sandbox needs no system tool. Each folder given to ensureSandboxAudio gets both G.711 laws of
// every clip as headerless files (the engines play prompts from files); a change to the voices or to
// the definitions below changes the version and rewrites them.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../core/errors.ts';
import { decodeG711, encodeG711, type G711Law } from '../../media/dsp/g711.ts';

export type ClipKind = 'utterance' | 'greeting' | 'answer' | 'beep';
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
  /** Spoken answers a person gives to a flow's `record` step (a comment, a few words). */
  answers: Clip[];
  beeps: Clip[];
}

/** What espeak-ng is asked to say (voice, words per minute); render-voices.ts turns it into voices/<id>.ulaw. */
export interface SpeechDef { id: string; kind: 'utterance' | 'greeting' | 'answer'; lang: Language; voice: string; rate: number; text: string }
interface BeepDef { id: string; kind: 'beep'; hz: number; ms: number }
type ClipDef = SpeechDef | BeepDef;

/** The committed speech, one headerless 8 kHz mu-law file per SpeechDef. */
export const VOICES_DIR = fileURLToPath(new URL('./voices/', import.meta.url));

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
  { id: 'answer-en-1', kind: 'answer', lang: 'en', voice: 'en-us+f3', rate: 160, text: 'The delivery was late, but the driver was very kind.' },
  { id: 'answer-en-2', kind: 'answer', lang: 'en', voice: 'en-gb+m2', rate: 165, text: 'Everything was fine. Maybe call a little earlier in the day.' },
  { id: 'answer-fr-1', kind: 'answer', lang: 'fr', voice: 'fr-fr+f4', rate: 160, text: 'La livraison était en retard, mais le livreur était très aimable.' },
  { id: 'answer-fr-2', kind: 'answer', lang: 'fr', voice: 'fr-fr+m1', rate: 165, text: "Tout s'est bien passé. Appelez peut-être un peu plus tôt dans la journée." },
  { id: 'beep-1000-500', kind: 'beep', hz: 1000, ms: 500 },
  { id: 'beep-850-350', kind: 'beep', hz: 850, ms: 350 },
  { id: 'beep-1400-250', kind: 'beep', hz: 1400, ms: 250 },
  { id: 'beep-700-800', kind: 'beep', hz: 700, ms: 800 },
];

export const SPEECH_DEFS: readonly SpeechDef[] = DEFS.filter((d): d is SpeechDef => d.kind !== 'beep');

/** Beeps: a sine with 8 ms half-sine fades, peak at -6 dBFS (what voicemail systems play, 250-800 ms). */
const BEEP_PEAK = 0.5;
const BEEP_FADE_MS = 8;

export function synthBeep(hz: number, ms: number, rate = 8000): Int16Array {
  const n = Math.round((ms * rate) / 1000);
  const fade = Math.round((BEEP_FADE_MS * rate) / 1000);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const edge = Math.min(i, n - 1 - i);
    const env = edge >= fade ? 1 : Math.sin((Math.PI / 2) * (edge / fade));
    out[i] = Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * env * BEEP_PEAK * 32767);
  }
  return out;
}

const MANIFEST = 'manifest.json';

interface Manifest {
  version: string;
  clips: ClipInfo[];
}

let versionMemo: Promise<string> | null = null;

/** Hash of the definitions, the beep recipe and the committed voices: what the folder's files derive from. */
export function audioVersion(): Promise<string> {
  versionMemo ??= (async () => {
    const h = createHash('sha256').update(JSON.stringify([DEFS, BEEP_PEAK, BEEP_FADE_MS, 2]));
    for (const d of SPEECH_DEFS) h.update(await readVoice(d.id));
    return h.digest('hex').slice(0, 16);
  })();
  return versionMemo;
}

async function readVoice(id: string): Promise<Buffer> {
  try {
    return await readFile(join(VOICES_DIR, `${id}.ulaw`));
  } catch (e) {
    throw new AppError('E_PROMPT', `sandbox audio: the voice file sip/sandbox/voices/${id}.ulaw is missing from this copy of the box (run sip/sandbox/render-voices.ts, or restore it from the release)`, { clip: id }, { cause: e });
  }
}

async function render(def: ClipDef): Promise<Int16Array> {
  if (def.kind === 'beep') return synthBeep(def.hz, def.ms);
  return decodeG711('pcmu', await readVoice(def.id));
}

function fileOf(dir: string, id: string, law: G711Law): string {
  return join(dir, `${id}.${law}`);
}

async function readManifest(dir: string): Promise<Manifest | null> {
  try {
    const m = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as Manifest;
    if (m.version !== (await audioVersion()) || !Array.isArray(m.clips)) return null;
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
  const manifest: Manifest = { version: await audioVersion(), clips };
  await writeFile(join(into, MANIFEST), JSON.stringify(manifest, null, 2));
  return manifest;
}

/**
 * Make sure `dir` holds the current sandbox audio, writing it when missing or out of date (well under a
 * second, about 800 kB for both laws). Safe when several processes start at once: each builds in a private
 * folder and moves it into place only while no valid folder is there. A valid folder is never moved aside:
 * only a missing one is filled, and only one found out of date or damaged is replaced.
 */
export async function ensureSandboxAudio(dir: string): Promise<ClipInfo[]> {
  const existing = await readManifest(dir);
  if (existing) return existing.clips;
  await mkdir(dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const made = await generate(tmp);
    for (let attempt = 0; ; attempt++) {
      const now = await readManifest(dir);
      if (now) return now.clips;
      // Another process may be between its check and its move: a folder that exists but reads as not valid
      // is replaced only when it is still not valid after a short wait.
      if (existsSync(dir) && attempt > 0) {
        const old = `${dir}.old-${randomBytes(4).toString('hex')}`;
        await rename(dir, old).catch(() => {});
        const displaced = await readManifest(old);
        // Raced with a process that had just moved a good folder in: put it back (it stays if ours wins).
        if (displaced) await rename(old, dir).catch(() => {});
        await rm(old, { recursive: true, force: true });
      }
      try {
        await rename(tmp, dir);
        return made.clips;
      } catch (e) {
        if (attempt >= 20) throw e;
        await new Promise((r) => setTimeout(r, 10 + attempt * 10));
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Read every clip; a folder replaced by another process while we read is read again. */
async function loadClips(dir: string, tries = 3): Promise<Clip[]> {
  const infos = await ensureSandboxAudio(dir);
  try {
    return await Promise.all(infos.map(async (c): Promise<Clip> => ({
      ...c,
      pcmu: await readFile(fileOf(dir, c.id, 'pcmu')),
      pcma: await readFile(fileOf(dir, c.id, 'pcma')),
    })));
  } catch (e) {
    if (tries <= 1 || (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    return loadClips(dir, tries - 1);
  }
}

/** Ensure, then load every clip into memory (both laws), grouped by kind. */
export async function loadSandboxAudio(dir: string): Promise<SandboxAudio> {
  const clips = await loadClips(dir);
  const order = (a: Clip, b: Clip) => a.id.localeCompare(b.id);
  return {
    dir,
    utterances: clips.filter((c) => c.kind === 'utterance').sort(order),
    greetings: clips.filter((c) => c.kind === 'greeting').sort(order),
    answers: clips.filter((c) => c.kind === 'answer').sort(order),
    beeps: clips.filter((c) => c.kind === 'beep').sort(order),
  };
}

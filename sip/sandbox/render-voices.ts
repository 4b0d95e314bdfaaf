// Maintainers' tool, not run by the box: renders the sandbox's speech (SPEECH_DEFS in audio.ts) with
// Debian espeak-ng and sox into sip/sandbox/voices/<id>.ulaw, which are committed so the box needs
// neither. Run after changing a definition: `npx tsx sip/sandbox/render-voices.ts [--out DIR]`.
// Recipe: espeak-ng's voice, telephone band (300-3400 Hz), leading and trailing silence trimmed, peak
// at -4 dBFS, 8 kHz, then mu-law.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError } from '../../core/errors.ts';
import { encodeG711 } from '../../media/dsp/g711.ts';
import { firstErrorLine, runTool } from '../../media/prompts/tools.ts';
import { SPEECH_DEFS, VOICES_DIR, type SpeechDef } from './audio.ts';

const SPEECH_EFFECTS = ['sinc', '300-3400', 'silence', '1', '0.02', '1%', 'reverse', 'silence', '1', '0.02', '1%', 'reverse', 'gain', '-n', '-4'];
const RAW_8K = ['-r', '8000', '-c', '1', '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-L'];

async function tool(cmd: string, args: string[], stdin?: Buffer): Promise<Buffer> {
  const r = await runTool(cmd, args, { timeoutMs: 60_000, ...(stdin ? { stdin } : {}) });
  if (r.code !== 0) throw new AppError('E_PROMPT', `sandbox voices: ${cmd} failed: ${firstErrorLine(r.stderr)}`, { tool: cmd });
  return r.stdout;
}

/** One clip as 16-bit 8 kHz samples. */
export async function renderVoice(def: SpeechDef): Promise<Int16Array> {
  const wav = await tool('espeak-ng', ['-v', def.voice, '-s', String(def.rate), '--stdout', def.text]);
  const raw = Buffer.from(await tool('sox', ['-t', 'wav', '-', ...RAW_8K, '-', ...SPEECH_EFFECTS], wav));
  if (raw.length < 800) throw new AppError('E_PROMPT', `sandbox voices: ${def.id} came out empty`, { clip: def.id });
  return new Int16Array(raw.buffer, raw.byteOffset, raw.length >> 1);
}

export async function renderVoices(outDir: string = VOICES_DIR): Promise<Array<{ id: string; bytes: number }>> {
  await mkdir(outDir, { recursive: true });
  const made: Array<{ id: string; bytes: number }> = [];
  for (const def of SPEECH_DEFS) {
    const ulaw = encodeG711('pcmu', await renderVoice(def));
    await writeFile(join(outDir, `${def.id}.ulaw`), ulaw);
    made.push({ id: def.id, bytes: ulaw.length });
  }
  return made;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? process.argv[i + 1] : undefined;
  for (const v of await renderVoices(out)) process.stdout.write(`${v.id}: ${v.bytes} bytes (${(v.bytes / 8000).toFixed(2)} s)\n`);
}

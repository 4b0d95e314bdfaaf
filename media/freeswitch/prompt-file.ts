// The file FreeSWITCH plays for a prompt: the library's 8 kHz 16-bit WAV when the recording has one
// (mod_sndfile reads it), otherwise a WAV made once from the G.711 copy and cached by content.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PromptRef } from '../../core/call-port.ts';
import { AppError } from '../../core/errors.ts';
import { decodeG711 } from '../dsp/g711.ts';
import { wavHeader } from '../prompts/pcm.ts';

/**
 * Absolute path of a WAV FreeSWITCH can play for this prompt, and its length in ms. A WAV made from
 * the G.711 copy goes next to it (FreeSWITCH can read the library; under systemd it cannot see the
 * box's private /tmp), or to cacheDir when that folder is not writable. cacheDir is the engine's
 * folder in the box's state folder (freeswitchDirs()), never a fixed name in the system's temp
 * folder, where another local user could make it first and put their own audio (or links) in it.
 */
export function playableWav(prompt: PromptRef, cacheDir: string): { file: string; ms: number } {
  if (prompt.wav && fs.existsSync(prompt.wav)) {
    const size = fs.statSync(prompt.wav).size;
    return { file: path.resolve(prompt.wav), ms: Math.max(0, Math.round((size - 44) / 16)) };
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(prompt.pcmu);
  } catch {
    throw new AppError('E_PROMPT', 'The recording\'s files are missing', { id: prompt.id });
  }
  const key = createHash('sha1').update(`${path.resolve(prompt.pcmu)}|${st.size}|${st.mtimeMs}`).digest('hex').slice(0, 20);
  const ms = Math.round(st.size / 8);
  const beside = path.join(path.dirname(path.resolve(prompt.pcmu)), `.fs-${key}.wav`);
  const cached = path.join(cacheDir, `${key}.wav`);
  for (const file of [beside, cached]) if (fs.existsSync(file)) return { file, ms };
  const pcm = decodeG711('pcmu', fs.readFileSync(prompt.pcmu));
  const body = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const wav = Buffer.concat([wavHeader(body.length), body]);
  for (const file of [beside, cached]) {
    try {
      // group-readable: FreeSWITCH reads through the box's group, as it reads the library
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o750 });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, wav, { mode: 0o644 });
      fs.renameSync(tmp, file);
      return { file, ms };
    } catch { /* not writable: try the next place */ }
  }
  throw new AppError('E_PROMPT', 'No folder to write the prompt\'s WAV for FreeSWITCH', { id: prompt.id });
}

// What a callee hears while a transfer rings, when the flow names no prompt of its own: a soft, slow
// arpeggio (no speech, no tone a DTMF or SIT detector could mistake), written once as 8 kHz G.711 files
// in the state folder like any recording, so every engine plays it the same way.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PromptRef } from '../../core/call-port.ts';
import { alawEncode, ulawEncode } from '../../media/dsp/g711.ts';

const RATE = 8000;
/** C major and A minor arpeggios (Hz): far from the DTMF rows (697-941) and columns' pairs, and from SIT's 913-1777 sequence. */
const NOTES = [262, 330, 392, 523, 392, 330, 220, 262, 330, 440, 330, 262];
const NOTE_MS = 400;

/** The music's samples: each note with a soft attack and decay, at a low level (-20 dBFS peak). */
export function holdMusicPcm(): Int16Array {
  const per = (RATE * NOTE_MS) / 1000;
  const out = new Int16Array(per * NOTES.length);
  NOTES.forEach((f, n) => {
    for (let i = 0; i < per; i++) {
      const env = Math.min(1, i / 240) * Math.min(1, (per - i) / 800);
      out[n * per + i] = Math.round(3270 * env * Math.sin((2 * Math.PI * f * i) / RATE));
    }
  });
  return out;
}

/** The hold music as a prompt, written under `<dir>` on first use. */
export function holdMusic(dir: string): PromptRef {
  const pcmu = join(dir, 'hold-music.pcmu');
  const pcma = join(dir, 'hold-music.pcma');
  if (!existsSync(pcmu) || !existsSync(pcma)) {
    mkdirSync(dir, { recursive: true });
    const pcm = holdMusicPcm();
    writeFileSync(pcmu, ulawEncode(pcm));
    writeFileSync(pcma, alawEncode(pcm));
  }
  return { id: 'hold-music', pcmu, pcma };
}

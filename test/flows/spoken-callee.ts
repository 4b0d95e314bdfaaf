// A callee who speaks one sentence, as the audio file source of baresip: a short silence (the callee
// listens to the question), the sentence (espeak-ng, 8 kHz), then a long silence that ends the recording.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readPcm8k } from '../peers/audio.ts';

export interface SpokenCallee {
  /** The whole source: lead-in silence, the sentence, trailing silence (8 kHz, 16-bit mono WAV). */
  source: string;
  /** The sentence alone, as samples, and its length. */
  speech: Int16Array;
  speechMs: number;
}

export function spokenCallee(dir: string, sentence: string, o: { leadS?: number; tailS?: number } = {}): SpokenCallee {
  const p = (name: string): string => join(dir, name);
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '160', '-w', p('speech.wav'), sentence]);
  execFileSync('sox', [p('speech.wav'), '-r', '8000', '-c', '1', '-b', '16', p('speech8k.wav')]);
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', p('lead.wav'), 'trim', '0', String(o.leadS ?? 1.5)]);
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', p('tail.wav'), 'trim', '0', String(o.tailS ?? 20)]);
  execFileSync('sox', [p('lead.wav'), p('speech8k.wav'), p('tail.wav'), p('callee.wav')]);
  const speech = readPcm8k(p('speech8k.wav'));
  return { source: p('callee.wav'), speech, speechMs: (speech.length / 8000) * 1000 };
}

export interface Recording {
  id: string;
  name: string;
  durationMs: number;
  loudnessLufs: number;
  waveform: number[];
  source: 'upload' | 'tts';
  format?: string;
  originalName?: string;
  tts?: { text: string; voice: string; rate: number } | null;
  createdAt: string;
}

export const VOICES = ['fr', 'fr+f2', 'en', 'en-us', 'en+f3', 'de', 'es'] as const;

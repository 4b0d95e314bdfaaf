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

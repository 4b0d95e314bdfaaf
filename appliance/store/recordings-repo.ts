// Recordings' metadata; the audio files themselves live under <data>/recordings.
import type { Db } from './db.ts';
import type { PromptRef } from '../call-port.ts';
import { AppError } from '../errors.ts';

export interface RecordingRow {
  id: string;
  name: string;
  prompt: PromptRef;
  durationMs: number;
  loudnessLufs: number | null;
  waveform: number[];
  source: 'upload' | 'tts' | 'browser' | 'cli';
  createdAt: string;
}

interface Raw { id: string; name: string; prompt: string; duration_ms: number; loudness_lufs: number | null; waveform: string | null; source: RecordingRow['source']; created_at: string }

const toRow = (r: Raw): RecordingRow => ({
  id: r.id, name: r.name, prompt: JSON.parse(r.prompt) as PromptRef, durationMs: r.duration_ms, loudnessLufs: r.loudness_lufs,
  waveform: r.waveform ? (JSON.parse(r.waveform) as number[]) : [], source: r.source, createdAt: r.created_at,
});

export class RecordingsRepo {
  constructor(private readonly db: Db) {}

  add(r: Omit<RecordingRow, 'createdAt'>): RecordingRow {
    this.db.prepare('INSERT INTO recordings (id, name, prompt, duration_ms, loudness_lufs, waveform, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(r.id, r.name, JSON.stringify(r.prompt), r.durationMs, r.loudnessLufs, JSON.stringify(r.waveform), r.source, new Date().toISOString());
    return this.get(r.id);
  }

  get(id: string): RecordingRow {
    const r = this.db.prepare('SELECT * FROM recordings WHERE id = ?').get(id) as Raw | undefined;
    if (!r) throw new AppError('E_NOT_FOUND', `no recording "${id}"`, { recording: id });
    return toRow(r);
  }

  list(): RecordingRow[] {
    return (this.db.prepare('SELECT * FROM recordings ORDER BY created_at DESC').all() as Raw[]).map(toRow);
  }

  rename(id: string, name: string): void {
    if (this.db.prepare('UPDATE recordings SET name = ? WHERE id = ?').run(name, id).changes === 0) throw new AppError('E_NOT_FOUND', `no recording "${id}"`, { recording: id });
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM recordings WHERE id = ?').run(id);
  }
}

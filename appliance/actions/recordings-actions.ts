// Recordings: an audio file imported (the door has put it on the box), one made by text-to-speech,
// renamed, deleted. Imports are normalised and pre-encoded by media/prompts.
import { AppError } from '../../core/errors.ts';
import { templateTokens } from '../../media/prompts/template.ts';
import { defineAction, type ActionEnv, type RecordingsPort } from './action.ts';

const recordingId = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' } as const;
const name = { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' } as const;
const recordingSubject = (i: { id?: unknown }): string | null => (typeof i?.id === 'string' ? `recording:${i.id}` : null);

export function recordings(env: ActionEnv): RecordingsPort {
  if (!env.recordings) throw new AppError('E_NOT_FOUND', 'this box keeps no recordings here');
  return env.recordings;
}

export const recordingUpload = defineAction({
  name: 'recording.upload', role: 'operator', doors: ['http'],
  input: { type: 'object', required: ['file', 'name'], additionalProperties: false, properties: { file: { type: 'string', minLength: 1 }, name, originalName: { type: 'string', maxLength: 200 } } },
  run: (env, i: { file: string; name: string; originalName?: string }) => recordings(env).importFile(i.file, { name: i.name, ...(i.originalName ? { originalName: i.originalName } : {}) }),
  audit: (_i, r) => ({ subject: `recording:${r.id}`, details: { name: r.name } }),
  subject: () => null,
});

export const recordingTts = defineAction({
  name: 'recording.tts', role: 'operator', doors: ['http'],
  input: {
    type: 'object', required: ['text', 'voice'], additionalProperties: false,
    properties: { text: { type: 'string', minLength: 1, maxLength: 5000 }, voice: { type: 'string', minLength: 2, maxLength: 20 }, rate: { type: 'integer', minimum: 80, maximum: 400 }, name },
  },
  run: (env, i: { text: string; voice: string; rate?: number; name?: string }) => {
    // A recording is one file heard by everyone: a {token} would be read out as its name. Personalised
    // messages are rendered per contact by the campaign's own text-to-speech option.
    const tokens = templateTokens(i.text);
    if (tokens.length > 0) {
      const list = tokens.map((x) => `{${x}}`).join(', ');
      throw new AppError('E_RECORDING_TOKENS', `a recording is the same for every contact and would read ${list} aloud as written; for a message personalised per contact, choose "Text-to-speech, personalised per contact" in the campaign form`, { field: 'text', tokens: list });
    }
    return recordings(env).synthesize(i.text, { voice: i.voice, name: i.name ?? i.text.slice(0, 60), ...(i.rate ? { rate: i.rate } : {}) });
  },
  audit: (i, r) => ({ subject: `recording:${r.id}`, details: { name: r.name, voice: i.voice } }),
  subject: () => null,
});

export const recordingRename = defineAction({
  name: 'recording.rename', role: 'operator', doors: ['http'],
  input: { type: 'object', required: ['id', 'name'], additionalProperties: false, properties: { id: recordingId, name } },
  run: (env, i: { id: string; name: string }) => recordings(env).rename(i.id, i.name.trim()),
  audit: (_i, r) => ({ subject: `recording:${r.id}`, details: { name: r.name } }),
  subject: recordingSubject,
});

export const recordingDelete = defineAction({
  name: 'recording.delete', role: 'operator', doors: ['http'],
  input: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: recordingId } },
  run: async (env, i: { id: string }) => {
    const lib = recordings(env);
    await lib.remove(i.id, (id) => lib.inUse(id));
    return { id: i.id };
  },
  audit: (i) => ({ subject: `recording:${i.id}` }),
  subject: recordingSubject,
});

export const RECORDING_ACTIONS = [recordingUpload, recordingTts, recordingRename, recordingDelete];

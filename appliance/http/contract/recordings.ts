// Recordings (the messages a campaign plays) and the test call of a trunk.
import { Nullable, StringEnum, Type, type Static } from './kit.ts';

const str = Type.String();

export const Tts = Type.Object({ text: str, voice: str, rate: Type.Optional(Type.Number()) });

export const Recording = Type.Object({
  id: str,
  name: str,
  durationMs: Type.Integer(),
  loudnessLufs: Type.Number(),
  waveform: Type.Array(Type.Number()),
  source: StringEnum(['upload', 'tts'] as const),
  format: Type.Optional(str),
  originalName: Type.Optional(str),
  tts: Type.Optional(Nullable(Tts)),
  createdAt: str,
});
export type Recording = Static<typeof Recording>;

export const RecordingParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' }) });
export type RecordingParams = Static<typeof RecordingParams>;
export const UploadQuery = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), filename: Type.Optional(Type.String({ maxLength: 200 })) });
export type UploadQuery = Static<typeof UploadQuery>;

/** What text-to-speech needs, shared by creating a recording and previewing a personalised one. */
const ttsFields = {
  text: Type.String({ minLength: 1, maxLength: 5000 }),
  voice: Type.String({ minLength: 2, maxLength: 20, description: "espeak-ng voice such as 'en', 'en-us', 'fr', 'fr+f2'" }),
  rate: Type.Optional(Type.Integer({ minimum: 80, maximum: 400 })),
};
export const TtsBody = Type.Object({ ...ttsFields, name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, { additionalProperties: false });
export type TtsBody = Static<typeof TtsBody>;
export const TtsPreviewBody = Type.Object({ ...ttsFields, fields: Type.Optional(Type.Record(Type.String(), Type.String())) }, { additionalProperties: false });
export type TtsPreviewBody = Static<typeof TtsPreviewBody>;
export const RenameBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }) }, { additionalProperties: false });
export type RenameBody = Static<typeof RenameBody>;

export const TestCallParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });
export type TestCallParams = Static<typeof TestCallParams>;
export const TestCallBody = Type.Object({
  to: Type.String({ minLength: 3, maxLength: 200, description: 'E.164 number (+33612345678) or sip: URI' }),
  recordingId: Type.String({ minLength: 1, maxLength: 64 }),
}, { additionalProperties: false });
export type TestCallBody = Static<typeof TestCallBody>;
export const TestCallReply = Type.Object({
  trunk: str,
  outcome: str,
  sipCode: Nullable(Type.Integer()),
  q850: Nullable(Type.Integer()),
  dtmf: str,
  durations: Type.Object({ setupMs: Type.Number(), ringMs: Type.Number(), talkMs: Type.Number() }),
  messagePlayedMs: Type.Number(),
  messageCompleted: Type.Boolean(),
  endedBy: str,
});
export type TestCallReply = Static<typeof TestCallReply>;

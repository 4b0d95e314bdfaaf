// Recordings: list, upload (the raw file as application/octet-stream, streamed to disk first),
// text-to-speech, play back, delete. Imports are normalised and pre-encoded by media/prompts.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { previewTts } from '../../../media/prompts/tts.ts';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import { actionRoute, okSchema, requireRole, sessionOf } from '../route-kit.ts';
import { staffOf } from '../staff-audit.ts';
import { removeUpload, saveUpload } from '../uploads.ts';
import { AppError } from '../../../core/errors.ts';
import type { RecordingLibrary, RecordingMeta } from '../../recordings.ts';

const recordingSchema = {
  type: 'object',
  required: ['id', 'name', 'durationMs', 'loudnessLufs', 'waveform', 'source', 'createdAt'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    durationMs: { type: 'integer' },
    loudnessLufs: { type: 'number' },
    waveform: { type: 'array', items: { type: 'number' } },
    source: { type: 'string', enum: ['upload', 'tts'] },
    format: { type: 'string' },
    originalName: { type: 'string' },
    tts: { type: 'object', nullable: true, properties: { text: { type: 'string' }, voice: { type: 'string' }, rate: { type: 'number' } } },
    createdAt: { type: 'string' },
  },
} as const;

/** What text-to-speech needs, shared by creating a recording and previewing a personalised one. */
const ttsProperties = {
  text: { type: 'string', minLength: 1, maxLength: 5000 },
  voice: { type: 'string', minLength: 2, maxLength: 20, description: "espeak-ng voice such as 'en', 'en-us', 'fr', 'fr+f2'" },
  rate: { type: 'integer', minimum: 80, maximum: 400 },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' } } } as const;

function view(r: RecordingMeta): Record<string, unknown> {
  return {
    id: r.id, name: r.name, durationMs: Math.round(r.durationMs), loudnessLufs: r.loudnessLufs, waveform: r.waveform, source: r.source,
    format: r.format, originalName: r.originalName, tts: r.tts ?? null, createdAt: r.createdAt,
  };
}

export function recordingRoutes(library: RecordingLibrary) {
  return (app: FastifyInstance, ctx: HttpContext): void => {
    // The raw file as the body, handed on as a stream (this module is its own fastify scope).
    app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

    app.get('/api/recordings', {
      config: requireRole('viewer'),
      schema: { summary: 'Recordings with duration, loudness and waveform', tags: ['recordings'], response: { 200: { type: 'array', items: recordingSchema } } },
    }, async () => library.list().map(view));

    app.post<{ Querystring: { name: string; filename?: string } }>('/api/recordings', {
      config: actionRoute('operator', 'recording.upload'),
      schema: {
        summary: 'Upload a recording (WAV, MP3, OGG/Opus, M4A/AAC, FLAC, WebM) as the raw request body',
        tags: ['recordings'],
        consumes: ['application/octet-stream'],
        querystring: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, filename: { type: 'string', maxLength: 200 } } },
        response: { 201: recordingSchema },
      },
    }, async (req, reply) => {
      if (req.headers['content-type']?.split(';')[0]?.trim() !== 'application/octet-stream') {
        throw new AppError('E_REQUEST_INVALID', 'Send the audio file as the request body with content-type application/octet-stream.', { header: 'content-type' });
      }
      const upload = await saveUpload(ctx.uploadsDir, req.body as Readable, { fileName: req.query.filename ?? 'recording', username: sessionOf(req).username, limit: 100 * 1024 * 1024, now: ctx.now() });
      try {
        const r = await ctx.actions.run<RecordingMeta>(staffOf(req), 'recording.upload', { file: upload.path, name: req.query.name, originalName: req.query.filename ?? upload.fileName });
        return reply.code(201).send(view(r));
      } finally {
        await removeUpload(ctx.uploadsDir, upload);
      }
    });

    app.post<{ Body: { text: string; voice: string; name?: string; rate?: number } }>('/api/recordings/tts', {
      config: actionRoute('operator', 'recording.tts'),
      schema: {
        summary: 'Create a recording by text-to-speech (espeak-ng, offline)',
        tags: ['recordings'],
        body: {
          type: 'object',
          required: ['text', 'voice'],
          additionalProperties: false,
          properties: { ...ttsProperties, name: { type: 'string', minLength: 1, maxLength: 100 } },
        },
        response: { 201: recordingSchema },
      },
    }, async (req, reply) => {
      // A {token} in the text is refused by the action: personalised messages are the campaign's own text-to-speech.
      const r = await ctx.actions.run<RecordingMeta>(staffOf(req), 'recording.tts', req.body);
      return reply.code(201).send(view(r));
    });

    app.post<{ Body: { text: string; voice: string; rate?: number; fields?: Record<string, string> } }>('/api/recordings/tts/preview', {
      config: requireRole('operator'),
      schema: {
        summary: 'Hear a personalised text-to-speech message with sample fields ({first_name}, ...) before using it',
        tags: ['recordings'],
        body: {
          type: 'object',
          required: ['text', 'voice'],
          additionalProperties: false,
          properties: { ...ttsProperties, fields: { type: 'object', additionalProperties: { type: 'string' } } },
        },
        response: { 200: { type: 'string', format: 'binary' } },
      },
    }, async (req, reply) => {
      const wav = await previewTts(req.body.text, { voice: req.body.voice, libraryDir: join(library.dir, '..', 'previews'), ...(req.body.rate ? { rate: req.body.rate } : {}), fields: req.body.fields ?? {} });
      reply.header('content-type', 'audio/wav');
      return reply.send(createReadStream(wav));
    });

    app.get<{ Params: { id: string } }>('/api/recordings/:id/audio', {
      config: requireRole('viewer'),
      schema: { summary: 'The stored 8 kHz WAV, as callers hear it', tags: ['recordings'], params: idParams, response: { 200: { type: 'string', format: 'binary' } } },
    }, async (req, reply) => {
      const r = library.get(req.params.id);
      if (!r.prompt.wav) throw new AppError('E_NOT_FOUND', `recording "${r.id}" has no WAV file`, { recording: r.id });
      reply.header('content-type', 'audio/wav');
      return reply.send(createReadStream(r.prompt.wav));
    });

    app.put<{ Params: { id: string }; Body: { name: string } }>('/api/recordings/:id', {
      config: actionRoute('operator', 'recording.rename'),
      schema: {
        summary: 'Rename a recording (campaigns refer to its id, which does not change)',
        tags: ['recordings'],
        params: idParams,
        body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' } } },
        response: { 200: recordingSchema },
      },
    }, async (req) => {
      return view(await ctx.actions.run<RecordingMeta>(staffOf(req), 'recording.rename', { id: req.params.id, name: req.body.name }));
    });

    app.delete<{ Params: { id: string } }>('/api/recordings/:id', {
      config: actionRoute('operator', 'recording.delete'),
      schema: { summary: 'Delete a recording that no unfinished campaign uses', tags: ['recordings'], params: idParams, response: { 200: okSchema } },
    }, async (req) => {
      await ctx.actions.run(staffOf(req), 'recording.delete', { id: req.params.id });
      return { ok: true };
    });
  };
}

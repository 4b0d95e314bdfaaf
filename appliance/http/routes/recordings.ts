// Recordings: list, upload (the raw file as application/octet-stream, streamed to disk first),
// text-to-speech, play back, delete. Imports are normalised and pre-encoded by media/prompts.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { previewTts } from '../../../media/prompts/tts.ts';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import { actionRoute, requireRole, sessionOf } from '../route-kit.ts';
import { Binary, Ok, Type } from '../contract/kit.ts';
import { Recording, RecordingParams, RenameBody, TtsBody, TtsPreviewBody, UploadQuery } from '../contract/recordings.ts';
import { staffOf } from '../staff-audit.ts';
import { removeUpload, saveUpload } from '../uploads.ts';
import { AppError } from '../../../core/errors.ts';
import type { RecordingLibrary, RecordingMeta } from '../../recordings.ts';

function view(r: RecordingMeta): Recording {
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
      schema: { summary: 'Recordings with duration, loudness and waveform', tags: ['recordings'], response: { 200: Type.Array(Recording) } },
    }, async () => library.list().map(view));

    app.post<{ Querystring: UploadQuery }>('/api/recordings', {
      config: actionRoute('operator', 'recording.upload'),
      schema: {
        summary: 'Upload a recording (WAV, MP3, OGG/Opus, M4A/AAC, FLAC, WebM) as the raw request body',
        tags: ['recordings'],
        consumes: ['application/octet-stream'],
        querystring: UploadQuery,
        response: { 201: Recording },
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

    app.post<{ Body: TtsBody }>('/api/recordings/tts', {
      config: actionRoute('operator', 'recording.tts'),
      schema: {
        summary: 'Create a recording by text-to-speech (espeak-ng, offline)',
        tags: ['recordings'],
        body: TtsBody,
        response: { 201: Recording },
      },
    }, async (req, reply) => {
      // A {token} in the text is refused by the action: personalised messages are the campaign's own text-to-speech.
      const r = await ctx.actions.run<RecordingMeta>(staffOf(req), 'recording.tts', req.body);
      return reply.code(201).send(view(r));
    });

    app.post<{ Body: TtsPreviewBody }>('/api/recordings/tts/preview', {
      config: requireRole('operator'),
      schema: {
        summary: 'Hear a personalised text-to-speech message with sample fields ({first_name}, ...) before using it',
        tags: ['recordings'],
        body: TtsPreviewBody,
        response: { 200: Binary },
      },
    }, async (req, reply) => {
      const wav = await previewTts(req.body.text, { voice: req.body.voice, libraryDir: join(library.dir, '..', 'previews'), ...(req.body.rate ? { rate: req.body.rate } : {}), fields: req.body.fields ?? {} });
      reply.header('content-type', 'audio/wav');
      return reply.send(createReadStream(wav));
    });

    app.get<{ Params: RecordingParams }>('/api/recordings/:id/audio', {
      config: requireRole('viewer'),
      schema: { summary: 'The stored 8 kHz WAV, as callers hear it', tags: ['recordings'], params: RecordingParams, response: { 200: Binary } },
    }, async (req, reply) => {
      const r = library.get(req.params.id);
      if (!r.prompt.wav) throw new AppError('E_NOT_FOUND', `recording "${r.id}" has no WAV file`, { recording: r.id });
      reply.header('content-type', 'audio/wav');
      return reply.send(createReadStream(r.prompt.wav));
    });

    app.put<{ Params: RecordingParams; Body: RenameBody }>('/api/recordings/:id', {
      config: actionRoute('operator', 'recording.rename'),
      schema: {
        summary: 'Rename a recording (campaigns refer to its id, which does not change)',
        tags: ['recordings'],
        params: RecordingParams,
        body: RenameBody,
        response: { 200: Recording },
      },
    }, async (req) => {
      return view(await ctx.actions.run<RecordingMeta>(staffOf(req), 'recording.rename', { id: req.params.id, name: req.body.name }));
    });

    app.delete<{ Params: RecordingParams }>('/api/recordings/:id', {
      config: actionRoute('operator', 'recording.delete'),
      schema: { summary: 'Delete a recording that no unfinished campaign uses', tags: ['recordings'], params: RecordingParams, response: { 200: Ok } },
    }, async (req) => {
      await ctx.actions.run(staffOf(req), 'recording.delete', { id: req.params.id });
      return { ok: true };
    });
  };
}

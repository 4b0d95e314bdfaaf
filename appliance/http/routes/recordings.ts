// Recordings: list, upload (the raw file as application/octet-stream, streamed to disk first),
// text-to-speech, play back, delete. Imports are normalised and pre-encoded by media/prompts.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { previewTts } from '../../../media/prompts/tts.ts';
import { templateTokens } from '../../../media/prompts/template.ts';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import { requireRole, sessionOf } from '../route-kit.ts';
import { Binary, Ok, Type } from '../contract/kit.ts';
import { Recording, RecordingParams, RenameBody, TtsBody, TtsPreviewBody, UploadQuery } from '../contract/recordings.ts';
import { auditStaff } from '../staff-audit.ts';
import { removeUpload, saveUpload } from '../uploads.ts';
import { AppError } from '../../../core/errors.ts';
import type { RecordingLibrary, RecordingMeta } from '../../recordings.ts';

function view(r: RecordingMeta): Recording {
  return {
    id: r.id, name: r.name, durationMs: Math.round(r.durationMs), loudnessLufs: r.loudnessLufs, waveform: r.waveform, source: r.source,
    format: r.format, originalName: r.originalName, tts: r.tts ?? null, createdAt: r.createdAt,
  };
}

export function recordingRoutes(library: RecordingLibrary, inUse: (id: string) => boolean) {
  return (app: FastifyInstance, ctx: HttpContext): void => {
    // The raw file as the body, handed on as a stream (this module is its own fastify scope).
    app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

    app.get('/api/recordings', {
      config: requireRole('viewer'),
      schema: { summary: 'Recordings with duration, loudness and waveform', tags: ['recordings'], response: { 200: Type.Array(Recording) } },
    }, async () => library.list().map(view));

    app.post<{ Querystring: UploadQuery }>('/api/recordings', {
      config: requireRole('operator'),
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
        const r = await library.importFile(upload.path, { name: req.query.name, originalName: req.query.filename ?? upload.fileName });
        auditStaff(ctx, req, 'recording.upload', `recording:${r.id}`, { name: req.query.name });
        return reply.code(201).send(view(r));
      } finally {
        await removeUpload(ctx.uploadsDir, upload);
      }
    });

    app.post<{ Body: TtsBody }>('/api/recordings/tts', {
      config: requireRole('operator'),
      schema: {
        summary: 'Create a recording by text-to-speech (espeak-ng, offline)',
        tags: ['recordings'],
        body: TtsBody,
        response: { 201: Recording },
      },
    }, async (req, reply) => {
      // A recording is one file heard by everyone: a {token} would be read out as its name. Personalised
      // messages are rendered per contact by the campaign's own text-to-speech option.
      const tokens = templateTokens(req.body.text);
      if (tokens.length > 0) {
        const list = tokens.map((x) => `{${x}}`).join(', ');
        throw new AppError('E_RECORDING_TOKENS', `a recording is the same for every contact and would read ${list} aloud as written; for a message personalised per contact, choose "Text-to-speech, personalised per contact" in the campaign form`, { field: 'text', tokens: list });
      }
      const r = await library.synthesize(req.body.text, { voice: req.body.voice, name: req.body.name ?? req.body.text.slice(0, 60), rate: req.body.rate });
      auditStaff(ctx, req, 'recording.tts', `recording:${r.id}`, { name: r.name, voice: req.body.voice });
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
      config: requireRole('operator'),
      schema: {
        summary: 'Rename a recording (campaigns refer to its id, which does not change)',
        tags: ['recordings'],
        params: RecordingParams,
        body: RenameBody,
        response: { 200: Recording },
      },
    }, async (req) => {
      const r = await library.rename(req.params.id, req.body.name.trim());
      auditStaff(ctx, req, 'recording.rename', `recording:${r.id}`, { name: r.name });
      return view(r);
    });

    app.delete<{ Params: RecordingParams }>('/api/recordings/:id', {
      config: requireRole('operator'),
      schema: { summary: 'Delete a recording that no unfinished campaign uses', tags: ['recordings'], params: RecordingParams, response: { 200: Ok } },
    }, async (req) => {
      await library.remove(req.params.id, inUse);
      auditStaff(ctx, req, 'recording.delete', `recording:${req.params.id}`);
      return { ok: true };
    });
  };
}

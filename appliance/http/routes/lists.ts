// Contact lists: upload and preview, import (with progress on the live feed), browse, search, delete.
// Uploads are streamed to <dataDir>/uploads (multipart/form-data, or the raw file as
// application/octet-stream), never held in memory, and removed once imported.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { Ajv } from 'ajv';
import type { Readable } from 'node:stream';
import { AppError } from '../../../core/errors.ts';
import type { HttpContext } from '../context.ts';
import type { ImportReport } from '../contacts-port.ts';
import { validationFields } from '../error-handler.ts';
import { jsonTooDeepAt, MAX_JSON_DEPTH } from '../json-body.ts';
import { actionRoute, requireRole, sessionOf } from '../route-kit.ts';
import { findUpload, inUserTerms, isTooLargeError, removeUpload, saveUpload, tooLarge, type Upload } from '../uploads.ts';
import { IdParams, Ok, Type, type Static } from '../contract/kit.ts';
import { ContactPage, ContactsQuery, ImportBody, ImportFields, ImportReport as ImportReportSchema, ListSummary, PreviewQuery, PreviewReply } from '../contract/lists.ts';
import { staffOf } from '../staff-audit.ts';
import { markAudited, wasAudited } from '../../actions/run.ts';
import { parseJsonSafe, UnsafeJsonError } from '../../../core/safe-json.ts';

const OCTET = 'application/octet-stream';
const PROGRESS_EVERY_MS = 250;

const validateImportFields = new Ajv({ allErrors: true }).compile<ImportFields>(ImportFields);

export function listsRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const limit = ctx.uploadLimitBytes;
  void app.register(multipart, { limits: { fileSize: limit, files: 1, fields: 10, fieldSize: 64 * 1024, parts: 12 } });
  // The raw file as the body: handed on as a stream, so the size cap is the upload's, not bodyLimit's.
  app.addContentTypeParser(OCTET, (_req, payload, done) => done(null, payload));

  /** Saves the request's file; for multipart, also returns the text fields that came with it. */
  async function receive(req: FastifyRequest, fileNameHint?: string): Promise<{ upload: Upload; fields: Record<string, string> }> {
    const username = sessionOf(req).username;
    const opts = (fileName: string) => ({ fileName, username, limit, now: ctx.now() });
    if (req.isMultipart()) {
      const fields: Record<string, string> = {};
      let upload: Upload | undefined;
      try {
        for await (const part of req.parts()) {
          if (part.type === 'file') {
            if (upload) {
              part.file.resume();
              continue;
            }
            upload = await saveUpload(ctx.uploadsDir, part.file, opts(part.filename || 'upload'));
            // busboy ends a file cut at the size limit normally and reports it afterwards.
            if (part.file.truncated) throw tooLarge(limit);
          } else if (typeof part.value === 'string') {
            fields[part.fieldname] = part.value;
          }
        }
      } catch (e) {
        if (upload) await removeUpload(ctx.uploadsDir, upload);
        throw isTooLargeError(e) ? tooLarge(limit) : e;
      }
      if (!upload) throw new AppError('E_REQUEST_INVALID', 'No file in the upload: send it in a form field named "file".', { field: 'file' });
      return { upload, fields };
    }
    if (req.headers['content-type']?.split(';')[0]?.trim() === OCTET) {
      return { upload: await saveUpload(ctx.uploadsDir, req.body as Readable, opts(fileNameHint || 'upload')), fields: {} };
    }
    throw new AppError('E_REQUEST_INVALID', `Send the file as multipart/form-data or as ${OCTET}.`, { header: 'content-type' });
  }

  async function runImport(req: FastifyRequest, upload: Upload, f: ImportFields): Promise<ImportReport> {
    const country = f.country ?? ctx.deps.settingsStore.get().box.country;
    let last = 0;
    const base = { uploadId: upload.uploadId, list: f.name };
    try {
      const report = await ctx.actions.run<ImportReport>(staffOf(req), 'list.import', {
        file: upload.path, list: f.name, country, ...(f.mapping ? { mapping: f.mapping } : {}), fileName: upload.fileName,
      }, {
        progress: (p) => {
          const t = ctx.now();
          if (t - last < PROGRESS_EVERY_MS) return;
          last = t;
          ctx.live.publish('import.progress', { ...base, phase: 'reading', rows: p.rows as number, bytesRead: p.bytesRead as number, bytesTotal: p.bytesTotal as number, accepted: p.accepted as number, rejected: p.rejected as number });
        },
      });
      ctx.live.publish('import.progress', { ...base, phase: 'done', rows: report.rows, bytesRead: upload.bytes, bytesTotal: upload.bytes, accepted: report.accepted, rejected: report.rejected.length });
      req.log.info({ by: sessionOf(req).username, list: report.list.id, rows: report.rows, accepted: report.accepted, rejected: report.rejected.length }, 'list imported');
      return report;
    } catch (e) {
      ctx.live.publish('import.progress', { ...base, phase: 'failed', rows: 0, bytesRead: 0, bytesTotal: upload.bytes, accepted: 0, rejected: 0 });
      const shown = inUserTerms(e, upload);
      throw wasAudited(e) ? markAudited(shown) : shown;
    } finally {
      await removeUpload(ctx.uploadsDir, upload);
    }
  }

  app.post<{ Querystring: Static<typeof PreviewQuery>; Reply: PreviewReply }>('/api/lists/preview', {
    config: requireRole('operator'),
    schema: {
      summary: 'Upload a contact file (CSV or XLSX); get its columns, first rows, a suggested mapping and an upload id',
      description: `Send multipart/form-data with the file in field "file", or the raw file as ${OCTET} with ?filename=. The upload is kept for an hour for POST /api/lists.`,
      tags: ['lists'],
      consumes: ['multipart/form-data', OCTET],
      querystring: PreviewQuery,
      response: { 200: PreviewReply },
    },
  }, async (req) => {
    const { upload } = await receive(req, req.query.filename);
    try {
      const preview = await ctx.contacts.preview(upload.path);
      return { uploadId: upload.uploadId, fileName: upload.fileName, bytes: upload.bytes, preview };
    } catch (e) {
      await removeUpload(ctx.uploadsDir, upload);
      throw inUserTerms(e, upload);
    }
  });

  app.post<{ Body: ImportBody | undefined }>('/api/lists', {
    config: actionRoute('operator', 'list.import'),
    schema: {
      summary: 'Import a contact file into a new list; answers with the import report',
      description: 'JSON with the uploadId from POST /api/lists/preview, or multipart/form-data with the file in "file" and the fields ' +
        'name, country and mapping (mapping as JSON text). Progress is published on /api/live as "import.progress". The import commits whole or not at all.',
      tags: ['lists'],
      consumes: ['multipart/form-data'],
      body: { content: { 'application/json': { schema: ImportBody } } },
      response: { 201: ImportReportSchema },
    },
  }, async (req, reply) => {
    const username = sessionOf(req).username;
    let upload: Upload;
    let fields: ImportFields;
    if (req.isMultipart()) {
      const got = await receive(req);
      upload = got.upload;
      const raw: Record<string, unknown> = { ...got.fields };
      try {
        if (typeof raw.mapping === 'string') {
          if (jsonTooDeepAt(raw.mapping) >= 0) throw new RangeError(`nests more than ${MAX_JSON_DEPTH} levels deep`);
          raw.mapping = parseJsonSafe(raw.mapping, 'body.mapping');
        }
      } catch (e) {
        await removeUpload(ctx.uploadsDir, upload);
        if (e instanceof UnsafeJsonError) throw new AppError('E_IMPORT_MAPPING', e.message, { key: e.field }, { fields: [{ key: e.field, message: `the key "${e.key}" is not allowed` }] });
        const why = e instanceof RangeError ? e.message : 'is not valid JSON';
        throw new AppError('E_IMPORT_MAPPING', `mapping ${why}`, { key: 'body.mapping' }, { fields: [{ key: 'body.mapping', message: why }] });
      }
      if (!validateImportFields(raw)) {
        await removeUpload(ctx.uploadsDir, upload);
        const list = validationFields('body', validateImportFields.errors ?? []);
        throw new AppError('E_REQUEST_INVALID', `${list[0]!.key} ${list[0]!.message}`, { key: list[0]!.key }, { fields: list });
      }
      fields = raw;
    } else {
      const body = req.body!;
      upload = await findUpload(ctx.uploadsDir, body.uploadId, username);
      fields = { name: body.name, country: body.country, mapping: body.mapping };
    }
    const report = await runImport(req, upload, fields);
    return reply.code(201).send(report);
  });

  app.get<{ Reply: ListSummary[] }>('/api/lists', {
    config: requireRole('viewer'),
    schema: { summary: 'All contact lists', tags: ['lists'], response: { 200: Type.Array(ListSummary) } },
  }, async () => ctx.contacts.lists());

  app.get<{ Params: IdParams; Querystring: ContactsQuery; Reply: ContactPage }>('/api/lists/:id/contacts', {
    config: requireRole('viewer'),
    schema: {
      summary: 'Browse and search the contacts of a list',
      tags: ['lists'],
      params: IdParams,
      querystring: ContactsQuery,
      response: { 200: ContactPage },
    },
  }, async (req) => {
    const page = ctx.contacts.contacts(req.params.id, { search: req.query.q || undefined, page: req.query.page, pageSize: req.query.pageSize });
    if (!page) throw new AppError('E_NOT_FOUND', `No list with id ${req.params.id}.`, { list: req.params.id });
    return page;
  });

  app.delete<{ Params: IdParams; Reply: Ok }>('/api/lists/:id', {
    config: actionRoute('operator', 'list.delete'),
    schema: { summary: 'Delete a list and its contacts', tags: ['lists'], params: IdParams, response: { 200: Ok } },
  }, async (req) => {
    await ctx.actions.run(staffOf(req), 'list.delete', { id: req.params.id });
    req.log.info({ by: sessionOf(req).username, list: req.params.id }, 'list deleted');
    return { ok: true };
  });
}

// The settings document for admins. PUT takes the whole document (application/json) or a merge patch
// (application/merge-patch+json); the settings store validates it whole and writes nothing on error,
// and its field errors come back as {error: {fields: [{key, message}]}}.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../core/errors.ts';
import { settingsSchema } from '../../config/schema.ts';
import type { Settings } from '../../../core/settings-types.ts';
import type { HttpContext } from '../context.ts';
import { boundedJsonParser } from '../json-body.ts';
import { actionRoute, requireRole } from '../route-kit.ts';
import { mergePatch, redactSettings, restoreSecrets, usersChanged } from '../settings-doc.ts';
import { staffOf } from '../staff-audit.ts';
import { forgedVerifications } from '../../compliance/caller-id.ts';

export const MERGE_PATCH = 'application/merge-patch+json';

const docDescription = 'The settings document; passwords, hashes and secrets read "[redacted]" and are kept when sent back that way.';

export function settingsRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.addContentTypeParser(MERGE_PATCH, { parseAs: 'string' }, boundedJsonParser(app));

  app.get('/api/settings', {
    config: requireRole('admin'),
    schema: { summary: 'Read the settings document (secrets redacted)', tags: ['settings'], response: { 200: { ...settingsSchema, description: docDescription } } },
  }, async () => redactSettings(ctx.deps.settingsStore.stored()));

  app.put<{ Body: Record<string, unknown> }>('/api/settings', {
    config: actionRoute('admin', 'settings.update'),
    schema: {
      summary: 'Replace the settings document, or change part of it with a JSON merge patch',
      description: `Send the whole document as application/json, or only the changed keys as ${MERGE_PATCH} (RFC 7396; null sets a value to null). ` +
        'Users are managed at /api/users. Nothing is written when any field is invalid. Ports and bind addresses apply at the next start.',
      tags: ['settings'],
      body: {
        content: {
          'application/json': { schema: { type: 'object', description: 'the whole settings document' } },
          [MERGE_PATCH]: { schema: { type: 'object', description: 'the keys to change' } },
        },
      },
      response: { 200: { ...settingsSchema, description: docDescription } },
    },
  }, async (req) => {
    const stored = ctx.deps.settingsStore.stored();
    const isPatch = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase() === MERGE_PATCH;
    const next = (isPatch ? mergePatch(stored, req.body) : structuredClone(req.body)) as Record<string, unknown>;
    const fields = restoreSecrets(next, stored);
    if (usersChanged(next, stored)) fields.push({ key: 'users', message: 'users are managed at /api/users' });
    fields.push(...forgedVerifications(next, stored.callerIds));
    if (fields.length > 0) {
      // Refused before the action (the document cannot even be put together); the error handler audits it under the route's action.
      throw new AppError('E_CONFIG_INVALID', `setting ${fields[0]!.key}: ${fields[0]!.message}`, { key: fields[0]!.key }, { fields });
    }
    const { after } = await ctx.actions.run<{ after: Settings }>(staffOf(req), 'settings.update', { settings: next });
    req.log.info({ username: req.session?.username, keys: Object.keys(req.body).slice(0, 20), patch: isPatch }, 'settings changed');
    return redactSettings(after);
  });
}

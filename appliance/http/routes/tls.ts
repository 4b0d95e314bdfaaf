// The web UI's certificate: what it is (fingerprint, SPKI hash, names, validity) for everyone logged in,
// its PEM to import into a browser or an OS trust store, and, for admins, installing one (PEM certificate
// and key) or going back to the box's own. Both changes are actions (audited) and are served at once.
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import { actionRoute, requireRole } from '../route-kit.ts';
import { staffOf } from '../staff-audit.ts';
import { AppError } from '../../../core/errors.ts';
import { TlsInfo } from '../contract/health.ts';

/** The certificate's description, from the API contract. */
export const tlsSchema = TlsInfo;

export function tlsSummary(ctx: HttpContext): TlsInfo {
  const tls = ctx.deps.tls;
  if (!tls) return { enabled: false };
  const v = tls.view();
  return { enabled: true, source: v.source, ...v.info };
}

const pem = { type: 'string', minLength: 1, maxLength: 65536 } as const;

export function tlsRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/api/tls', {
    config: requireRole('viewer'),
    schema: { summary: 'The certificate the web UI is served with: fingerprint, SPKI hash, names, validity', tags: ['tls'], response: { 200: tlsSchema } },
  }, async () => tlsSummary(ctx));

  app.get('/api/tls/certificate.pem', {
    config: requireRole('viewer'),
    schema: { summary: 'The served certificate (PEM), to trust it in a browser or the system', tags: ['tls'], response: { 200: { type: 'string' } } },
  }, async (_req, reply) => {
    const tls = ctx.deps.tls;
    if (!tls) throw new AppError('E_NOT_FOUND', 'HTTPS is off on this box (settings http.tls.enabled): it serves no certificate');
    reply.header('content-disposition', 'attachment; filename="box-certificate.pem"');
    return reply.type('application/x-pem-file').send(tls.current().cert);
  });

  app.post<{ Body: { cert: string; key: string } }>('/api/tls/certificate', {
    config: actionRoute('admin', 'certificate.install'),
    schema: {
      summary: 'Install a certificate (PEM, with its chain after it) and its private key (PEM, no passphrase); served at once',
      tags: ['tls'],
      body: { type: 'object', required: ['cert', 'key'], additionalProperties: false, properties: { cert: pem, key: pem } },
      response: { 200: tlsSchema },
    },
  }, async (req) => {
    await ctx.actions.run(staffOf(req), 'certificate.install', { cert: req.body.cert, key: req.body.key });
    req.log.info({ user: req.session?.username }, 'certificate installed');
    return tlsSummary(ctx);
  });

  app.post('/api/tls/use-own', {
    config: actionRoute('admin', 'certificate.use-own'),
    schema: { summary: 'Remove the installed certificate: the box serves its own again', tags: ['tls'], response: { 200: tlsSchema } },
  }, async (req) => {
    await ctx.actions.run(staffOf(req), 'certificate.use-own', {});
    req.log.info({ user: req.session?.username }, 'back to the box\'s own certificate');
    return tlsSummary(ctx);
  });
}

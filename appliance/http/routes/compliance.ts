// Compliance API: rule packs, preflight and start check of a campaign, the do-not-call list (add,
// remove with a reason, import, export), registry copies, the consent ledger, and the audit log.
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import { actionRoute, requireRole } from '../route-kit.ts';
import { IdParams, Type, type Static } from '../contract/kit.ts';
import {
  AuditEntry, AuditQuery, AuditVerification, ConsentBody, ConsentQuery, ConsentRecord, DncAddBody, DncAddReply, DncImportBody, DncImportReply,
  DncPage, DncPageQuery, DncRemoveBody, DncRemoveReply, PacksReply, PreflightReport, RegistryBody, RegistryCopy, RegistryParams, RegistryReply,
  RevokeBody, RevokeReply, StartCheck,
} from '../contract/compliance.ts';
import { staffOf } from '../staff-audit.ts';
import { AppError } from '../../../core/errors.ts';
import { CampaignsRepo } from '../../store/campaigns-repo.ts';
import { DncRepo } from '../../store/compliance-dnc-repo.ts';
import { ConsentRepo } from '../../store/compliance-consent-repo.ts';
import { listAudit, verifyAudit } from '../../store/compliance-audit-repo.ts';
import { PACK_IDS, packSummary, type PackId } from '../../compliance/packs.ts';
import { preflight } from '../../compliance/preflight.ts';
import { startProblems } from '../../compliance/campaign-start.ts';
import { campaignPack } from '../../compliance/gate.ts';
import { numberFromText, suppressionsCsv } from '../../compliance/dnc-file.ts';

export interface ComplianceRouteDeps {
  /** The pack in force for a campaign; default: the settings' compliance.pack. */
  pack?: (campaignId?: number) => PackId | null;
}

export function complianceRoutes(deps: ComplianceRouteDeps = {}) {
  return (app: FastifyInstance, ctx: HttpContext): void => {
    const db = ctx.deps.db;
    // A pack decided by this module's builder (tests) is the pack the actions see too.
    const actions = deps.pack ? ctx.actions.derive({ pack: () => deps.pack!() }) : ctx.actions;
    const packOf = (campaignId?: number): PackId | null => deps.pack ? deps.pack(campaignId)
      : campaignId === undefined ? ctx.deps.settingsStore.get().compliance.pack : campaignPack(new CampaignsRepo(db).get(campaignId), ctx.deps.settingsStore.get().compliance.pack);
    const startSettings = () => ctx.deps.settingsStore.get();
    const country = (c?: string): string => c ?? ctx.deps.settingsStore.get().box.country;
    const e164Of = (text: string, c?: string): string => {
      const n = numberFromText(text, country(c));
      if (!n) throw new AppError('E_REQUEST_INVALID', `"${text.slice(0, 40)}" is not a phone number we can read`, { field: 'number' }, { fields: [{ key: 'number', message: 'not a phone number' }] });
      return n;
    };

    app.get<{ Reply: PacksReply }>('/api/compliance/packs', {
      config: requireRole('viewer'),
      schema: {
        summary: 'Rule packs as in force now (every rule, its parameters and its source, the version), with the previous and next known change of each; the pack chosen', tags: ['compliance'],
        response: { 200: PacksReply },
      },
    }, async () => {
      const now = ctx.now();
      return { current: packOf(), at: new Date(now).toISOString(), packs: PACK_IDS.map((id) => packSummary(id, now)) };
    });

    app.get<{ Params: IdParams; Reply: PreflightReport }>('/api/compliance/campaigns/:id/preflight', {
      config: requireRole('viewer'),
      schema: {
        summary: 'How many contacts would be called, and how many are blocked for which reason', tags: ['compliance'], params: IdParams,
        response: { 200: PreflightReport },
      },
    }, async (req) => preflight(db, new CampaignsRepo(db).get(req.params.id), packOf(req.params.id), { now: ctx.now(), settings: startSettings() }));

    app.get<{ Params: IdParams; Reply: StartCheck }>('/api/compliance/campaigns/:id/start-check', {
      config: requireRole('viewer'),
      schema: { summary: 'Reasons the campaign may not start (pack, registry copies, caller ID, script); ok when none blocks', tags: ['compliance'], params: IdParams, response: { 200: StartCheck } },
    }, async (req) => {
      const problems = startProblems(db, new CampaignsRepo(db).get(req.params.id), packOf(req.params.id), ctx.now(), startSettings());
      return { ok: !problems.some((p) => p.blocking), problems };
    });

    app.get<{ Querystring: Static<typeof DncPageQuery>; Reply: DncPage }>('/api/compliance/dnc', {
      config: requireRole('viewer'),
      schema: {
        summary: 'The internal do-not-call list (numbers are kept hashed)', tags: ['compliance'],
        querystring: DncPageQuery,
        response: { 200: DncPage },
      },
    }, async (req) => {
      const dnc = new DncRepo(db);
      return { total: dnc.count(), entries: dnc.list({ limit: req.query.limit ?? 100, offset: req.query.offset ?? 0 }) };
    });

    app.post<{ Body: DncAddBody }>('/api/compliance/dnc', {
      config: actionRoute('operator', 'dnc.add'),
      schema: {
        summary: 'Add a number to the do-not-call list (applies at once to every campaign; a fleet event is sent)', tags: ['compliance'],
        body: DncAddBody,
        response: { 200: DncAddReply },
      },
    }, async (req) => {
      const r = await ctx.actions.run<{ numberHash: string; added: boolean }>(staffOf(req), 'dnc.add', req.body);
      return { numberHash: r.numberHash, added: r.added };
    });

    app.post<{ Body: DncRemoveBody }>('/api/compliance/dnc/remove', {
      config: actionRoute('admin', 'dnc.remove'),
      schema: {
        summary: 'Remove a number from the do-not-call list (a reason is required and audited)', tags: ['compliance'],
        body: DncRemoveBody,
        response: { 200: DncRemoveReply },
      },
    }, async (req) => ({ removed: (await ctx.actions.run<{ removed: boolean }>(staffOf(req), 'dnc.remove', req.body)).removed }));

    app.post<{ Body: DncImportBody; Reply: DncImportReply }>('/api/compliance/dnc/import', {
      bodyLimit: 20 * 1024 * 1024,
      config: actionRoute('operator', 'dnc.import'),
      schema: {
        summary: 'Add the numbers of a file (one per line, or the first CSV column) to the do-not-call list', tags: ['compliance'],
        body: DncImportBody,
        response: { 200: DncImportReply },
      },
    }, async (req) => {
      const r = await actions.run<DncImportReply>(staffOf(req), 'dnc.import', req.body);
      return { added: r.added, read: r.read, rejected: r.rejected.slice(0, 1000) };
    });

    app.get('/api/compliance/dnc/export.csv', {
      config: requireRole('admin'),
      schema: { summary: 'The internal do-not-call list as CSV (hashed numbers)', tags: ['compliance'], response: { 200: { type: 'string' } } },
    }, async (_req, reply) => {
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', 'attachment; filename="do-not-call.csv"');
      return [...suppressionsCsv(new DncRepo(db).list())].join('');
    });

    app.get<{ Reply: RegistryCopy[] }>('/api/compliance/registries', {
      config: requireRole('viewer'),
      schema: { summary: 'Imported registry copies with their download dates', tags: ['compliance'], response: { 200: Type.Array(RegistryCopy) } },
    }, async () => new DncRepo(db).registryCopies());

    app.put<{ Params: Static<typeof RegistryParams>; Body: RegistryBody }>('/api/compliance/registries/:name', {
      bodyLimit: 200 * 1024 * 1024,
      config: actionRoute('admin', 'registry.import'),
      schema: {
        summary: 'Replace a registry copy (us-national-dnc, ca-dncl, fr-bloctel, uk-tps) with a new download', tags: ['compliance'],
        params: RegistryParams,
        body: RegistryBody,
        response: { 200: RegistryReply },
      },
    }, async (req) => {
      return actions.run<{ entries: number; rejected: number }>(staffOf(req), 'registry.import', { name: req.params.name, ...req.body });
    });

    app.post<{ Body: ConsentBody }>('/api/compliance/consents', {
      config: actionRoute('operator', 'consent.record'),
      schema: {
        summary: 'Record a consent: who, to which seller and purpose, what it is in law (kind), how, when, what they were shown, where', tags: ['compliance'],
        body: ConsentBody,
        response: { 201: Type.Object({ id: Type.Integer() }) },
      },
    }, async (req, reply) => {
      const { id } = await actions.run<{ id: number }>(staffOf(req), 'consent.record', req.body);
      return reply.code(201).send({ id });
    });

    app.get<{ Querystring: Static<typeof ConsentQuery> }>('/api/compliance/consents', {
      config: requireRole('viewer'),
      schema: {
        summary: 'Consents recorded for a number', tags: ['compliance'],
        querystring: ConsentQuery,
        response: { 200: Type.Array(ConsentRecord) },
      },
    }, async (req) => new ConsentRepo(db).forNumber(e164Of(req.query.number, req.query.country)));

    app.post<{ Body: RevokeBody; Reply: RevokeReply }>('/api/compliance/consents/revoke', {
      config: actionRoute('operator', 'consent.revoke'),
      schema: {
        summary: 'Revoke consents of a number (for one seller, or all; for one purpose, or all); applied at once. Where the pack in force says a revocation withdraws every consent to the seller ("revoke all"), the purpose is not narrowed.', tags: ['compliance'],
        body: RevokeBody,
        response: { 200: RevokeReply },
      },
    }, async (req) => {
      return actions.run<RevokeReply>(staffOf(req), 'consent.revoke', req.body);
    });

    app.get<{ Querystring: Static<typeof AuditQuery>; Reply: AuditEntry[] }>('/api/compliance/audit', {
      config: requireRole('admin'),
      schema: {
        summary: 'Audit log entries (append-only, hash-chained)', tags: ['compliance'],
        querystring: AuditQuery,
        response: { 200: Type.Array(AuditEntry) },
      },
    }, async (req) => listAudit(db, { afterSeq: req.query.after ?? 0, limit: req.query.limit ?? 100 }));

    app.get<{ Reply: AuditVerification }>('/api/compliance/audit/verify', {
      config: requireRole('viewer'),
      schema: { summary: "Check the audit log's hash chain", tags: ['compliance'], response: { 200: AuditVerification } },
    }, async () => verifyAudit(db));

  };
}

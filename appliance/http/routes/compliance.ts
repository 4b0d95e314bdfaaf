// Compliance API: rule packs, preflight and start check of a campaign, the do-not-call list (add,
// remove with a reason, import, export), registry copies, the consent ledger, and the audit log.
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import { actionRoute, requireRole } from '../route-kit.ts';
import { staffOf } from '../staff-audit.ts';
import { AppError } from '../../../core/errors.ts';
import { CampaignsRepo } from '../../store/campaigns-repo.ts';
import { DncRepo } from '../../store/compliance-dnc-repo.ts';
import { CONSENT_METHODS, ConsentRepo, type ConsentMethod } from '../../store/compliance-consent-repo.ts';
import { listAudit, verifyAudit } from '../../store/compliance-audit-repo.ts';
import { CONSENT_KINDS, PACK_IDS, packSummary, type ConsentKind, type PackId } from '../../compliance/packs.ts';
import { preflight } from '../../compliance/preflight.ts';
import { startProblems } from '../../compliance/campaign-start.ts';
import { campaignPack } from '../../compliance/gate.ts';
import { numberFromText, suppressionsCsv } from '../../compliance/dnc-file.ts';

export interface ComplianceRouteDeps {
  /** The pack in force for a campaign; default: the settings' compliance.pack. */
  pack?: (campaignId?: number) => PackId | null;
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;
const counts = { type: 'object', additionalProperties: { type: 'integer' } } as const;
/** A start problem as the API sends it (also the caller-ID list's problems). */
export const problemSchema = { type: 'object', properties: {
  code: { type: 'string' }, message: { type: 'string' }, registry: { type: 'string' }, blocking: { type: 'boolean', description: 'false: shown only (caller-ID and script problems of a sandbox-only campaign)' },
  // The details a page words the problem from in its own language.
  pack: { type: 'string' }, purpose: { type: 'string' }, ageDays: { type: 'integer' }, maxAgeDays: { type: 'integer' }, callerId: { type: 'string' },
  listed: { type: 'boolean', description: 'caller-id-unverified: false when the number is not one of the box caller IDs' },
  allowedPrefixes: { type: 'array', items: { type: 'string' } }, forbiddenPrefix: { type: 'string' }, withinSec: { type: 'number' },
  scriptDeclared: { type: 'boolean', description: 'script-*: false when the campaign declares nothing about its message' },
} } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;
const numberBody = { number: { type: 'string', minLength: 3, maxLength: 40, description: 'E.164, or a national number of the box country' }, country: { type: 'string', pattern: '^[A-Z]{2}$' } } as const;

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

    app.get('/api/compliance/packs', {
      config: requireRole('viewer'),
      schema: {
        summary: 'Rule packs as in force now (every rule, its parameters and its source, the version), with the previous and next known change of each; the pack chosen', tags: ['compliance'],
        response: { 200: { type: 'object', properties: { current: { type: 'string', nullable: true }, at: { type: 'string' }, packs: { type: 'array', items: anyObject } } } },
      },
    }, async () => {
      const now = ctx.now();
      return { current: packOf(), at: new Date(now).toISOString(), packs: PACK_IDS.map((id) => packSummary(id, now)) };
    });

    app.get<{ Params: { id: number } }>('/api/compliance/campaigns/:id/preflight', {
      config: requireRole('viewer'),
      schema: {
        summary: 'How many contacts would be called, and how many are blocked for which reason', tags: ['compliance'], params: idParams,
        response: { 200: { type: 'object', properties: {
          campaignId: { type: 'integer' }, campaign: { type: 'string' }, pack: { type: 'string', nullable: true }, packVersion: { type: 'string', nullable: true }, purpose: { type: 'string' },
          contacts: { type: 'integer' }, callable: { type: 'integer' }, callableNow: { type: 'integer' }, deferred: counts, blocked: counts,
          held: { type: 'array', description: 'Contacts held by a frequency cap or a cooling-off (counted from the attempts of every campaign), soonest lifted first; at most 500', items: { type: 'object', properties: {
            contactId: { type: 'integer' }, e164: { type: 'string' }, reason: { type: 'string' }, rule: { type: 'string' }, until: { type: 'string', description: 'when the cap or cooling-off lifts' }, nextCallAt: { type: 'string', description: 'the first lawful call (the window may push it later)' },
          } } },
          heldTotal: { type: 'integer' },
          startProblems: { type: 'array', items: problemSchema }, at: { type: 'string' }, durationMs: { type: 'integer' },
        } } },
      },
    }, async (req) => preflight(db, new CampaignsRepo(db).get(req.params.id), packOf(req.params.id), { now: ctx.now(), settings: startSettings() }));

    app.get<{ Params: { id: number } }>('/api/compliance/campaigns/:id/start-check', {
      config: requireRole('viewer'),
      schema: { summary: 'Reasons the campaign may not start (pack, registry copies, caller ID, script); ok when none blocks', tags: ['compliance'], params: idParams, response: { 200: { type: 'object', properties: { ok: { type: 'boolean' }, problems: { type: 'array', items: problemSchema } } } } },
    }, async (req) => {
      const problems = startProblems(db, new CampaignsRepo(db).get(req.params.id), packOf(req.params.id), ctx.now(), startSettings());
      return { ok: !problems.some((p) => p.blocking), problems };
    });

    app.get<{ Querystring: { limit?: number; offset?: number } }>('/api/compliance/dnc', {
      config: requireRole('viewer'),
      schema: {
        summary: 'The internal do-not-call list (numbers are kept hashed)', tags: ['compliance'],
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, offset: { type: 'integer', minimum: 0, default: 0 } } },
        response: { 200: { type: 'object', properties: { total: { type: 'integer' }, entries: { type: 'array', items: anyObject } } } },
      },
    }, async (req) => {
      const dnc = new DncRepo(db);
      return { total: dnc.count(), entries: dnc.list({ limit: req.query.limit ?? 100, offset: req.query.offset ?? 0 }) };
    });

    app.post<{ Body: { number: string; country?: string; reason?: string } }>('/api/compliance/dnc', {
      config: actionRoute('operator', 'dnc.add'),
      schema: {
        summary: 'Add a number to the do-not-call list (applies at once to every campaign; a fleet event is sent)', tags: ['compliance'],
        body: { type: 'object', required: ['number'], additionalProperties: false, properties: { ...numberBody, reason: { type: 'string', maxLength: 200 } } },
        response: { 200: { type: 'object', properties: { numberHash: { type: 'string' }, added: { type: 'boolean' } } } },
      },
    }, async (req) => {
      const r = await ctx.actions.run<{ numberHash: string; added: boolean }>(staffOf(req), 'dnc.add', req.body);
      return { numberHash: r.numberHash, added: r.added };
    });

    app.post<{ Body: { number: string; country?: string; reason: string } }>('/api/compliance/dnc/remove', {
      config: actionRoute('admin', 'dnc.remove'),
      schema: {
        summary: 'Remove a number from the do-not-call list (a reason is required and audited)', tags: ['compliance'],
        body: { type: 'object', required: ['number', 'reason'], additionalProperties: false, properties: { ...numberBody, reason: { type: 'string', minLength: 3, maxLength: 200 } } },
        response: { 200: { type: 'object', properties: { removed: { type: 'boolean' } } } },
      },
    }, async (req) => ({ removed: (await ctx.actions.run<{ removed: boolean }>(staffOf(req), 'dnc.remove', req.body)).removed }));

    app.post<{ Body: { text: string; country?: string; reason: string } }>('/api/compliance/dnc/import', {
      bodyLimit: 20 * 1024 * 1024,
      config: actionRoute('operator', 'dnc.import'),
      schema: {
        summary: 'Add the numbers of a file (one per line, or the first CSV column) to the do-not-call list', tags: ['compliance'],
        body: { type: 'object', required: ['text', 'reason'], additionalProperties: false, properties: { text: { type: 'string' }, country: { type: 'string', pattern: '^[A-Z]{2}$' }, reason: { type: 'string', minLength: 3, maxLength: 200 } } },
        response: { 200: { type: 'object', properties: { added: { type: 'integer' }, read: { type: 'integer' }, rejected: { type: 'array', items: anyObject } } } },
      },
    }, async (req) => {
      const r = await actions.run<{ added: number; read: number; rejected: unknown[] }>(staffOf(req), 'dnc.import', req.body);
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

    app.get('/api/compliance/registries', {
      config: requireRole('viewer'),
      schema: { summary: 'Imported registry copies with their download dates', tags: ['compliance'], response: { 200: { type: 'array', items: anyObject } } },
    }, async () => new DncRepo(db).registryCopies());

    app.put<{ Params: { name: string }; Body: { text: string; downloadedAt: string; country?: string } }>('/api/compliance/registries/:name', {
      bodyLimit: 200 * 1024 * 1024,
      config: actionRoute('admin', 'registry.import'),
      schema: {
        summary: 'Replace a registry copy (us-national-dnc, ca-dncl, fr-bloctel, uk-tps) with a new download', tags: ['compliance'],
        params: { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z0-9-]{2,40}$' } } },
        body: { type: 'object', required: ['text', 'downloadedAt'], additionalProperties: false, properties: { text: { type: 'string' }, downloadedAt: { type: 'string', format: 'date-time' }, country: { type: 'string', pattern: '^[A-Z]{2}$' } } },
        response: { 200: { type: 'object', properties: { entries: { type: 'integer' }, rejected: { type: 'integer' } } } },
      },
    }, async (req) => {
      return actions.run<{ entries: number; rejected: number }>(staffOf(req), 'registry.import', { name: req.params.name, ...req.body });
    });

    app.post<{ Body: { number: string; country?: string; seller: string; purpose: string; method: ConsentMethod; kind?: ConsentKind; givenAt: string; disclosureText: string; disclosureVersion: string; source: string; collector?: string } }>('/api/compliance/consents', {
      config: actionRoute('operator', 'consent.record'),
      schema: {
        summary: 'Record a consent: who, to which seller and purpose, what it is in law (kind), how, when, what they were shown, where', tags: ['compliance'],
        body: {
          type: 'object', required: ['number', 'seller', 'purpose', 'method', 'givenAt', 'disclosureText', 'disclosureVersion', 'source'], additionalProperties: false,
          properties: {
            ...numberBody, seller: { type: 'string', minLength: 1, maxLength: 200 }, purpose: { type: 'string', enum: ['any', 'emergency', 'informational', 'transactional', 'healthcare', 'political', 'marketing'] },
            method: { type: 'string', enum: [...CONSENT_METHODS] },
            kind: { type: 'string', enum: [...CONSENT_KINDS], description: 'written (signed), express (explicit, oral or written), existing-relationship (a purchase or contract in progress); default: written for method "written", else express' },
            givenAt: { type: 'string', format: 'date-time' }, disclosureText: { type: 'string', minLength: 1, maxLength: 5000 },
            disclosureVersion: { type: 'string', minLength: 1, maxLength: 50 }, source: { type: 'string', minLength: 1, maxLength: 500 }, collector: { type: 'string', maxLength: 200 },
          },
        },
        response: { 201: { type: 'object', properties: { id: { type: 'integer' } } } },
      },
    }, async (req, reply) => {
      const { id } = await actions.run<{ id: number }>(staffOf(req), 'consent.record', req.body);
      return reply.code(201).send({ id });
    });

    app.get<{ Querystring: { number: string; country?: string } }>('/api/compliance/consents', {
      config: requireRole('viewer'),
      schema: {
        summary: 'Consents recorded for a number', tags: ['compliance'],
        querystring: { type: 'object', required: ['number'], properties: numberBody },
        response: { 200: { type: 'array', items: anyObject } },
      },
    }, async (req) => new ConsentRepo(db).forNumber(e164Of(req.query.number, req.query.country)));

    app.post<{ Body: { number: string; country?: string; seller?: string; purpose?: string; channel: string } }>('/api/compliance/consents/revoke', {
      config: actionRoute('operator', 'consent.revoke'),
      schema: {
        summary: 'Revoke consents of a number (for one seller, or all; for one purpose, or all); applied at once. Where the pack in force says a revocation withdraws every consent to the seller ("revoke all"), the purpose is not narrowed.', tags: ['compliance'],
        body: { type: 'object', required: ['number', 'channel'], additionalProperties: false, properties: {
          ...numberBody, seller: { type: 'string' }, purpose: { type: 'string', enum: ['emergency', 'informational', 'transactional', 'healthcare', 'political', 'marketing'] }, channel: { type: 'string', minLength: 1, maxLength: 100 },
        } },
        response: { 200: { type: 'object', properties: { revoked: { type: 'integer' }, deadline: { type: 'string' }, scope: { type: 'string' } } } },
      },
    }, async (req) => {
      return actions.run<{ revoked: number; deadline: string; scope: string }>(staffOf(req), 'consent.revoke', req.body);
    });

    app.get<{ Querystring: { after?: number; limit?: number } }>('/api/compliance/audit', {
      config: requireRole('admin'),
      schema: {
        summary: 'Audit log entries (append-only, hash-chained)', tags: ['compliance'],
        querystring: { type: 'object', properties: { after: { type: 'integer', minimum: 0, default: 0 }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
        response: { 200: { type: 'array', items: anyObject } },
      },
    }, async (req) => listAudit(db, { afterSeq: req.query.after ?? 0, limit: req.query.limit ?? 100 }));

    app.get('/api/compliance/audit/verify', {
      config: requireRole('viewer'),
      schema: { summary: "Check the audit log's hash chain", tags: ['compliance'], response: { 200: { type: 'object', properties: { ok: { type: 'boolean' }, entries: { type: 'integer' }, head: { type: 'string', nullable: true }, problems: { type: 'array', items: anyObject } } } } },
    }, async () => verifyAudit(db));

  };
}

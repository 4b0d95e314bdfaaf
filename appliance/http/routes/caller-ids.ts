// Caller IDs (admin): list, add, relabel, remove, and verify by a call that asks for a code shown in
// the UI. Only a verification call marks a number verified; PUT /api/settings cannot.
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import { actionRoute, requireRole, okSchema } from '../route-kit.ts';
import { staffOf } from '../staff-audit.ts';
import { AppError } from '../../../core/errors.ts';
import { checkCallerId } from '../../compliance/caller-id.ts';
import { getPack } from '../../compliance/packs.ts';
import { problemSchema } from './compliance.ts';
import type { CallerIdVerifier } from '../../compliance/caller-id-verify.ts';

const E164 = '^\\+[1-9]\\d{6,14}$';
const numberParams = { type: 'object', required: ['number'], properties: { number: { type: 'string', pattern: E164, description: 'E.164; the + may be sent as %2B' } } } as const;
const callerId = {
  type: 'object', required: ['number', 'label', 'verified'],
  properties: {
    number: { type: 'string' }, label: { type: 'string' }, verified: { type: 'boolean' },
    problems: { type: 'array', description: "the settings pack's caller-ID checks (dialable, forbidden ranges), besides verification", items: problemSchema },
  },
} as const;
const verification = {
  type: 'object',
  properties: {
    id: { type: 'string' }, number: { type: 'string' }, code: { type: 'string', description: 'show it to the person who answers; they type it on the keypad' },
    state: { type: 'string', enum: ['calling', 'waiting-for-code', 'verified', 'failed', 'expired'] },
    reason: { type: 'string', nullable: true, enum: ['busy', 'no-answer', 'declined', 'invalid-number', 'trunk-failure', 'hung-up', 'no-code', 'wrong-code', 'removed', 'superseded', 'stopped', 'error', null] },
    wrongCodes: { type: 'integer' }, startedAt: { type: 'string' }, expiresAt: { type: 'string' }, endedAt: { type: 'string', nullable: true },
  },
} as const;

export function callerIdRoutes(verifier: CallerIdVerifier) {
  return (app: FastifyInstance, ctx: HttpContext): void => {
    const list = () => {
      const s = ctx.deps.settingsStore.get();
      const pack = getPack(s.compliance.pack, ctx.now());
      return s.callerIds.map((c) => ({
        ...c,
        // With their details (pack, purpose, prefixes) so a page words them in its own language.
        problems: pack ? checkCallerId(pack, { callerId: c.number, purpose: 'informational' }).map((p) => ({ ...p, pack: pack.id, purpose: 'informational' })) : [],
      }));
    };

    app.get('/api/compliance/caller-ids', {
      config: requireRole('viewer'),
      schema: { summary: 'Caller IDs the box may present, whether each is verified, and the pack checks', tags: ['compliance'], response: { 200: { type: 'array', items: callerId } } },
    }, async () => list());

    app.post<{ Body: { number: string; label: string; country?: string } }>('/api/compliance/caller-ids', {
      config: actionRoute('admin', 'callerid.add'),
      schema: {
        summary: 'Add a caller ID (unverified until a verification call succeeds)', tags: ['compliance'],
        body: { type: 'object', required: ['number', 'label'], additionalProperties: false, properties: { number: { type: 'string', minLength: 3, maxLength: 40, description: 'E.164, or a national number of the box country' }, label: { type: 'string', minLength: 1, maxLength: 100 }, country: { type: 'string', pattern: '^[A-Z]{2}$' } } },
        response: { 201: callerId },
      },
    }, async (req, reply) => {
      const { number } = await ctx.actions.run<{ number: string }>(staffOf(req), 'callerid.add', req.body);
      return reply.code(201).send(list().find((c) => c.number === number));
    });

    app.put<{ Params: { number: string }; Body: { label: string } }>('/api/compliance/caller-ids/:number', {
      config: actionRoute('admin', 'callerid.relabel'),
      schema: {
        summary: 'Change the label of a caller ID (its verification stays)', tags: ['compliance'], params: numberParams,
        body: { type: 'object', required: ['label'], additionalProperties: false, properties: { label: { type: 'string', minLength: 1, maxLength: 100 } } },
        response: { 200: callerId },
      },
    }, async (req) => {
      const { number } = req.params;
      await ctx.actions.run(staffOf(req), 'callerid.relabel', { number, label: req.body.label });
      return list().find((c) => c.number === number);
    });

    app.delete<{ Params: { number: string } }>('/api/compliance/caller-ids/:number', {
      config: actionRoute('admin', 'callerid.remove'),
      schema: { summary: 'Remove a caller ID (refused while a running or paused campaign presents it)', tags: ['compliance'], params: numberParams, response: { 200: okSchema } },
    }, async (req) => {
      await ctx.actions.run(staffOf(req), 'callerid.remove', { number: req.params.number });
      return { ok: true };
    });

    app.post<{ Params: { number: string }; Body: { trunk?: string } | undefined }>('/api/compliance/caller-ids/:number/verify', {
      config: actionRoute('admin', 'callerid.verify-start'),
      schema: {
        summary: 'Start a verification call: the number is called and asked for the returned code', tags: ['compliance'], params: numberParams,
        body: { type: 'object', additionalProperties: false, properties: { trunk: { type: 'string', description: 'default: the default trunk' } } },
        response: { 202: verification },
      },
    }, async (req, reply) => {
      const v = await ctx.actions.run(staffOf(req), 'callerid.verify-start', { number: req.params.number, ...(req.body?.trunk ? { trunk: req.body.trunk } : {}) });
      return reply.code(202).send(v);
    });

    app.get<{ Params: { number: string; id: string } }>('/api/compliance/caller-ids/:number/verify/:id', {
      config: requireRole('admin'),
      schema: {
        summary: 'State of a verification: calling, waiting-for-code, verified, failed (with reason), expired', tags: ['compliance'],
        params: { type: 'object', required: ['number', 'id'], properties: { number: numberParams.properties.number, id: { type: 'string', format: 'uuid' } } },
        response: { 200: verification },
      },
    }, async (req) => {
      const v = verifier.get(req.params.id);
      if (v.number !== req.params.number) throw new AppError('E_NOT_FOUND', `no verification ${req.params.id} for ${req.params.number}`, { verification: req.params.id });
      return v;
    });
  };
}

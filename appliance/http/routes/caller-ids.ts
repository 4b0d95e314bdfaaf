// Caller IDs (admin): list, add, relabel, remove, and verify by a call that asks for a code shown in
// the UI. Only a verification call marks a number verified; PUT /api/settings cannot.
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import { actionRoute, requireRole } from '../route-kit.ts';
import { staffOf } from '../staff-audit.ts';
import { AppError } from '../../../core/errors.ts';
import { checkCallerId } from '../../compliance/caller-id.ts';
import { getPack } from '../../compliance/packs.ts';
import { Ok, Type, type Static } from '../contract/kit.ts';
import { CallerId, CallerIdBody, CallerIdLabelBody, CallerIdParams, Verification, VerificationParams, VerifyBody } from '../contract/compliance.ts';
import type { CallerIdVerifier } from '../../compliance/caller-id-verify.ts';

export function callerIdRoutes(verifier: CallerIdVerifier) {
  return (app: FastifyInstance, ctx: HttpContext): void => {
    const list = () => {
      const s = ctx.deps.settingsStore.get();
      const pack = getPack(s.compliance.pack, ctx.now());
      return s.callerIds.map((c) => ({
        ...c,
        // With their details (pack, purpose, prefixes) so a page words them in its own language.
        problems: pack ? checkCallerId(pack, { callerId: c.number, purpose: 'informational' }).map((p) => ({ ...p, pack: pack.id, purpose: 'informational' as const })) : [],
      }));
    };

    app.get<{ Reply: CallerId[] }>('/api/compliance/caller-ids', {
      config: requireRole('viewer'),
      schema: { summary: 'Caller IDs the box may present, whether each is verified, and the pack checks', tags: ['compliance'], response: { 200: Type.Array(CallerId) } },
    }, async () => list());

    app.post<{ Body: Static<typeof CallerIdBody> }>('/api/compliance/caller-ids', {
      config: actionRoute('admin', 'callerid.add'),
      schema: {
        summary: 'Add a caller ID (unverified until a verification call succeeds)', tags: ['compliance'],
        body: CallerIdBody,
        response: { 201: CallerId },
      },
    }, async (req, reply) => {
      const { number } = await ctx.actions.run<{ number: string }>(staffOf(req), 'callerid.add', req.body);
      return reply.code(201).send(list().find((c) => c.number === number));
    });

    app.put<{ Params: Static<typeof CallerIdParams>; Body: Static<typeof CallerIdLabelBody> }>('/api/compliance/caller-ids/:number', {
      config: actionRoute('admin', 'callerid.relabel'),
      schema: {
        summary: 'Change the label of a caller ID (its verification stays)', tags: ['compliance'], params: CallerIdParams,
        body: CallerIdLabelBody,
        response: { 200: CallerId },
      },
    }, async (req) => {
      const { number } = req.params;
      await ctx.actions.run(staffOf(req), 'callerid.relabel', { number, label: req.body.label });
      return list().find((c) => c.number === number);
    });

    app.delete<{ Params: Static<typeof CallerIdParams>; Reply: Ok }>('/api/compliance/caller-ids/:number', {
      config: actionRoute('admin', 'callerid.remove'),
      schema: { summary: 'Remove a caller ID (refused while a running or paused campaign presents it)', tags: ['compliance'], params: CallerIdParams, response: { 200: Ok } },
    }, async (req) => {
      await ctx.actions.run(staffOf(req), 'callerid.remove', { number: req.params.number });
      return { ok: true };
    });

    app.post<{ Params: Static<typeof CallerIdParams>; Body: Static<typeof VerifyBody> | undefined }>('/api/compliance/caller-ids/:number/verify', {
      config: actionRoute('admin', 'callerid.verify-start'),
      schema: {
        summary: 'Start a verification call: the number is called and asked for the returned code', tags: ['compliance'], params: CallerIdParams,
        body: VerifyBody,
        response: { 202: Verification },
      },
    }, async (req, reply) => {
      const v = await ctx.actions.run(staffOf(req), 'callerid.verify-start', { number: req.params.number, ...(req.body?.trunk ? { trunk: req.body.trunk } : {}) });
      return reply.code(202).send(v);
    });

    app.get<{ Params: Static<typeof VerificationParams> }>('/api/compliance/caller-ids/:number/verify/:id', {
      config: requireRole('admin'),
      schema: {
        summary: 'State of a verification: calling, waiting-for-code, verified, failed (with reason), expired', tags: ['compliance'],
        params: VerificationParams,
        response: { 200: Verification },
      },
    }, async (req) => {
      const v = verifier.get(req.params.id);
      if (v.number !== req.params.number) throw new AppError('E_NOT_FOUND', `no verification ${req.params.id} for ${req.params.number}`, { verification: req.params.id });
      return v;
    });
  };
}

// Caller IDs (admin): list, add, relabel, remove, and verify by a call that asks for a code shown in
// the UI. Only a verification call marks a number verified; PUT /api/settings cannot.
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import { requireRole } from '../route-kit.ts';
import { auditStaff, staffActor } from '../staff-audit.ts';
import { AppError } from '../../../core/errors.ts';
import { CampaignsRepo } from '../../store/campaigns-repo.ts';
import { numberFromText } from '../../compliance/dnc-file.ts';
import { checkCallerId } from '../../compliance/caller-id.ts';
import { getPack } from '../../compliance/packs.ts';
import { Ok, Type, type Static } from '../contract/kit.ts';
import { CallerId, CallerIdBody, CallerIdLabelBody, CallerIdParams, Verification, VerificationParams, VerifyBody } from '../contract/compliance.ts';
import type { CallerIdVerifier } from '../../compliance/caller-id-verify.ts';

function invalid(key: string, message: string): AppError {
  return new AppError('E_REQUEST_INVALID', `${key}: ${message}`, { field: key }, { fields: [{ key, message }] });
}

export function callerIdRoutes(verifier: CallerIdVerifier) {
  return (app: FastifyInstance, ctx: HttpContext): void => {
    const db = ctx.deps.db;
    const list = () => {
      const s = ctx.deps.settingsStore.get();
      const pack = getPack(s.compliance.pack, ctx.now());
      return s.callerIds.map((c) => ({
        ...c,
        // With their details (pack, purpose, prefixes) so a page words them in its own language.
        problems: pack ? checkCallerId(pack, { callerId: c.number, purpose: 'informational' }).map((p) => ({ ...p, pack: pack.id, purpose: 'informational' as const })) : [],
      }));
    };
    const mustExist = (number: string): void => {
      if (!ctx.deps.settingsStore.get().callerIds.some((c) => c.number === number)) throw new AppError('E_NOT_FOUND', `${number} is not one of the box's caller IDs`, { callerId: number });
    };

    app.get<{ Reply: CallerId[] }>('/api/compliance/caller-ids', {
      config: requireRole('viewer'),
      schema: { summary: 'Caller IDs the box may present, whether each is verified, and the pack checks', tags: ['compliance'], response: { 200: Type.Array(CallerId) } },
    }, async () => list());

    app.post<{ Body: Static<typeof CallerIdBody> }>('/api/compliance/caller-ids', {
      config: requireRole('admin'),
      schema: {
        summary: 'Add a caller ID (unverified until a verification call succeeds)', tags: ['compliance'],
        body: CallerIdBody,
        response: { 201: CallerId },
      },
    }, async (req, reply) => {
      const number = numberFromText(req.body.number, req.body.country ?? ctx.deps.settingsStore.get().box.country);
      if (!number) throw invalid('number', `"${req.body.number.slice(0, 40)}" is not a phone number we can read`);
      const label = req.body.label.trim();
      await ctx.updateSettings((d) => {
        if (d.callerIds.some((c) => c.number === number)) throw invalid('number', `${number} is already a caller ID`);
        d.callerIds.push({ number, label, verified: false });
      });
      auditStaff(ctx, req, 'callerid.add', number, { label });
      return reply.code(201).send(list().find((c) => c.number === number));
    });

    app.put<{ Params: Static<typeof CallerIdParams>; Body: Static<typeof CallerIdLabelBody> }>('/api/compliance/caller-ids/:number', {
      config: requireRole('admin'),
      schema: {
        summary: 'Change the label of a caller ID (its verification stays)', tags: ['compliance'], params: CallerIdParams,
        body: CallerIdLabelBody,
        response: { 200: CallerId },
      },
    }, async (req) => {
      const { number } = req.params;
      mustExist(number);
      await ctx.updateSettings((d) => {
        const c = d.callerIds.find((x) => x.number === number);
        if (c) c.label = req.body.label.trim();
      });
      auditStaff(ctx, req, 'callerid.relabel', number, { label: req.body.label.trim() });
      return list().find((c) => c.number === number);
    });

    app.delete<{ Params: Static<typeof CallerIdParams>; Reply: Ok }>('/api/compliance/caller-ids/:number', {
      config: requireRole('admin'),
      schema: { summary: 'Remove a caller ID (refused while a running or paused campaign presents it)', tags: ['compliance'], params: CallerIdParams, response: { 200: Ok } },
    }, async (req) => {
      const { number } = req.params;
      mustExist(number);
      const using = new CampaignsRepo(db).list().find((c) => (c.status === 'running' || c.status === 'paused') && c.config.callerId === number);
      if (using) throw new AppError('E_CALLER_ID', `caller ID ${number} is presented by campaign "${using.name}" (${using.status}); stop it first`, { callerId: number, campaign: using.id });
      await ctx.updateSettings((d) => { d.callerIds = d.callerIds.filter((c) => c.number !== number); });
      auditStaff(ctx, req, 'callerid.remove', number);
      return { ok: true };
    });

    app.post<{ Params: Static<typeof CallerIdParams>; Body: Static<typeof VerifyBody> | undefined }>('/api/compliance/caller-ids/:number/verify', {
      config: requireRole('admin'),
      schema: {
        summary: 'Start a verification call: the number is called and asked for the returned code', tags: ['compliance'], params: CallerIdParams,
        body: VerifyBody,
        response: { 202: Verification },
      },
    }, async (req, reply) => {
      const v = verifier.begin(req.params.number, { actor: staffActor(req), ...(req.body?.trunk ? { trunk: req.body.trunk } : {}) });
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

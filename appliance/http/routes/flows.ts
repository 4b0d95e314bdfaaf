// The flow editor's routes (issue 15): a template's steps for the wizard (the document the box makes of
// `{template, lang}`, to show and edit before saving), and "try it": the campaign's flow on one call to
// the sandbox trunk, answered with the path the simulated callee took.
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import { actionRoute, requireRole } from '../route-kit.ts';
import { IdParams } from '../contract/kit.ts';
import { TemplateParams, TemplateQuery, TemplateReply, TryFlowBody, TryFlowReply } from '../contract/flows.ts';
import { staffOf } from '../staff-audit.ts';
import { flowTemplate } from '../../flows/templates.ts';

export function flowRoutes() {
  return (app: FastifyInstance, ctx: HttpContext): void => {
    app.get<{ Params: TemplateParams; Querystring: TemplateQuery }>('/api/flows/templates/:name', {
      config: requireRole('viewer'),
      schema: {
        summary: 'A ready-made call flow (steps and spoken texts) for the campaign wizard, keys around the opt-out key',
        description: 'message-menu is always derived from the campaign\'s message and menu, so it comes without prompts here.',
        tags: ['campaigns'], params: TemplateParams, querystring: TemplateQuery, response: { 200: TemplateReply },
      },
    }, async (req) => flowTemplate(req.params.name, { lang: req.query.lang ?? 'en', ...(req.query.optOut ? { optOutKey: req.query.optOut } : {}) }));

    app.post<{ Params: IdParams; Body: TryFlowBody | undefined; Reply: TryFlowReply }>('/api/campaigns/:id/try', {
      config: actionRoute('operator', 'flow.try'),
      schema: {
        summary: 'Try the campaign\'s call flow: one call to the sandbox trunk (a simulated callee); the path taken, step by step',
        description: 'Answers when the call has ended. The campaign\'s first contact fills the personalised texts. Nothing is kept in the campaign\'s results.',
        tags: ['campaigns'], params: IdParams, body: TryFlowBody, response: { 200: TryFlowReply },
      },
    }, async (req) => {
      const placed = await ctx.actions.run<{ report: Promise<TryFlowReply> }>(staffOf(req), 'flow.try', { campaignId: req.params.id, ...(req.body ?? {}) });
      return placed.report;
    });
  };
}

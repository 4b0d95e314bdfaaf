// Campaigns: create (checked whole), edit or delete a draft, start, pause, resume, stop, live view with ETA,
// report, and the per-contact results export (CSV in the reader's conventions, XLSX).
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import { actionRoute, requireRole } from '../route-kit.ts';
import { Binary, IdParams, Ok, Type, type Static } from '../contract/kit.ts';
import {
  CampaignOptions, CampaignReport, CampaignTimeline, CampaignView, CampaignWindow, CreateCampaignBody, DuplicateCampaignBody,
  Estimate, EstimateQuery, ExportQuery, UpdateCampaignBody,
  CampaignAnswers, AnswerFileParams,
} from '../contract/campaigns.ts';
import type { CampaignService } from '../../campaigns/service.ts';
import { staffOf } from '../staff-audit.ts';
import { attachmentHeader, resultsTable, tableCsv, tableXlsx } from '../../campaigns/export.ts';
import { exportLang, exportWords } from '../../campaigns/export-words.ts';
import { campaignTimeline } from '../../campaigns/report-timeline.ts';
import { draftEstimate } from '../../campaigns/draft-estimate.ts';
import { PURPOSES, defaultCampaignConfig, flowOf } from '../../campaigns/model.ts';
import { answerStats, attemptFlow, spokenAnswers } from '../../store/answers-repo.ts';
import { flowQuestions } from '../../flows/questions.ts';
import { AppError } from '../../../core/errors.ts';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';

export function campaignRoutes(service: CampaignService) {
  return (app: FastifyInstance, ctx: HttpContext): void => {
    app.get<{ Reply: CampaignView[] }>('/api/campaigns', {
      config: requireRole('viewer'),
      schema: { summary: 'Campaigns with their counters and ETA', tags: ['campaigns'], response: { 200: Type.Array(CampaignView) } },
    }, async () => service.list());

    app.post<{ Body: CreateCampaignBody }>('/api/campaigns', {
      config: actionRoute('operator', 'campaign.create'),
      schema: {
        summary: 'Create a campaign (a draft)',
        tags: ['campaigns'],
        body: CreateCampaignBody,
        response: { 201: CampaignView },
      },
    }, async (req, reply) => {
      const c = await ctx.actions.run<{ id: number }>(staffOf(req), 'campaign.create', req.body);
      ctx.deps.logger.info({ campaignId: c.id, user: req.session?.username }, 'campaign created');
      return reply.code(201).send(service.view(c.id));
    });

    app.get<{ Params: IdParams; Reply: CampaignView }>('/api/campaigns/:id', {
      config: requireRole('viewer'),
      schema: { summary: 'One campaign: configuration, counters, ETA', tags: ['campaigns'], params: IdParams, response: { 200: CampaignView } },
    }, async (req) => service.view(req.params.id));

    app.put<{ Params: IdParams; Body: Static<typeof UpdateCampaignBody>; Reply: CampaignView }>('/api/campaigns/:id', {
      config: actionRoute('operator', 'campaign.update'),
      schema: {
        summary: 'Change a campaign: a draft wholly; a paused one in its windows, pacing, retries and messages only (list, pack, purpose, seller, caller ID and trunks stay; duplicate it to change those)',
        tags: ['campaigns'], params: IdParams, body: UpdateCampaignBody, response: { 200: CampaignView },
      },
    }, async (req) => {
      await ctx.actions.run(staffOf(req), 'campaign.update', { id: req.params.id, config: req.body });
      return service.view(req.params.id);
    });

    app.post<{ Params: IdParams; Body: DuplicateCampaignBody | undefined }>('/api/campaigns/:id/duplicate', {
      config: actionRoute('operator', 'campaign.duplicate'),
      schema: {
        summary: 'Copy a campaign (any state) as a new draft with the same list and configuration',
        tags: ['campaigns'], params: IdParams,
        body: DuplicateCampaignBody,
        response: { 201: CampaignView },
      },
    }, async (req, reply) => {
      const copy = await ctx.actions.run<{ id: number }>(staffOf(req), 'campaign.duplicate', { id: req.params.id, ...(req.body?.name !== undefined ? { name: req.body.name } : {}) });
      ctx.deps.logger.info({ campaignId: copy.id, from: req.params.id, user: req.session?.username }, 'campaign duplicated');
      return reply.code(201).send(service.view(copy.id));
    });

    app.delete<{ Params: IdParams; Reply: Ok }>('/api/campaigns/:id', {
      config: actionRoute('operator', 'campaign.delete'),
      schema: {
        summary: 'Delete a campaign that has nothing on record (a draft, or one stopped before any call); refused with E_CAMPAIGN_IN_USE once it has placed calls or while it runs',
        tags: ['campaigns'], params: IdParams, response: { 200: Ok },
      },
    }, async (req) => {
      // The audit entry is written in the deletion's own transaction: no deletion without its record.
      await ctx.actions.run(staffOf(req), 'campaign.delete', { id: req.params.id });
      ctx.deps.logger.info({ campaignId: req.params.id, user: req.session?.username }, 'campaign deleted');
      return { ok: true };
    });

    for (const action of ['start', 'pause', 'resume', 'stop'] as const) {
      app.post<{ Params: IdParams }>(`/api/campaigns/:id/${action}`, {
        config: actionRoute('operator', `campaign.${action}`),
        schema: { summary: `${action[0]!.toUpperCase()}${action.slice(1)} a campaign`, tags: ['campaigns'], params: IdParams, response: { 200: CampaignView } },
      }, async (req) => {
        // A refusal (e.g. a start the compliance checks refused) is audited too: proof that the box said no, and why.
        const v = await ctx.actions.run(staffOf(req), `campaign.${action}`, { id: req.params.id });
        ctx.deps.logger.info({ campaignId: req.params.id, action, user: req.session?.username }, 'campaign state changed');
        return v;
      });
    }

    app.get<{ Params: IdParams; Reply: CampaignReport }>('/api/campaigns/:id/report', {
      config: requireRole('viewer'),
      schema: { summary: 'Counts by outcome, answer and completion rates, durations, keys pressed', tags: ['campaigns'], params: IdParams, response: { 200: CampaignReport } },
    }, async (req) => service.report(req.params.id));

    // What the campaign wizard offers (operators may not read the settings document itself).
    app.get<{ Reply: CampaignOptions }>('/api/campaigns/options', {
      config: requireRole('viewer'),
      schema: {
        summary: 'Choices for a new campaign: trunks, caller IDs, purposes and the default configuration', tags: ['campaigns'],
        response: { 200: CampaignOptions },
      },
    }, async () => {
      const s = ctx.deps.settingsStore.get();
      return {
        trunks: s.trunks.map((t) => ({ name: t.name, kind: t.kind, enabled: t.enabled, channels: t.channels })),
        defaultTrunk: s.defaultTrunk,
        callerIds: s.callerIds.map((c) => ({ number: c.number, label: c.label, verified: c.verified })),
        purposes: PURPOSES,
        country: s.box.country,
        defaults: defaultCampaignConfig(),
      };
    });

    app.get<{ Params: IdParams; Reply: CampaignTimeline }>('/api/campaigns/:id/timeline', {
      config: requireRole('viewer'),
      schema: {
        summary: 'Finished attempts per time bucket and outcome (for the outcomes-over-time chart)', tags: ['campaigns'], params: IdParams,
        response: { 200: CampaignTimeline },
      },
    }, async (req) => {
      service.repo.get(req.params.id);
      return campaignTimeline(ctx.deps.db, req.params.id);
    });

    app.get<{ Params: IdParams; Reply: CampaignWindow }>('/api/campaigns/:id/window', {
      config: requireRole('viewer'),
      schema: {
        summary: 'The campaign\'s own calling window against its list now: contacts inside it, and its next opening for the others', tags: ['campaigns'], params: IdParams,
        response: { 200: CampaignWindow },
      },
    }, async (req) => service.windowNow(req.params.id));

    app.get<{ Params: IdParams; Querystring: Static<typeof EstimateQuery>; Reply: Estimate }>('/api/campaigns/:id/estimate', {
      config: requireRole('viewer'),
      schema: {
        summary: 'How long the campaign would take for a number of contacts (the preflight\'s callable count; default: the whole list)', tags: ['campaigns'], params: IdParams,
        querystring: EstimateQuery,
        response: { 200: Estimate },
      },
    }, async (req) => {
      const c = service.repo.get(req.params.id);
      const contacts = req.query.contacts ?? ((ctx.deps.db.prepare('SELECT accepted FROM lists WHERE id = ?').pluck().get(c.listId) as number | undefined) ?? 0);
      return draftEstimate(ctx.deps.db, c.config, ctx.deps.settingsStore.get().trunks, contacts);
    });

    const exportOf = (id: number, lang: string | undefined, accept: string | undefined) => {
      const c = service.repo.get(id);
      const l = exportLang(lang, accept);
      const zone = ctx.deps.settingsStore.get().box.timezone;
      return { c, l, zone, table: resultsTable(ctx.deps.db, c.id, l, zone), base: `${c.name} - ${exportWords(l).header('fileSuffix')}` };
    };

    app.get<{ Params: IdParams; Querystring: Static<typeof ExportQuery> }>('/api/campaigns/:id/export.csv', {
      config: requireRole('viewer'),
      schema: {
        summary: 'Per-contact results as CSV for the reader\'s spreadsheet: French uses ";" and a decimal comma, English "," and a decimal point; outcomes in words with their codes; cells that would start a formula are neutralised',
        tags: ['campaigns'], params: IdParams, querystring: ExportQuery, response: { 200: Type.String({ description: 'CSV' }) },
      },
    }, async (req, reply) => {
      const x = exportOf(req.params.id, req.query.lang, req.headers['accept-language']);
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', attachmentHeader(`${x.base}.csv`));
      // A BOM so that spreadsheet programs read the accents right.
      return '\uFEFF' + [...tableCsv(x.table, x.l, x.zone)].join('');
    });

    app.get<{ Params: IdParams; Querystring: Static<typeof ExportQuery> }>('/api/campaigns/:id/export.xlsx', {
      config: requireRole('viewer'),
      schema: { summary: 'Per-contact results as an Excel workbook (typed cells: numbers as text stay text, times in the box\'s time zone)', tags: ['campaigns'], params: IdParams, querystring: ExportQuery, response: { 200: Binary } },
    }, async (req, reply) => {
      const x = exportOf(req.params.id, req.query.lang, req.headers['accept-language']);
      reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      reply.header('content-disposition', attachmentHeader(`${x.base}.xlsx`));
      return reply.send(tableXlsx(x.table, exportWords(x.l).header('sheet'), x.zone));
    });

    // Flows (issue 15): what callees answered.
    app.get<{ Params: IdParams; Reply: CampaignAnswers }>('/api/campaigns/:id/answers', {
      config: requireRole('viewer'),
      schema: {
        summary: 'What callees answered in the campaign\'s flow: per question the distribution of answers, per step how many calls reached it and how many ended there (where people hung up)',
        tags: ['campaigns'], params: IdParams, response: { 200: CampaignAnswers },
      },
    }, async (req) => {
      const c = service.repo.get(req.params.id);
      const flow = flowOf(c.config);
      const stats = answerStats(ctx.deps.db, c.id, flow.steps.map((s) => s.id));
      // Every question of the flow, answered or not yet, in flow order; then names only old attempts have.
      const questions = flowQuestions(flow);
      const given = new Map(stats.answers.map((a) => [a.name, a]));
      const answers = [
        ...questions.map((q) => ({ name: q.name, total: given.get(q.name)?.total ?? 0, values: given.get(q.name)?.values ?? [], step: q.step, kind: q.kind, choices: q.choices })),
        ...stats.answers.filter((a) => !questions.some((q) => q.name === a.name))
          .map((a) => ({ ...a, step: null, kind: a.values.some((v) => v.value === 'recorded') ? 'spoken' as const : 'value' as const, choices: [] })),
      ];
      const spoken = spokenAnswers(ctx.deps.db, c.id, 200);
      return {
        runs: stats.runs,
        steps: stats.steps.map((s) => ({ ...s, verb: flow.steps.find((x) => x.id === s.id)?.verb ?? null })),
        answers,
        spoken: { total: spoken.total, items: spoken.items.map(({ e164, ...x }) => ({ ...x, number: e164 })) },
      };
    });

    app.get<{ Params: AnswerFileParams }>('/api/campaigns/:id/attempts/:attemptId/answers/:name', {
      config: requireRole('viewer'),
      schema: {
        summary: 'A spoken answer of one attempt, as the WAV file the box kept (8 kHz, 16-bit mono)', tags: ['campaigns'],
        params: AnswerFileParams,
        response: { 200: Binary },
      },
    }, async (req, reply) => {
      const a = attemptFlow(ctx.deps.db, req.params.attemptId);
      const ans = a?.answers.find((x) => x.name === req.params.name && x.file);
      const owner = ctx.deps.db.prepare('SELECT campaign_id FROM attempts WHERE id = ?').pluck().get(req.params.attemptId);
      if (!a || !ans?.file || owner !== req.params.id) throw new AppError('E_NOT_FOUND', `no spoken answer "${req.params.name}" for attempt ${req.params.attemptId} of campaign ${req.params.id}`, { campaign: req.params.id });
      const root = resolve(ctx.deps.dataDir);
      const file = resolve(join(root, ans.file));
      if (!file.startsWith(root + sep) || !existsSync(file)) throw new AppError('E_NOT_FOUND', `the spoken answer "${req.params.name}" of attempt ${req.params.attemptId} is no longer on the box`, { campaign: req.params.id });
      reply.header('content-type', 'audio/wav');
      // The length lets a browser's audio player show the duration and the progress at once.
      reply.header('content-length', statSync(file).size);
      return reply.send(createReadStream(file));
    });
  };
}

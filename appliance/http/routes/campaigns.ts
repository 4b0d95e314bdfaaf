// Campaigns: create (checked whole), edit or delete a draft, start, pause, resume, stop, live view with ETA,
// report, and the per-contact results export (CSV in the reader's conventions, XLSX).
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import { actionRoute, okSchema, requireRole } from '../route-kit.ts';
import type { CampaignService } from '../../campaigns/service.ts';
import { staffOf } from '../staff-audit.ts';
import { attachmentHeader, resultsTable, tableCsv, tableXlsx } from '../../campaigns/export.ts';
import { exportLang, exportWords } from '../../campaigns/export-words.ts';
import { campaignTimeline } from '../../campaigns/report-timeline.ts';
import { draftEstimate } from '../../campaigns/draft-estimate.ts';
import { PURPOSES, defaultCampaignConfig } from '../../campaigns/model.ts';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;
const counts = { type: 'object', additionalProperties: { type: 'integer' } } as const;

const campaignView = {
  type: 'object',
  required: ['id', 'name', 'listId', 'status', 'config', 'counters', 'etaMs'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    listId: { type: 'integer' },
    status: { type: 'string', enum: ['draft', 'running', 'paused', 'stopped', 'completed'] },
    config: { type: 'object', additionalProperties: true },
    createdAt: { type: 'string' },
    startedAt: { type: 'string', nullable: true },
    finishedAt: { type: 'string', nullable: true },
    counters: {
      type: 'object',
      properties: {
        contacts: { type: 'integer' }, pending: { type: 'integer' }, waiting: { type: 'integer' }, calling: { type: 'integer' },
        done: { type: 'integer' }, blocked: { type: 'integer' }, stopped: { type: 'integer' }, active: { type: 'integer' },
      },
    },
    etaMs: { type: 'integer', nullable: true, description: 'estimated time to finish, never before the last scheduled retry; null when it cannot be told (waiting for a calling window)' },
    waitingFor: {
      type: 'object', nullable: true, description: 'a running campaign with no call to place now: why and until when',
      properties: { code: { type: 'string', enum: ['outside-window', 'retry', 'deferred'] }, at: { type: 'integer', nullable: true }, zone: { type: 'string', nullable: true } },
    },
    boxTimeZone: { type: 'string' },
    nextRetryAt: { type: 'integer', nullable: true, description: 'when the first contact waiting for a retry may be called again (epoch ms)' },
    trunksDown: {
      type: 'array', nullable: true, description: 'a running campaign whose every trunk is down or turned off: which, since when (epoch ms), why',
      items: { type: 'object', properties: { name: { type: 'string' }, health: { type: 'string' }, lastError: { type: 'string', nullable: true }, since: { type: 'integer' } } },
    },
    paused: {
      type: 'object', nullable: true, description: 'a paused campaign: who paused it (staff:<user>, fleet:<command id>, cli) and when (epoch ms)',
      properties: { by: { type: 'string', nullable: true }, at: { type: 'integer', nullable: true } },
    },
    waitingReason: { type: 'string', nullable: true, description: 'a running campaign placing no calls, and why (e.g. waiting for clock synchronisation)' },
    waitingCode: { type: 'string', nullable: true, enum: ['clock-unsynchronised', 'clock-unconfirmed', null], description: 'waitingReason as a stable code' },
  },
} as const;

const reportSchema = {
  type: 'object',
  properties: {
    campaignId: { type: 'integer' },
    contacts: { type: 'integer' },
    byState: counts,
    byFinalOutcome: counts,
    byAttemptOutcome: counts,
    attempts: { type: 'integer' },
    answeredContacts: { type: 'integer' },
    answerRate: { type: 'number' },
    completionRate: { type: 'number' },
    avgTalkMs: { type: 'integer' },
    avgRingMs: { type: 'integer' },
    keys: counts,
    blockedReasons: counts,
    amdAgreement: {
      type: 'object',
      description: 'answering-machine detection against ground truth: a key pressed means a person answered',
      properties: { callsWithKeys: { type: 'integer' }, detectedHuman: { type: 'integer' }, detectedMachine: { type: 'integer' }, agreement: { type: 'number', nullable: true } },
    },
  },
} as const;

export function campaignRoutes(service: CampaignService) {
  return (app: FastifyInstance, ctx: HttpContext): void => {
    app.get('/api/campaigns', {
      config: requireRole('viewer'),
      schema: { summary: 'Campaigns with their counters and ETA', tags: ['campaigns'], response: { 200: { type: 'array', items: campaignView } } },
    }, async () => service.list());

    app.post<{ Body: { name: string; listId: number; config: Record<string, unknown> } }>('/api/campaigns', {
      config: actionRoute('operator', 'campaign.create'),
      schema: {
        summary: 'Create a campaign (a draft)',
        tags: ['campaigns'],
        body: {
          type: 'object',
          required: ['name', 'listId', 'config'],
          additionalProperties: false,
          // The name's length is checked with every other field (one reply naming them all), not here.
          properties: { name: { type: 'string', description: '1 to 100 characters' }, listId: { type: 'integer', minimum: 1 }, config: { type: 'object', additionalProperties: true } },
        },
        response: { 201: campaignView },
      },
    }, async (req, reply) => {
      const c = await ctx.actions.run<{ id: number }>(staffOf(req), 'campaign.create', req.body);
      ctx.deps.logger.info({ campaignId: c.id, user: req.session?.username }, 'campaign created');
      return reply.code(201).send(service.view(c.id));
    });

    app.get<{ Params: { id: number } }>('/api/campaigns/:id', {
      config: requireRole('viewer'),
      schema: { summary: 'One campaign: configuration, counters, ETA', tags: ['campaigns'], params: idParams, response: { 200: campaignView } },
    }, async (req) => service.view(req.params.id));

    app.put<{ Params: { id: number }; Body: Record<string, unknown> }>('/api/campaigns/:id', {
      config: actionRoute('operator', 'campaign.update'),
      schema: {
        summary: 'Change a campaign: a draft wholly; a paused one in its windows, pacing, retries and messages only (list, pack, purpose, seller, caller ID and trunks stay; duplicate it to change those)',
        tags: ['campaigns'], params: idParams, body: { type: 'object', additionalProperties: true }, response: { 200: campaignView },
      },
    }, async (req) => {
      await ctx.actions.run(staffOf(req), 'campaign.update', { id: req.params.id, config: req.body });
      return service.view(req.params.id);
    });

    app.post<{ Params: { id: number }; Body: { name?: string } | undefined }>('/api/campaigns/:id/duplicate', {
      config: actionRoute('operator', 'campaign.duplicate'),
      schema: {
        summary: 'Copy a campaign (any state) as a new draft with the same list and configuration',
        tags: ['campaigns'], params: idParams,
        body: { type: 'object', additionalProperties: false, nullable: true, properties: { name: { type: 'string', minLength: 1, maxLength: 100 } } },
        response: { 201: campaignView },
      },
    }, async (req, reply) => {
      const copy = await ctx.actions.run<{ id: number }>(staffOf(req), 'campaign.duplicate', { id: req.params.id, ...(req.body?.name !== undefined ? { name: req.body.name } : {}) });
      ctx.deps.logger.info({ campaignId: copy.id, from: req.params.id, user: req.session?.username }, 'campaign duplicated');
      return reply.code(201).send(service.view(copy.id));
    });

    app.delete<{ Params: { id: number } }>('/api/campaigns/:id', {
      config: actionRoute('operator', 'campaign.delete'),
      schema: {
        summary: 'Delete a campaign that has nothing on record (a draft, or one stopped before any call); refused with E_CAMPAIGN_IN_USE once it has placed calls or while it runs',
        tags: ['campaigns'], params: idParams, response: { 200: okSchema },
      },
    }, async (req) => {
      // The audit entry is written in the deletion's own transaction: no deletion without its record.
      await ctx.actions.run(staffOf(req), 'campaign.delete', { id: req.params.id });
      ctx.deps.logger.info({ campaignId: req.params.id, user: req.session?.username }, 'campaign deleted');
      return { ok: true };
    });

    for (const action of ['start', 'pause', 'resume', 'stop'] as const) {
      app.post<{ Params: { id: number } }>(`/api/campaigns/:id/${action}`, {
        config: actionRoute('operator', `campaign.${action}`),
        schema: { summary: `${action[0]!.toUpperCase()}${action.slice(1)} a campaign`, tags: ['campaigns'], params: idParams, response: { 200: campaignView } },
      }, async (req) => {
        // A refusal (e.g. a start the compliance checks refused) is audited too: proof that the box said no, and why.
        const v = await ctx.actions.run(staffOf(req), `campaign.${action}`, { id: req.params.id });
        ctx.deps.logger.info({ campaignId: req.params.id, action, user: req.session?.username }, 'campaign state changed');
        return v;
      });
    }

    app.get<{ Params: { id: number } }>('/api/campaigns/:id/report', {
      config: requireRole('viewer'),
      schema: { summary: 'Counts by outcome, answer and completion rates, durations, keys pressed', tags: ['campaigns'], params: idParams, response: { 200: reportSchema } },
    }, async (req) => service.report(req.params.id));

    // What the campaign wizard offers (operators may not read the settings document itself).
    app.get('/api/campaigns/options', {
      config: requireRole('viewer'),
      schema: {
        summary: 'Choices for a new campaign: trunks, caller IDs, purposes and the default configuration', tags: ['campaigns'],
        response: { 200: { type: 'object', properties: {
          trunks: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, kind: { type: 'string' }, enabled: { type: 'boolean' }, channels: { type: 'integer' } } } },
          defaultTrunk: { type: 'string', nullable: true },
          callerIds: { type: 'array', items: { type: 'object', properties: { number: { type: 'string' }, label: { type: 'string' }, verified: { type: 'boolean' } } } },
          purposes: { type: 'array', items: { type: 'string' } },
          country: { type: 'string' },
          defaults: { type: 'object', additionalProperties: true },
        } } },
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

    app.get<{ Params: { id: number } }>('/api/campaigns/:id/timeline', {
      config: requireRole('viewer'),
      schema: {
        summary: 'Finished attempts per time bucket and outcome (for the outcomes-over-time chart)', tags: ['campaigns'], params: idParams,
        response: { 200: { type: 'object', properties: { campaignId: { type: 'integer' }, bucketMs: { type: 'integer' }, buckets: { type: 'array', items: { type: 'integer' } }, series: { type: 'object', additionalProperties: { type: 'array', items: { type: 'integer' } } } } } },
      },
    }, async (req) => {
      service.repo.get(req.params.id);
      return campaignTimeline(ctx.deps.db, req.params.id);
    });

    app.get<{ Params: { id: number } }>('/api/campaigns/:id/window', {
      config: requireRole('viewer'),
      schema: {
        summary: 'The campaign\'s own calling window against its list now: contacts inside it, and its next opening for the others', tags: ['campaigns'], params: idParams,
        response: { 200: { type: 'object', properties: { contacts: { type: 'integer' }, insideNow: { type: 'integer' }, nextOpening: { type: 'integer', nullable: true }, zone: { type: 'string', nullable: true }, boxTimeZone: { type: 'string' } } } },
      },
    }, async (req) => service.windowNow(req.params.id));

    app.get<{ Params: { id: number }; Querystring: { contacts?: number } }>('/api/campaigns/:id/estimate', {
      config: requireRole('viewer'),
      schema: {
        summary: 'How long the campaign would take for a number of contacts (the preflight\'s callable count; default: the whole list)', tags: ['campaigns'], params: idParams,
        querystring: { type: 'object', properties: { contacts: { type: 'integer', minimum: 0, maximum: 10_000_000 } } },
        response: { 200: { type: 'object', properties: { contacts: { type: 'integer' }, etaMs: { type: 'integer' }, channels: { type: 'integer' }, meanCallMs: { type: 'integer' }, measured: { type: 'boolean' } } } },
      },
    }, async (req) => {
      const c = service.repo.get(req.params.id);
      const contacts = req.query.contacts ?? (ctx.deps.db.prepare('SELECT COUNT(*) FROM contacts WHERE list_id = ?').pluck().get(c.listId) as number);
      return draftEstimate(ctx.deps.db, c.config, ctx.deps.settingsStore.get().trunks, contacts);
    });

    const exportQuery = { type: 'object', properties: { lang: { type: 'string', enum: ['en', 'fr'], description: 'language of the words, separator and decimal mark (default: the browser\'s Accept-Language)' } } } as const;
    const exportOf = (id: number, lang: string | undefined, accept: string | undefined) => {
      const c = service.repo.get(id);
      const l = exportLang(lang, accept);
      const zone = ctx.deps.settingsStore.get().box.timezone;
      return { c, l, zone, table: resultsTable(ctx.deps.db, c.id, l, zone), base: `${c.name} - ${exportWords(l).header('fileSuffix')}` };
    };

    app.get<{ Params: { id: number }; Querystring: { lang?: string } }>('/api/campaigns/:id/export.csv', {
      config: requireRole('viewer'),
      schema: {
        summary: 'Per-contact results as CSV for the reader\'s spreadsheet: French uses ";" and a decimal comma, English "," and a decimal point; outcomes in words with their codes; cells that would start a formula are neutralised',
        tags: ['campaigns'], params: idParams, querystring: exportQuery, response: { 200: { type: 'string' } },
      },
    }, async (req, reply) => {
      const x = exportOf(req.params.id, req.query.lang, req.headers['accept-language']);
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', attachmentHeader(`${x.base}.csv`));
      // A BOM so that spreadsheet programs read the accents right.
      return '\uFEFF' + [...tableCsv(x.table, x.l, x.zone)].join('');
    });

    app.get<{ Params: { id: number }; Querystring: { lang?: string } }>('/api/campaigns/:id/export.xlsx', {
      config: requireRole('viewer'),
      schema: { summary: 'Per-contact results as an Excel workbook (typed cells: numbers as text stay text, times in the box\'s time zone)', tags: ['campaigns'], params: idParams, querystring: exportQuery, response: { 200: { type: 'string', format: 'binary' } } },
    }, async (req, reply) => {
      const x = exportOf(req.params.id, req.query.lang, req.headers['accept-language']);
      reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      reply.header('content-disposition', attachmentHeader(`${x.base}.xlsx`));
      return reply.send(tableXlsx(x.table, exportWords(x.l).header('sheet'), x.zone));
    });
  };
}

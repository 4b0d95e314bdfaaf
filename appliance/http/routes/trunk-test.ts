// POST /api/trunks/:name/test-call: one call on a trunk from the settings page, through the running box's
// engine. The trunk.test-call action (appliance/actions/trunk-test-action.ts) dials with the engine the
// composition root gave it; this route only asks for it and waits for the report.
import type { FastifyInstance } from 'fastify';
import type { TestCallReport } from '../../actions/trunk-test-action.ts';
import type { HttpContext } from '../context.ts';
import { actionRoute } from '../route-kit.ts';
import { staffOf } from '../staff-audit.ts';

export function trunkTestRoutes() {
  return (app: FastifyInstance, ctx: HttpContext): void => {
    app.post<{ Params: { name: string }; Body: { to: string; recordingId: string } }>('/api/trunks/:name/test-call', {
      config: actionRoute('admin', 'trunk.test-call'),
      schema: {
        summary: 'Place one test call on a trunk: play a recording, report outcome, SIP code, keys pressed and durations',
        description: 'Answers when the call has ended (up to the ring timeout plus the message). Not subject to campaign rules: staff call their own phone.',
        tags: ['settings'],
        params: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 64 } } },
        body: {
          type: 'object',
          required: ['to', 'recordingId'],
          additionalProperties: false,
          properties: {
            to: { type: 'string', minLength: 3, maxLength: 200, description: 'E.164 number (+33612345678) or sip: URI' },
            recordingId: { type: 'string', minLength: 1, maxLength: 64 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['trunk', 'outcome', 'sipCode', 'q850', 'dtmf', 'durations', 'messagePlayedMs', 'messageCompleted', 'endedBy'],
            properties: {
              trunk: { type: 'string' },
              outcome: { type: 'string' },
              sipCode: { type: 'integer', nullable: true },
              q850: { type: 'integer', nullable: true },
              dtmf: { type: 'string' },
              durations: { type: 'object', required: ['setupMs', 'ringMs', 'talkMs'], properties: { setupMs: { type: 'number' }, ringMs: { type: 'number' }, talkMs: { type: 'number' } } },
              messagePlayedMs: { type: 'number' },
              messageCompleted: { type: 'boolean' },
              endedBy: { type: 'string' },
            },
          },
        },
      },
    }, async (req) => {
      // The action checks the trunk, the number and the recording, writes the audit entry and dials;
      // the route waits for the call to end and answers with its report.
      const placed = await ctx.actions.run<{ report: Promise<TestCallReport> }>(staffOf(req), 'trunk.test-call', { trunk: req.params.name, ...req.body });
      return placed.report;
    });
  };
}

// POST /api/trunks/:name/test-call: one call on a trunk from the settings page, through the running box's
// engine. The trunk.test-call action (appliance/actions/trunk-test-action.ts) dials with the engine the
// composition root gave it; this route only asks for it and waits for the report.
import type { FastifyInstance } from 'fastify';
import type { TestCallReport } from '../../actions/trunk-test-action.ts';
import type { HttpContext } from '../context.ts';
import { actionRoute } from '../route-kit.ts';
import { staffOf } from '../staff-audit.ts';
import { TestCallBody, TestCallParams, TestCallReply } from '../contract/recordings.ts';

export function trunkTestRoutes() {
  return (app: FastifyInstance, ctx: HttpContext): void => {
    app.post<{ Params: TestCallParams; Body: TestCallBody; Reply: TestCallReply }>('/api/trunks/:name/test-call', {
      config: actionRoute('admin', 'trunk.test-call'),
      schema: {
        summary: 'Place one test call on a trunk: play a recording, report outcome, SIP code, keys pressed and durations',
        description: 'Answers when the call has ended (up to the ring timeout plus the message). Not subject to campaign rules: staff call their own phone.',
        tags: ['settings'],
        params: TestCallParams,
        body: TestCallBody,
        response: { 200: TestCallReply },
      },
    }, async (req) => {
      // The action checks the trunk, the number and the recording, writes the audit entry and dials;
      // the route waits for the call to end and answers with its report.
      const placed = await ctx.actions.run<{ report: Promise<TestCallReport> }>(staffOf(req), 'trunk.test-call', { trunk: req.params.name, ...req.body });
      return placed.report;
    });
  };
}

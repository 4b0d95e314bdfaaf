// Staff on live calls (issue 16): "call my browser" (a campaign's flow on a call to the user's own
// softphone, answered with the path walked when the call has ended) and listen-in (an admin's softphone
// gets a listen-only copy of a live call). Both are actions (flow.call-browser, call.listen), audited.
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import { actionRoute, requireRole } from '../route-kit.ts';
import { staffOf } from '../staff-audit.ts';
import { IdParams } from '../contract/kit.ts';
import { BrowserWalkBody, BrowserWalkReply } from '../contract/flows.ts';
import { CallIdParams, ListenBody, ListenReply, LiveCallsView } from '../contract/staff.ts';
import type { LiveCallList } from '../../staff/live-call-list.ts';

export function staffCallRoutes(live: LiveCallList) {
  return (app: FastifyInstance, ctx: HttpContext): void => {
    app.post<{ Params: IdParams; Body: BrowserWalkBody | undefined; Reply: BrowserWalkReply }>('/api/campaigns/:id/call-my-browser', {
      config: actionRoute('operator', 'flow.call-browser'),
      schema: {
        summary: 'Call my browser: the campaign\'s flow on a call to your own browser softphone, walked with its keypad',
        description: 'Answers when the call has ended, with the path walked. The list\'s first contact (or a test contact) fills the personalised texts. Nothing is kept in the campaign\'s results, and the opt-out key adds nothing to the do-not-call list.',
        tags: ['campaigns'], params: IdParams, body: BrowserWalkBody, response: { 200: BrowserWalkReply },
      },
    }, async (req) => {
      const placed = await ctx.actions.run<{ report: Promise<BrowserWalkReply> }>(staffOf(req), 'flow.call-browser', { campaignId: req.params.id, ...(req.body ?? {}) });
      return placed.report;
    });

    app.get('/api/calls/live', {
      config: requireRole('admin'),
      schema: { summary: 'The live calls, and whether an admin may listen in on them here', tags: ['staff'], response: { 200: LiveCallsView } },
    }, async (): Promise<LiveCallsView> => ({ listenIn: ctx.deps.settingsStore.get().staff.listenIn, calls: live.list() }));

    app.post<{ Params: CallIdParams; Body: ListenBody | undefined; Reply: ListenReply }>('/api/calls/:id/listen', {
      config: actionRoute('admin', 'call.listen'),
      schema: {
        summary: 'Listen in on a live call: your browser softphone rings, then hears both sides (you are not heard)',
        description: 'Only where the settings\' staff.listenIn is on. Answers once the softphone rings; the start and the end are audited.',
        tags: ['staff'], params: CallIdParams, body: ListenBody, response: { 200: ListenReply },
      },
    }, async (req) => {
      const r = await ctx.actions.run<{ user: string; call: { id: string } }>(staffOf(req), 'call.listen', { callId: req.params.id, ...(req.body ?? {}) });
      return { callId: r.call.id, ringing: r.user };
    });
  };
}

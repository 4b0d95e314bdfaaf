// "Try it" (issue 15): a campaign's call flow run on one call to the sandbox trunk (the simulated public
// network), from the campaign page. It places a call, so it is an action: audited before the call is
// placed, with who tried which campaign and which simulated callee; the report comes when the call ends.
import { AppError } from '../../core/errors.ts';
import type { TrialCallee, TryFlowReply } from '../http/contract/flows.ts';
import { TRIAL_CALLEES } from '../http/contract/flows.ts';
import { defineAction } from './action.ts';

export const flowTry = defineAction({
  name: 'flow.try', role: 'operator', doors: ['http'],
  input: {
    type: 'object', required: ['campaignId'], additionalProperties: false,
    properties: { campaignId: { type: 'integer', minimum: 1 }, callee: { type: 'string', enum: [...TRIAL_CALLEES] } },
  },
  // Synchronous up to the dial (campaign and sandbox checked), so the entry is on record before the call.
  run: (env, i: { campaignId: number; callee?: TrialCallee }) => {
    if (!env.flowTrial) throw new AppError('E_TRUNK_UNKNOWN', 'this box places no trial calls here', { trunk: 'sandbox' });
    const callee = i.callee ?? 'presser';
    const placed = env.flowTrial.start(i.campaignId, callee);
    // Wrapped, so the runner takes this for a synchronous result rather than a promise to wait for.
    return { callee, trunk: placed.trunk, report: placed.report };
  },
  audit: (i, r) => ({ subject: String(i.campaignId), details: { callee: r.callee, trunk: r.trunk } }),
  subject: (i) => (typeof i?.campaignId === 'number' ? String(i.campaignId) : null),
});

export type { TryFlowReply };

/**
 * "Call my browser" (issue 16): the campaign's flow on a call to the user's own browser softphone, walked
 * with its keypad. It rings a phone, so it is an action: audited before the call is placed (who, which
 * campaign); refused, and audited as refused, when the user's softphone is not taking calls.
 */
export const flowCallBrowser = defineAction({
  name: 'flow.call-browser', role: 'operator', doors: ['http'],
  input: {
    type: 'object', required: ['campaignId'], additionalProperties: false,
    properties: { campaignId: { type: 'integer', minimum: 1 }, request: { type: 'string', pattern: '^[A-Za-z0-9-]{8,64}$' } },
  },
  run: (env, i: { campaignId: number; request?: string }, actor) => {
    if (actor.door !== 'http') throw new AppError('E_FORBIDDEN', 'only a logged-in user can have their browser called');
    if (!env.browserWalk) throw new AppError('E_SOFTPHONE_OFF', 'this box rings no browser softphone', { user: actor.user });
    const placed = env.browserWalk.start(i.campaignId, actor.user, i.request);
    // Wrapped, so the runner takes this for a synchronous result rather than a promise to wait for.
    return { user: actor.user, report: placed.report };
  },
  audit: (i, r) => ({ subject: String(i.campaignId), details: { user: r.user } }),
  subject: (i) => (typeof i?.campaignId === 'number' ? String(i.campaignId) : null),
});

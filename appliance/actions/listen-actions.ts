// Listen-in (issue 16): an admin listens to a live call from their browser softphone, only where the
// settings allow it (staff.listenIn, off by default). Refused, and audited as refused, for anyone but an
// admin, when the setting is off, or when the call is not live; the start is audited here (who, which
// call) and the end by appliance/staff/listen-in.ts (call.listen-end, with how long).
import { AppError } from '../../core/errors.ts';
import { defineAction } from './action.ts';

export const callListen = defineAction({
  name: 'call.listen', role: 'admin', doors: ['http'],
  input: {
    type: 'object', required: ['callId'], additionalProperties: false,
    properties: { callId: { type: 'string', minLength: 1, maxLength: 100 }, request: { type: 'string', pattern: '^[A-Za-z0-9-]{8,64}$' } },
  },
  run: (env, i: { callId: string; request?: string }, actor) => {
    if (actor.door !== 'http') throw new AppError('E_FORBIDDEN', 'only a logged-in admin can listen in, from their browser');
    if (!env.listenIn) throw new AppError('E_LISTEN_IN_OFF', 'this box does not listen in on calls', { key: 'staff.listenIn' });
    const r = env.listenIn.start(i.callId, actor.user, i.request);
    // Wrapped, so the runner takes this for a synchronous result rather than a promise to wait for.
    return { user: actor.user, call: r.call, done: r.done };
  },
  audit: (_i, r) => ({ subject: `call:${r.call.id}`, details: { user: r.user, kind: r.call.kind, campaignId: r.call.campaignId } }),
  subject: (i) => (typeof i?.callId === 'string' ? `call:${i.callId}` : null),
});

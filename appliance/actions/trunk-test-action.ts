// The settings page's test call: one call on a trunk through the running box's engine (so a registering
// trunk keeps its one registration), the recording played, the keys collected, the outcome reported.
// Not subject to campaign rules (staff call their own phone), so the audit entry is written before the
// call is placed, with the number masked: who placed it, on which trunk, to whom.
import type { CallEnded, PromptRef } from '../../core/call-port.ts';
import { AppError } from '../../core/errors.ts';
import { maskNumber } from '../../core/log.ts';
import { normaliseTarget } from '../scripts/dial-target.ts';
import { runScriptedCall } from '../scripts/message-script.ts';
import { defineAction } from './action.ts';
import { recordings } from './recordings-actions.ts';

const RING_TIMEOUT_MS = 30000;
const COLLECT_AFTER_MS = 3000;

export interface TestCallReport {
  trunk: string;
  outcome: string;
  sipCode: number | null;
  q850: number | null;
  dtmf: string;
  durations: CallEnded['durations'];
  messagePlayedMs: number;
  messageCompleted: boolean;
  endedBy: string;
}

export const trunkTestCall = defineAction({
  name: 'trunk.test-call', role: 'admin', doors: ['http'],
  input: {
    type: 'object', required: ['trunk', 'to', 'recordingId'], additionalProperties: false,
    properties: { trunk: { type: 'string', minLength: 1, maxLength: 64 }, to: { type: 'string', minLength: 3, maxLength: 200 }, recordingId: { type: 'string', minLength: 1, maxLength: 64 } },
  },
  // Synchronous up to the dial, so the entry is on record before the call exists; the report comes later.
  run: (env, i: { trunk: string; to: string; recordingId: string }) => {
    if (!env.engine) throw new AppError('E_TRUNK_UNKNOWN', 'this box places no test calls here', { trunk: i.trunk });
    const engine = env.engine;
    if (!engine.trunks().some((t) => t.name === i.trunk)) {
      throw new AppError('E_TRUNK_UNKNOWN', `No trunk named "${i.trunk}" is running (save the settings first).`, { trunk: i.trunk }, { fields: [{ key: 'trunk', message: 'unknown or not running' }] });
    }
    let to: string;
    try {
      to = normaliseTarget(i.to);
    } catch (e) {
      if (e instanceof AppError) throw e.withFields([{ key: 'to', message: 'give a number with its country code (+33612345678) or a sip: URI' }]);
      throw e;
    }
    let play: PromptRef;
    try {
      play = recordings(env).prompt(i.recordingId);
    } catch (e) {
      if (e instanceof AppError) throw e.withFields([{ key: 'recordingId', message: 'no such recording' }]);
      throw e;
    }
    const shown = to.startsWith('sip') ? to : maskNumber(to);
    const from = env.settings?.stored().callerIds.find((c) => c.verified)?.number ?? 'anonymous';
    env.logger.info({ trunk: i.trunk, to: shown }, 'test call');
    const call = engine.dial({ to, from, trunk: i.trunk, ringTimeoutMs: RING_TIMEOUT_MS, amd: false, tag: 'test-call' });
    let keys = '';
    call.on('dtmf', (d: { digit: string }) => { keys += d.digit; });
    const report = runScriptedCall(call, { message: play }, { amd: false, afterScript: () => call.collect({ max: 32, timeoutMs: COLLECT_AFTER_MS }) })
      .then(({ ended, script, outcome }): TestCallReport => ({
        trunk: i.trunk, outcome, sipCode: ended.sipCode, q850: ended.q850, dtmf: keys, durations: ended.durations,
        messagePlayedMs: script?.messagePlayedMs ?? 0, messageCompleted: script?.messageCompleted ?? false, endedBy: ended.endedBy,
      }));
    // Wrapped, so the runner takes this for a synchronous result rather than a promise to wait for.
    return { shown, report };
  },
  audit: (i, r) => ({ subject: i.trunk, details: { to: r.shown, recording: i.recordingId } }),
  subject: (i) => (typeof i?.trunk === 'string' ? i.trunk : null),
});

/**
 * One call placed by hand (`appliance call`): a sip: URI dialled directly, or a number through a trunk
 * (the default one unless named). Like the test call it is outside any campaign's rules, so it is on
 * record before it is placed; the command waits for the report.
 */
export const callPlace = defineAction({
  name: 'call.place', role: 'admin', doors: ['cli'],
  input: { type: 'object', required: ['to'], additionalProperties: false, properties: { to: { type: 'string', minLength: 3, maxLength: 200 }, trunk: { type: 'string', minLength: 1, maxLength: 64 } } },
  run: (env, i: { to: string; trunk?: string }) => {
    if (!env.calls) throw new AppError('E_DIAL_TARGET', 'this door places no calls');
    let to: string;
    try {
      to = normaliseTarget(i.to);
    } catch (e) {
      if (e instanceof AppError) throw e.withFields([{ key: 'to', message: 'give a number with its country code (+33612345678) or a sip: URI' }]);
      throw e;
    }
    const isUri = to.startsWith('sip');
    const trunk = isUri ? undefined : (i.trunk ?? env.calls.defaultTrunk ?? undefined);
    if (!isUri && !trunk) throw new AppError('E_TRUNK_UNKNOWN', 'no trunk given and no default trunk configured: pass --trunk NAME or dial a sip: URI', { option: 'trunk' }, { fields: [{ key: 'trunk', message: 'is required' }] });
    if (trunk && !env.calls.trunks.includes(trunk)) {
      throw new AppError('E_TRUNK_UNKNOWN', `no trunk named "${trunk}" (configured: ${env.calls.trunks.join(', ') || 'none'})`, { option: 'trunk' }, { fields: [{ key: 'trunk', message: 'unknown' }] });
    }
    const report = env.calls.place({ to, ...(trunk ? { trunk } : {}) });
    return { shown: isUri ? to : maskNumber(to), trunk: trunk ?? null, report };
  },
  audit: (_i, r) => ({ subject: r.trunk ?? 'sip', details: { to: r.shown } }),
  subject: (i) => (typeof i?.trunk === 'string' ? i.trunk : null),
});

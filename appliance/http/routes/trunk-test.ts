// POST /api/trunks/:name/test-call: one call on a trunk from the settings page, through the running box's
// engine (so a registering trunk keeps its one registration) and the same scripted-call path as the
// `appliance call` command: play a recording, collect the keys, hang up, report the outcome.
import type { FastifyInstance } from 'fastify';
import type { CallEngine, PromptRef } from '../../../core/call-port.ts';
import { normaliseTarget } from '../../commands/call.ts';
import type { Settings } from '../../../core/settings-types.ts';
import { AppError } from '../../../core/errors.ts';
import { maskNumber } from '../../../core/log.ts';
import { runScriptedCall } from '../../scripts/message-script.ts';
import type { HttpContext } from '../context.ts';
import { requireRole, sessionOf } from '../route-kit.ts';
import { auditStaff } from '../staff-audit.ts';
import { TestCallBody, TestCallParams, TestCallReply } from '../contract/recordings.ts';

export interface TrunkTestDeps {
  engine: Pick<CallEngine, 'dial' | 'trunks'>;
  /** The recording's pre-encoded prompt; throws E_NOT_FOUND for an unknown id. */
  prompt: (recordingId: string) => PromptRef;
  settings: () => Settings;
}

const RING_TIMEOUT_MS = 30000;
const COLLECT_AFTER_MS = 3000;

export function trunkTestRoutes(deps: TrunkTestDeps) {
  return (app: FastifyInstance, ctx: HttpContext): void => {
    app.post<{ Params: TestCallParams; Body: TestCallBody; Reply: TestCallReply }>('/api/trunks/:name/test-call', {
      config: requireRole('admin'),
      schema: {
        summary: 'Place one test call on a trunk: play a recording, report outcome, SIP code, keys pressed and durations',
        description: 'Answers when the call has ended (up to the ring timeout plus the message). Not subject to campaign rules: staff call their own phone.',
        tags: ['settings'],
        params: TestCallParams,
        body: TestCallBody,
        response: { 200: TestCallReply },
      },
    }, async (req) => {
      const trunk = req.params.name;
      if (!deps.engine.trunks().some((t) => t.name === trunk)) {
        throw new AppError('E_TRUNK_UNKNOWN', `No trunk named "${trunk}" is running (save the settings first).`, { trunk }, { fields: [{ key: 'trunk', message: 'unknown or not running' }] });
      }
      let to: string;
      try {
        to = normaliseTarget(req.body.to);
      } catch (e) {
        if (e instanceof AppError) throw e.withFields([{ key: 'body.to', message: 'give a number with its country code (+33612345678) or a sip: URI' }]);
        throw e;
      }
      let play: PromptRef;
      try {
        play = deps.prompt(req.body.recordingId);
      } catch (e) {
        if (e instanceof AppError) throw e.withFields([{ key: 'body.recordingId', message: 'no such recording' }]);
        throw e;
      }
      const settings = deps.settings();
      const shown = to.startsWith('sip') ? to : maskNumber(to);
      req.log.info({ by: sessionOf(req).username, trunk, to: shown }, 'test call');
      // A call placed outside any campaign's rules: the audit log keeps who placed it, where and to whom.
      auditStaff(ctx, req, 'trunk.test-call', trunk, { to: shown, recording: req.body.recordingId });
      const call = deps.engine.dial({
        to,
        from: settings.callerIds.find((c) => c.verified)?.number ?? 'anonymous',
        trunk,
        ringTimeoutMs: RING_TIMEOUT_MS,
        amd: false,
        tag: 'test-call',
      });
      let keys = '';
      call.on('dtmf', (d) => {
        keys += d.digit;
      });
      const { ended, script, outcome } = await runScriptedCall(call, { message: play }, {
        amd: false,
        afterScript: () => call.collect({ max: 32, timeoutMs: COLLECT_AFTER_MS }),
      });
      return {
        trunk,
        outcome,
        sipCode: ended.sipCode,
        q850: ended.q850,
        dtmf: keys,
        durations: ended.durations,
        messagePlayedMs: script?.messagePlayedMs ?? 0,
        messageCompleted: script?.messageCompleted ?? false,
        endedBy: ended.endedBy,
      };
    });
  };
}

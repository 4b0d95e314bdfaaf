// Runs a flow on an answered call, against the call port only (both engines run the same flows).
// The flow starts at the answer (nobody waits in silence) while answering-machine detection listens;
// a machine stops it and gets the voicemail message after its beep. A person gets the flow, step by
// step, built by the factory; the campaign's opt-out key ends it anywhere with the acknowledgement and
// the outcome `opted-out`.
import type { Call, CallEnded, Outcome, PromptRef } from '../../core/call-port.ts';
import type { Flow, FlowStep } from './model.ts';
import { makeVerb } from './factory.ts';
import type { Verb } from './verbs/verb.ts';
import { waitEvent } from '../scripts/message-script.ts';
import { FlowSession, type CallbackBooking, type FlowEnv, type SpokenAnswer, type TransferRecord } from './session.ts';

/** No flow runs more steps than this in one call (validation bounds every loop; this is the last guard). */
const MAX_VISITS = 500;

export interface FlowRunOptions {
  amd: boolean;
  /** Played after the beep when detection says "machine"; absent = the flow's message. */
  voicemail?: PromptRef;
  amdTimeoutMs?: number;
  beepTimeoutMs?: number;
}

export interface FlowResult {
  outcome: Outcome;
  /** Every key pressed, in order. */
  dtmf: string;
  amd: 'human' | 'machine' | 'unknown' | null;
  /** Step ids in the order visited. */
  path: string[];
  answers: Record<string, string>;
  recordings: SpokenAnswer[];
  callback: CallbackBooking | null;
  messagePlayedMs: number;
  messageCompleted: boolean;
  notes: string[];
  /** The call's (last) transfer to a person, if it had one. */
  transfer: TransferRecord | null;
}

/** The verbs of a flow, built once per call by the factory. */
export function buildVerbs(flow: Flow): Map<string, Verb> {
  return new Map(flow.steps.map((s: FlowStep) => [s.id, makeVerb(s)]));
}

/**
 * Runs the flow; resolves when it is done (the call may still be up).
 *
 * No dead air: the flow starts at the answer, and answering-machine detection listens beside it. When
 * detection says "machine" (and no key was pressed: a key proves a person), the flow stops where it is,
 * and the voicemail message waits for the beep as before. A flow that ends before detection decided waits
 * for the verdict, so a machine still gets its message.
 */
export async function runFlow(call: Call, flow: Flow, env: FlowEnv, opts: FlowRunOptions): Promise<FlowResult> {
  const machine = new AbortController();
  const session = new FlowSession(call, env, opts.amd ? machine.signal : undefined);
  const result: FlowResult = { outcome: 'human', dtmf: '', amd: null, path: [], answers: session.answers, recordings: session.recordings, callback: null, messagePlayedMs: 0, messageCompleted: false, notes: session.notes, transfer: null };
  let keyPressed = false;
  const onDtmf = (d: { digit: string }): void => {
    result.dtmf += d.digit;
    keyPressed = true;
  };
  call.on('dtmf', onDtmf);
  // Heard from the start: an engine may emit 'beep' in the same tick as the 'amd' verdict.
  let beepHeard = false;
  const onBeep = (): void => { beepHeard = true; };
  call.on('beep', onBeep);
  const verdict = opts.amd
    ? waitEvent<{ verdict: 'human' | 'machine' | 'unknown' }>(call, 'amd', opts.amdTimeoutMs ?? 6000).then((v) => {
      result.amd = v?.verdict ?? 'unknown';
      if (result.amd === 'machine' && !keyPressed) machine.abort();
    })
    : Promise.resolve();
  try {
    await runSteps(call, flow, env, session, result);
    if (opts.amd && !keyPressed && !machine.signal.aborted && (call.state as Call['state']) !== 'ended') await verdict;
    if (machine.signal.aborted) {
      // What the flow said went to the machine's greeting; the message it keeps starts after the beep.
      result.path = [];
      result.messagePlayedMs = 0;
      result.messageCompleted = false;
      session.messagePlayedMs = 0;
      session.messageCompleted = false;
      if (!beepHeard) await waitEvent<{ ms: number }>(call, 'beep', opts.beepTimeoutMs ?? 20000);
      if ((call.state as Call['state']) === 'ended') {
        result.outcome = 'machine-no-message';
        return result;
      }
      const played = await call.play(opts.voicemail ?? env.prompt({ message: true }));
      result.messagePlayedMs = played.playedMs;
      result.messageCompleted = played.completed;
      result.outcome = played.completed ? 'machine-message-left' : 'machine-no-message';
    }
    return result;
  } finally {
    result.callback = result.outcome === 'opted-out' || machine.signal.aborted ? null : session.callback;
    result.transfer = session.transferred;
    result.messagePlayedMs ||= session.messagePlayedMs;
    result.messageCompleted ||= session.messageCompleted;
    call.off('dtmf', onDtmf);
    call.off('beep', onBeep);
  }
}

/** The flow's steps from the first, until one ends it, the call ends, or the flow is stopped. */
async function runSteps(call: Call, flow: Flow, env: FlowEnv, session: FlowSession, result: FlowResult): Promise<void> {
  const verbs = buildVerbs(flow);
  let id: string | undefined = flow.steps[0]?.id;
  for (let visits = 0; id !== undefined && visits < MAX_VISITS && !session.ended; visits++) {
    const verb = verbs.get(id);
    if (!verb) break;
    result.path.push(id);
    const r = await verb.run(session);
    if ('optOut' in r) {
      result.outcome = 'opted-out';
      if (flow.optOutAck && !session.ended) await call.play(env.prompt(flow.optOutAck));
      break;
    }
    if ('end' in r) {
      result.outcome = r.end;
      break;
    }
    id = r.next;
  }
}

export interface FlowCall {
  ended: CallEnded;
  /** The flow's result; null when the call was never answered (or the flow failed). */
  flow: FlowResult | null;
  /** The outcome to record: the engine's for an unanswered call, the flow's refinement otherwise. */
  outcome: Outcome;
}

/** Runs the flow as soon as the call is answered, hangs up when it is done, resolves once the call ended. */
export async function runFlowCall(call: Call, flow: Flow, env: FlowEnv, opts: FlowRunOptions, onError?: (e: unknown) => void): Promise<FlowCall> {
  let running: Promise<FlowResult | null> | null = null;
  call.once('answered', () => {
    running = runFlow(call, flow, env, opts).then(async (r) => {
      if (call.state !== 'ended') await call.hangup('flow-done');
      return r;
    }, async (e: unknown) => {
      onError?.(e);
      if (call.state !== 'ended') await call.hangup('flow-failed').catch(() => undefined);
      return null;
    });
  });
  const ended = await call.done;
  const r = running ? await (running as Promise<FlowResult | null>) : null;
  return { ended, flow: r, outcome: r && ended.outcome === 'human' ? r.outcome : ended.outcome };
}

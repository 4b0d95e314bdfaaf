// What a call does once answered, for a broadcast: play the message to a person (with an optional
// keypad menu), or wait for the beep and leave the voicemail message on a machine.
// Runs only against the call port, so it works the same on every engine.
import type { Call, CallEnded, Outcome, PromptRef } from '../../core/call-port.ts';

export interface MenuKeys {
  /** Key that confirms (e.g. "I'll attend"): outcome 'confirmed'. */
  confirm?: string;
  /** Key that replays the message. */
  repeat?: string;
  /** Key that opts out: outcome 'opted-out'. */
  optOut?: string;
}

export interface MessageScript {
  message: PromptRef;
  /** Played after the beep when answering-machine detection says "machine". */
  voicemail?: PromptRef;
  menu?: MenuKeys;
  /** Prompt played after the message when a menu exists ("press 1 to confirm ..."); optional. */
  menuPrompt?: PromptRef;
  /** Acknowledgements played after a confirm / opt-out key, before hanging up. */
  confirmAck?: PromptRef;
  optOutAck?: PromptRef;
  /** How long to wait for a key after the message (ms). */
  menuTimeoutMs?: number;
  maxRepeats?: number;
  /** How long to wait for the AMD verdict before treating the callee as a person. */
  amdTimeoutMs?: number;
  /** How long to wait for the beep (or end of greeting) before leaving the message anyway. */
  beepTimeoutMs?: number;
}

export interface ScriptResult {
  outcome: Outcome;
  /** Every key pressed, in order. */
  dtmf: string;
  amd: 'human' | 'machine' | 'unknown' | null;
  messagePlayedMs: number;
  messageCompleted: boolean;
}

/** The next `event` of the call (the AMD verdict, the beep), or null at the timeout or the call's end. */
export function waitEvent<T>(call: Call, event: 'amd' | 'beep', timeoutMs: number): Promise<T | null> {
  return new Promise((resolve) => {
    const onEvent = (v: T): void => finish(v);
    const onEnded = (): void => finish(null);
    const timer = setTimeout(() => finish(null), timeoutMs);
    function finish(v: T | null): void {
      clearTimeout(timer);
      call.off(event, onEvent as never);
      call.off('ended', onEnded);
      resolve(v);
    }
    call.on(event, onEvent as never);
    call.once('ended', onEnded);
  });
}

/** Runs the script on an answered call; resolves when the script is done (the call may still be up). */
export async function runMessageScript(call: Call, script: MessageScript, opts: { amd: boolean }): Promise<ScriptResult> {
  const result: ScriptResult = { outcome: 'human', dtmf: '', amd: null, messagePlayedMs: 0, messageCompleted: false };
  let ended: CallEnded | null = null;
  call.done.then((e) => { ended = e; }, () => undefined);
  const onDtmf = (d: { digit: string }): void => { result.dtmf += d.digit; };
  call.on('dtmf', onDtmf);
  // Listened for from the start: an engine may emit 'beep' in the same tick as the 'amd' verdict (the
  // beep was already in the audio when the verdict came), before a listener added after it could hear.
  let beepHeard = false;
  const onBeep = (): void => { beepHeard = true; };
  call.on('beep', onBeep);
  try {
    if (opts.amd) {
      const v = await waitEvent<{ verdict: 'human' | 'machine' | 'unknown' }>(call, 'amd', script.amdTimeoutMs ?? 6000);
      result.amd = v?.verdict ?? 'unknown';
      if (result.amd === 'machine') {
        // The engine emits 'beep' at the beep's end, or at the greeting's end when there is none.
        if (!beepHeard) await waitEvent<{ ms: number }>(call, 'beep', script.beepTimeoutMs ?? 20000);
        if (ended) { result.outcome = 'machine-no-message'; return result; }
        const played = await call.play(script.voicemail ?? script.message);
        result.messagePlayedMs = played.playedMs;
        result.messageCompleted = played.completed;
        result.outcome = played.completed ? 'machine-message-left' : 'machine-no-message';
        return result;
      }
    }
    const menu = script.menu ?? {};
    const hasMenu = Boolean(menu.confirm || menu.repeat || menu.optOut);
    const maxRepeats = script.maxRepeats ?? 2;
    for (let round = 0; round <= maxRepeats; round++) {
      if (ended) break;
      const played = await call.play(script.message, { bargeIn: hasMenu });
      result.messagePlayedMs += played.playedMs;
      result.messageCompleted ||= played.completed;
      if (!hasMenu || ended) break;
      let key = played.interruptedBy ?? '';
      if (!key && script.menuPrompt) {
        const p = await call.play(script.menuPrompt, { bargeIn: true });
        key = p.interruptedBy ?? '';
      }
      if (!key && !ended) key = await call.collect({ max: 1, timeoutMs: script.menuTimeoutMs ?? 5000 });
      if (key && key === menu.optOut) {
        result.outcome = 'opted-out';
        if (script.optOutAck && !ended) await call.play(script.optOutAck);
        break;
      }
      if (key && key === menu.confirm) {
        result.outcome = 'confirmed';
        if (script.confirmAck && !ended) await call.play(script.confirmAck);
        break;
      }
      if (!(key && key === menu.repeat)) break;
    }
    return result;
  } finally {
    call.off('dtmf', onDtmf);
    call.off('beep', onBeep);
  }
}

export interface ScriptedCall {
  ended: CallEnded;
  /** The script's result; null when the call was never answered (or the script failed). */
  script: ScriptResult | null;
  /** The outcome to record: the engine's for an unanswered call, the script's refinement otherwise. */
  outcome: Outcome;
}

/**
 * Runs the script as soon as the call is answered, hangs up when it is done (after `afterScript`,
 * e.g. a window to collect more keys), and resolves once the call has ended.
 */
export async function runScriptedCall(call: Call, script: MessageScript, opts: { amd: boolean; afterScript?: () => Promise<unknown> }): Promise<ScriptedCall> {
  let running: Promise<ScriptResult | null> | null = null;
  call.once('answered', () => {
    running = runMessageScript(call, script, opts).then(async (r) => {
      if (opts.afterScript && call.state !== 'ended') await opts.afterScript();
      if (call.state !== 'ended') await call.hangup('script-done');
      return r;
    }, () => null);
  });
  const ended = await call.done;
  const r = running ? await (running as Promise<ScriptResult | null>) : null;
  return { ended, script: r, outcome: r && ended.outcome === 'human' ? r.outcome : ended.outcome };
}

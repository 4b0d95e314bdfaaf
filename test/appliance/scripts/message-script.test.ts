// The voicemail path of the message script against a scripted call: the message is left after the beep
// even when the engine reports the beep in the same tick as the "machine" verdict.
import test from 'ava';
import { EventEmitter } from 'node:events';
import type { Call, CallEnded, PlayResult, PromptRef } from '../../../core/call-port.ts';
import { runMessageScript } from '../../../appliance/scripts/message-script.ts';

const PROMPT: PromptRef = { id: 'msg', pcmu: '/nonexistent.pcmu', pcma: '/nonexistent.pcma' };

function scriptedCall(): { call: Call; ee: EventEmitter; plays: number } {
  const ee = new EventEmitter();
  const state = { plays: 0 };
  const call = Object.assign(ee, {
    id: 'c1',
    state: 'answered',
    done: new Promise<CallEnded>(() => {}),
    play: async (): Promise<PlayResult> => { state.plays++; return { completed: true, playedMs: 800 }; },
    collect: async () => '',
    hangup: async () => {},
  }) as unknown as Call;
  return { call, ee, get plays() { return state.plays; } };
}

test('a beep emitted in the same tick as the machine verdict still gets the message', async (t) => {
  const s = scriptedCall();
  const running = runMessageScript(s.call, { message: PROMPT, beepTimeoutMs: 2000, amdTimeoutMs: 2000 }, { amd: true });
  setTimeout(() => {
    s.ee.emit('amd', { verdict: 'machine', confidence: 0.9, ms: 3000 });
    s.ee.emit('beep', { ms: 3040 });
  }, 20);
  const started = Date.now();
  const r = await running;
  t.is(r.outcome, 'machine-message-left');
  t.is(r.amd, 'machine');
  t.is(s.plays, 1);
  t.true(Date.now() - started < 1500, 'did not wait for the beep timeout');
});

test('a beep in a later tick gets the message too', async (t) => {
  const s = scriptedCall();
  const running = runMessageScript(s.call, { message: PROMPT, beepTimeoutMs: 2000, amdTimeoutMs: 2000 }, { amd: true });
  setTimeout(() => s.ee.emit('amd', { verdict: 'machine', confidence: 0.9, ms: 3000 }), 20);
  setTimeout(() => s.ee.emit('beep', { ms: 3400 }), 60);
  const r = await running;
  t.is(r.outcome, 'machine-message-left');
  t.is(s.plays, 1);
});

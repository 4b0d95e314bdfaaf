// The voicemail path of the message script against a scripted call: the message is left after the beep
// even when the engine reports the beep in the same tick as the "machine" verdict.
import test from 'ava';
import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
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

/** Whether `p` has settled once the event loop has turned a few times (no timer involved). */
async function settledSoon(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void p.then(() => { settled = true; }, () => { settled = true; });
  for (let i = 0; i < 5 && !settled; i++) await nextTurn();
  return settled;
}

// The script's own time limits are ten minutes here: whatever it does within a few turns of the event
// loop, it did on the events, not on a timer.
const LONG = 600_000;

test('a beep emitted in the same tick as the machine verdict still gets the message', async (t) => {
  const s = scriptedCall();
  const running = runMessageScript(s.call, { message: PROMPT, beepTimeoutMs: LONG, amdTimeoutMs: LONG }, { amd: true });
  await nextTurn();
  s.ee.emit('amd', { verdict: 'machine', confidence: 0.9, ms: 3000 });
  s.ee.emit('beep', { ms: 3040 });
  const done = await settledSoon(running);
  if (!done) s.ee.emit('ended', {}); // lets a script stuck on the beep timeout go
  t.true(done, 'the message is left at once, without waiting for the beep timeout');
  const r = await running;
  t.is(r.outcome, 'machine-message-left');
  t.is(r.amd, 'machine');
  t.is(s.plays, 1);
});

test('a beep in a later tick gets the message too, and not before the beep', async (t) => {
  const s = scriptedCall();
  const running = runMessageScript(s.call, { message: PROMPT, beepTimeoutMs: LONG, amdTimeoutMs: LONG }, { amd: true });
  await nextTurn();
  s.ee.emit('amd', { verdict: 'machine', confidence: 0.9, ms: 3000 });
  t.false(await settledSoon(running), 'a machine: waits for the beep');
  t.is(s.plays, 0, 'nothing is played over the greeting');
  s.ee.emit('beep', { ms: 3400 });
  const done = await settledSoon(running);
  if (!done) s.ee.emit('ended', {});
  t.true(done, 'the message follows the beep at once');
  const r = await running;
  t.is(r.outcome, 'machine-message-left');
  t.is(s.plays, 1);
});

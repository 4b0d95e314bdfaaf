// The bridge's queue policy on its own (pure logic, so two scripted legs stand in for real ones; the real
// far ends are in bridge.test.ts): what crosses, in which law, what a burst costs, and that standing delay
// is cut back without losing frames to ordinary jitter.
import test from 'ava';
import { alawDecodeSample, type G711Law, ulawEncodeSample } from '../../../media/dsp/g711.ts';
import { bridgeLegs } from '../../../media/rtp/bridge.ts';
import type { FrameRelay, RelayLeg } from '../../../media/rtp/relay-leg.ts';

class ScriptedLeg implements RelayLeg {
  relay: FrameRelay | null = null;
  isClosed = false;
  sentDigits: string[] = [];
  stopped = 0;
  constructor(readonly codec: G711Law) {}
  setRelay(relay: FrameRelay | null): void {
    this.relay = relay;
  }
  sendDtmf(digits: string): Promise<void> {
    this.sentDigits.push(digits);
    return Promise.resolve();
  }
  stopPlayback(): void {
    this.stopped++;
  }
  /** A frame arrives from this leg's far end: 160 bytes of `value`. */
  receive(value: number): void {
    this.relay?.received(new Uint8Array(160).fill(value));
  }
  /** The clock ticks for this leg: the frame it would send (first byte), or null for silence. */
  tick(): number | null {
    const f = this.relay?.next() ?? null;
    return f === null ? null : f[0];
  }
  close(): void {
    this.isClosed = true;
    const r = this.relay;
    this.relay = null;
    r?.closed();
  }
}

test('frames cross in order, converted from µ-law to A-law by table; digits pass; prompts stop at the start', async (t) => {
  const a = new ScriptedLeg('pcmu');
  const b = new ScriptedLeg('pcma');
  const bridge = bridgeLegs(a, b);
  t.is(a.stopped + b.stopped, 2);
  const mu = ulawEncodeSample(1000);
  a.receive(mu);
  a.receive(ulawEncodeSample(-2000));
  const first = b.tick() as number;
  t.true(Math.abs(alawDecodeSample(first) - 1000) < 40, `A-law byte decodes near 1000: ${alawDecodeSample(first)}`);
  t.true(Math.abs(alawDecodeSample(b.tick() as number) + 2000) < 80);
  t.is(b.tick(), null, 'nothing queued: silence');
  b.relay?.digit('5');
  t.deepEqual(a.sentDigits, ['5']);
  a.close();
  t.deepEqual(await bridge.done, { endedBy: 'a' });
  t.is(b.relay, null, 'the other leg is detached');
  const s = bridge.stats();
  t.is(s.framesAtoB, 2);
  t.is(s.underrunsAtoB, 1);
  t.is(s.digitsBtoA, 1);
});

test('a burst beyond 8 frames drops the oldest; a standing queue of 3 for 2 s is cut by one frame; jitter of 1-2 frames costs nothing', (t) => {
  const a = new ScriptedLeg('pcmu');
  const b = new ScriptedLeg('pcmu');
  const bridge = bridgeLegs(a, b);
  // a burst of 10 frames: 8 kept, the 2 oldest dropped
  for (let i = 1; i <= 10; i++) a.receive(i);
  t.is(bridge.stats().droppedAtoB, 2);
  t.is(b.tick(), 3, 'the oldest left are the 3rd');
  // drain to a standing queue of 3 and run steady (one in, one out) for 2 s: one frame trimmed
  for (let i = 0; i < 4; i++) b.tick();
  let v = 11;
  for (let i = 0; i < 100; i++) {
    a.receive(v++ & 0xff);
    b.tick();
  }
  t.is(bridge.stats().trimmedAtoB, 1);
  // jitter from an empty queue: frames arrive in pairs then gaps (depth 0..2): never trimmed nor dropped
  while (b.tick() !== null);
  const before = bridge.stats();
  for (let i = 0; i < 300; i++) {
    if (i % 2 === 0) {
      a.receive(1);
      a.receive(2);
    }
    b.tick();
  }
  const after = bridge.stats();
  t.is(after.trimmedAtoB - before.trimmedAtoB, 0);
  t.is(after.droppedAtoB - before.droppedAtoB, 0);
  bridge.unbridge();
});

test('a leg on hold takes nothing for a while: back from hold it hears the newest frame, and what it missed is not counted as dropped', (t) => {
  const a = new ScriptedLeg('pcmu');
  const b = new ScriptedLeg('pcmu');
  const bridge = bridgeLegs(a, b, { digits: 'caller' });
  // b is on hold for 2 s (its clock ticks send nothing and take nothing) while a talks and ticks
  for (let i = 1; i <= 100; i++) {
    a.receive(i);
    a.tick();
  }
  t.is(b.tick(), 100, 'the first frame after the hold is the newest, not 140 ms old');
  t.is(b.tick(), null);
  t.is(bridge.stats().droppedAtoB, 0);
  // with digits: 'caller', a leg's own key reports are not passed; passDigit() is
  b.relay?.digit('7');
  t.deepEqual(a.sentDigits, []);
  bridge.passDigit('b', '8');
  t.deepEqual(a.sentDigits, ['8']);
  t.is(bridge.stats().digitsBtoA, 1);
});

// Answering-machine detection through the embedded engine: sipp plays what the callee "says"
// (espeak-ng speech in a generated pcap). A recorded greeting ending in a beep gives 'amd' machine
// then 'beep' after the tone; a short "Hello?" gives 'amd' human and no beep.
import test from 'ava';
import { startSippUas } from '../peers/sipp.ts';
import { loopbackEngine } from '../support/engine.ts';
import { expectMachineBeep, expectPerson, machineGreeting, pcapOf, personHello } from './amd-callee.ts';

async function callWith(t: import('ava').ExecutionContext, audio: Int16Array) {
  const sipp = await startSippUas({ scenario: 'uas-play-pcap.xml', calls: 1, timeoutSec: 40, files: { 'stream.pcap': pcapOf(audio) }, args: ['-mi', '127.0.0.1', '-mp', 'auto'] });
  t.teardown(() => sipp.stop(0).then(() => {}));
  const engine = await loopbackEngine(t);
  return engine.dial({ to: `sip:callee@127.0.0.1:${sipp.port}`, from: 'test', ringTimeoutMs: 10_000, amd: true });
}

test('a recorded greeting is a machine, and the beep is reported after the tone', async (t) => {
  const { audio, beepEndMs } = machineGreeting(t);
  const call = await callWith(t, audio);
  await expectMachineBeep(t, call, beepEndMs, 200);
  await call.hangup();
});

test('a short "Hello?" then silence is a person, with no beep', async (t) => {
  const call = await callWith(t, personHello(t));
  await expectPerson(t, call);
  await call.hangup();
});

// Issue 16, the engine's side of staff calling out: a registered desk phone's own INVITE is challenged
// like its REGISTER and only then handed to the domain ('staff-call', a ringing staff leg) with who dialled
// what; the domain's refusal reaches the phone with its reason phrase. A phone with wrong credentials is
// refused and nothing reaches the domain.
import test from 'ava';
import type { StaffCallOut } from '../../core/call-port.ts';
import { startBaresip } from '../peers/baresip.ts';
import { staffEngine, until } from './staff-support.ts';

test('a registered desk phone\'s call is handed to the domain after the digest challenge; wrong credentials reach nothing', async (t) => {
  t.timeout(60_000);
  const engine = await staffEngine(t, { passwords: { alice: 'secret', bob: 'bob-secret' }, ranges: ['127.0.0.0/30'] });
  const handed: StaffCallOut[] = [];
  engine.on('staff-call', (c) => {
    handed.push(c);
    void c.call.reject(403, 'Forbidden (not today)');
  });
  const desk = await startBaresip({ listen: '127.0.0.3', user: 'alice', keypad: true, register: { registrar: `127.0.0.1:${engine.sipPort}`, password: 'secret' } });
  t.teardown(() => desk.stop());
  t.true(await until(() => engine.staffEndpoints().length === 1, 30_000), desk.log().slice(-2000));

  await desk.dial(`sip:0612345678@127.0.0.1:${engine.sipPort}`);
  await desk.waitForLog(/403 Forbidden \(not today\)/, 10_000);
  t.is(handed.length, 1);
  t.like(handed[0], { user: 'alice', kind: 'desk-phone', dialled: '0612345678' });
  t.is(handed[0]!.call.state, 'ended');

  // bob's phone knows a wrong password: neither registered nor handed over.
  const wrong = await startBaresip({ listen: '127.0.0.3', user: 'bob', keypad: true, register: { registrar: `127.0.0.1:${engine.sipPort}`, password: 'not-bobs-secret' } });
  t.teardown(() => wrong.stop());
  await wrong.waitForLog(/403 Forbidden/, 8000);
  await wrong.dial(`sip:0612345678@127.0.0.1:${engine.sipPort}`);
  await wrong.waitForLog(/session closed: 403 Forbidden/, 10_000);
  t.is(handed.length, 1, 'nothing more reached the domain');
  t.is(engine.staffEndpoints().length, 1);
});

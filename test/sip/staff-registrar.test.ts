// Desk phones registering to the box (issue 16): sipp and baresip as the phones. Good credentials from
// the LAN ranges are registered and listed (and 'staff' says so); a wrong password, a user who may not
// take calls, or a source outside the ranges is refused with 403 and logged once per source.
import test from 'ava';
import type { StaffEndpoint } from '../../core/call-port.ts';
import { startBaresip } from '../peers/baresip.ts';
import { startSippUac } from '../peers/sipp.ts';
import { capturingLogger, sleep, staffEngine, until } from './staff-support.ts';

const REFUSED = 'refused a SIP request (more from this source are counted and summed when the interval ends)';

function deskPhone(scenario: string, from: string, port: number, user: string, password: string) {
  return startSippUac({
    scenario, address: from, target: `127.0.0.1:${port}`, calls: 1, timeoutSec: 15,
    args: ['-s', user, '-au', user, '-ap', password],
  });
}

test('a desk phone with good credentials from the LAN range is registered, listed, then unregistered', async (t) => {
  const engine = await staffEngine(t);
  const seen: StaffEndpoint[][] = [];
  engine.on('staff', (list) => seen.push(list));
  const sipp = deskPhone('desk-register-auth.xml', '127.0.0.3', engine.sipPort, 'alice', 'secret');
  t.true(await until(() => engine.staffEndpoints().length === 1, 30_000), 'registered');
  const [ep] = engine.staffEndpoints();
  t.like(ep, { user: 'alice', kind: 'desk-phone', busy: false });
  t.regex(ep!.source, /^127\.0\.0\.3:\d+$/);
  const r = await sipp.stop(10_000);
  t.is(r.exitCode, 0, r.errors);
  t.deepEqual(engine.staffEndpoints(), [], 'unregistered with Expires: 0');
  t.deepEqual(seen.map((l) => l.length), [1, 0]);
});

test('a wrong password is refused with 403 and logged once for its source', async (t) => {
  const { logger, lines } = capturingLogger();
  const engine = await staffEngine(t, { logger });
  for (let i = 0; i < 2; i++) {
    const r = await deskPhone('desk-register-auth-expect-403.xml', '127.0.0.3', engine.sipPort, 'alice', 'Tr0ub4dor').stop(10_000);
    t.is(r.exitCode, 0, r.errors);
  }
  t.deepEqual(engine.staffEndpoints(), []);
  const refused = lines().filter((l) => l.msg === REFUSED);
  t.is(refused.length, 1, 'once per source and interval');
  t.like(refused[0], { source: '127.0.0.3', method: 'REGISTER', reason: 'wrong-credentials', status: 403 });
  t.false(JSON.stringify(lines()).includes('Tr0ub4dor'), 'no password in the logs');
});

test('a user who may not take calls (no credentials in the directory) is refused with 403', async (t) => {
  const engine = await staffEngine(t);
  const r = await deskPhone('desk-register-auth-expect-403.xml', '127.0.0.3', engine.sipPort, 'bob', 'secret').stop(10_000);
  t.is(r.exitCode, 0, r.errors);
  t.deepEqual(engine.staffEndpoints(), []);
});

test('good credentials from outside the LAN ranges are refused with 403 before any challenge', async (t) => {
  const { logger, lines } = capturingLogger();
  const engine = await staffEngine(t, { logger });
  const r = await startSippUac({ scenario: 'uac-register-expect-403.xml', address: '127.0.0.4', target: `127.0.0.1:${engine.sipPort}`, calls: 1, timeoutSec: 10, args: ['-s', 'alice'] }).stop(8000);
  t.is(r.exitCode, 0, r.errors);
  t.deepEqual(engine.staffEndpoints(), []);
  t.like(lines().find((l) => l.msg === REFUSED), { source: '127.0.0.4', method: 'REGISTER' });
});

test('baresip as a desk phone registers with its password and is listed', async (t) => {
  const engine = await staffEngine(t);
  const phone = await startBaresip({ listen: '127.0.0.3', user: 'alice', register: { registrar: `127.0.0.1:${engine.sipPort}`, password: 'secret' } });
  t.teardown(() => phone.stop());
  t.true(await until(() => engine.staffEndpoints().length === 1, 30_000), phone.log().slice(-2000));
  t.like(engine.staffEndpoints()[0], { user: 'alice', kind: 'desk-phone' });
  await sleep(100);
});

test('baresip with a wrong password is not registered', async (t) => {
  const engine = await staffEngine(t);
  const phone = await startBaresip({ listen: '127.0.0.3', user: 'alice', register: { registrar: `127.0.0.1:${engine.sipPort}`, password: 'nope' } });
  t.teardown(() => phone.stop());
  await phone.waitForLog(/403 Forbidden/, 8000);
  t.deepEqual(engine.staffEndpoints(), []);
});

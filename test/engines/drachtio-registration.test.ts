// Registration and the trunk guard through drachtio-server (only drachtio-server is needed: no call is
// placed). A registrar that challenges every REGISTER: registered, refreshed before expiry, removed
// on stop. An OPTIONS from a configured trunk is answered; from a stranger, refused with a 403.
import test from 'ava';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrunkStatus } from '../../core/call-port.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import { silentLogger } from '../../core/log.ts';
import { DrachtioEngine } from '../../sip/drachtio/engine.ts';
import { startSippUac, startSippUas } from '../peers/sipp.ts';
import { findDrachtio, SKIP_LINE, startDrachtioOnly, type RunningDrachtio } from './servers.ts';
import { loopbackTrunk } from '../support/engine.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const bin = findDrachtio();
if (!bin) console.log(`${SKIP_LINE} (drachtio not found)`);
const run = bin ? test.serial : test.skip;
let server: RunningDrachtio | null = null;
test.before(async () => { if (bin) server = await startDrachtioOnly(bin); });
test.after.always(async () => { await server?.stop(); });

function trunk(over: Partial<TrunkProfile>): TrunkProfile {
  return loopbackTrunk(5060, { name: 'reg', channels: 2, codecs: ['PCMU'], ...over });
}

function engineWith(trunks: TrunkProfile[]): DrachtioEngine {
  return new DrachtioEngine({
    settings: {
      sip: { bindAddress: '127.0.0.1', port: 0, transports: ['udp'], userAgent: 'vba-test', guard: { action: 'reject', maxRepliesPerSecPerSource: 5 } },
      trunks, defaultTrunk: null,
      // FreeSWITCH deliberately absent: registration and the guard need only drachtio-server.
      drachtio: { ...server!.settings, freeswitch: { host: '127.0.0.1', port: 1, secret: 'x' } },
    },
    logger: silentLogger(),
    connectWaitMs: 1000,
  });
}

run('REGISTER through drachtio-server: challenged, registered, refreshed, removed on stop', async (t) => {
  t.timeout(30_000);
  const sipp = await startSippUas({ scenario: path.join(HERE, 'sipp/uas-register-challenge-each.xml'), calls: 1, keys: { auth_user: 'alice', auth_pass: 's3cret' }, timeoutSec: 20 });
  t.teardown(() => sipp.stop(0).then(() => {}));
  const engine = engineWith([trunk({ port: sipp.port, auth: 'register', username: 'alice', password: 's3cret', registerExpiresSec: 2 })]);
  const seen: TrunkStatus[] = [];
  engine.on('trunk', (s) => seen.push(s));
  await engine.start();
  t.teardown(() => engine.close());
  const deadline = Date.now() + 8000;
  while (Date.now() < deadline && !seen.some((s) => s.registered)) await new Promise((r) => setTimeout(r, 50));
  t.true(seen.some((s) => s.registered === true), JSON.stringify(seen));
  // Registered, but calls still refused: FreeSWITCH is not connected, and the status says so.
  t.like(engine.trunks()[0], { registered: true, health: 'down', lastError: 'FreeSWITCH not connected' });
  await new Promise((r) => setTimeout(r, 1800)); // the refresh comes after 1 s
  t.is(engine.trunks()[0]!.registered, true);
  await engine.close();
  const r = await sipp.stop(3000);
  t.is(r.exitCode, 0, r.errors);
});

run('the trunk guard at drachtio-server: OPTIONS from a trunk is answered, a stranger gets 403', async (t) => {
  t.timeout(30_000);
  const engine = engineWith([trunk({ name: 'office', host: '127.0.0.1', allowedSources: ['127.0.0.1'] })]);
  await engine.start();
  t.teardown(() => engine.close());
  const target = `127.0.0.1:${server!.sipPort}`;
  const ok = startSippUac({ scenario: path.join(HERE, 'sipp/uac-options-expect-200.xml'), target, calls: 1, timeoutSec: 10, address: '127.0.0.1' });
  const okRun = await ok.exited;
  t.is(okRun.exitCode, 0, okRun.errors);
  const stranger = startSippUac({ scenario: 'uac-options-expect-403.xml', target, calls: 1, timeoutSec: 10, address: '127.0.0.2' });
  const refused = await stranger.exited;
  t.is(refused.exitCode, 0, refused.errors);
  t.true(engine.internals!.inbound.blocked >= 1);
});

// The drachtio engine when FreeSWITCH or drachtio-server goes away and comes back: trunks turn 'down'
// with the reason and calls are refused at once; after the restart the engine reconnects by itself
// (backoff) and the next call is answered. Real servers only (skipped with one line otherwise).
import test from 'ava';
import type { TrunkStatus } from '../../core/call-port.ts';
import { silentLogger } from '../../core/log.ts';
import { DrachtioEngine } from '../../sip/drachtio/engine.ts';
import { startSippUas } from '../peers/sipp.ts';
import { findServers, SKIP_LINE, startServers, type RunningServers } from './servers.ts';
import { loopbackTrunk } from '../support/engine.ts';

const found = findServers();
if (!found.bins) console.log(`${SKIP_LINE} (${found.why})`);

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An engine (not started) on the servers, with one trunk to the sipp answering at sippPort. */
function engineOn(servers: RunningServers, sippPort: number): DrachtioEngine {
  return new DrachtioEngine({
    settings: {
      sip: { bindAddress: '127.0.0.1', port: 0, transports: ['udp'], userAgent: 'vba-test', guard: { action: 'reject', maxRepliesPerSecPerSource: 5 } },
      trunks: [loopbackTrunk(sippPort, { channels: 2, codecs: ['PCMU'] })],
      defaultTrunk: 'sipp', drachtio: servers.settings,
    },
    logger: silentLogger(),
  });
}

(found.bins ? test : test.skip)('FreeSWITCH restarted: calls refused while it is away, answered again once it is back', async (t) => {
  t.timeout(60_000);
  const servers = await startServers(found.bins!);
  t.teardown(() => servers.stop());
  const sipp = await startSippUas({ scenario: 'uas-answer.xml', calls: 1, timeoutSec: 50, args: ['-mp', 'auto', '-mi', '127.0.0.1'] });
  t.teardown(() => sipp.stop(0).then(() => {}));
  const engine = engineOn(servers, sipp.port);
  const seen: TrunkStatus[] = [];
  engine.on('trunk', (s) => seen.push(s));
  await engine.start();
  t.teardown(() => engine.close());
  t.true(await engine.whenConnected(10_000));

  await servers.stopFreeswitch();
  await until('FreeSWITCH to be seen gone', () => !engine.servers().freeswitch, 10_000);
  t.like(engine.trunks()[0], { health: 'down', lastError: 'FreeSWITCH not connected' });
  const refused = await engine.dial({ to: '+33612345678', from: '+33100000000' }).done;
  t.like(refused, { outcome: 'trunk-failure', sipCode: null, endedBy: 'error' });
  t.regex(refused.reason ?? '', /E_TRUNK_DOWN: FreeSWITCH not connected/);

  await servers.startFreeswitch();
  await until('the engine to reconnect', () => engine.servers().freeswitch, 15_000);
  t.not(engine.trunks()[0]!.health, 'down');
  const call = engine.dial({ to: '+33612345678', from: '+33100000000', ringTimeoutMs: 10_000 });
  await new Promise<void>((r) => call.once('answered', () => r()));
  await call.hangup();
  t.like(await call.done, { outcome: 'human', sipCode: 200, endedBy: 'local' });
  t.true(seen.some((s) => s.health === 'down') && seen.at(-1)!.health !== 'down');
});

(found.bins ? test : test.skip)('drachtio-server restarted: calls refused while it is away, answered again once it is back', async (t) => {
  t.timeout(60_000);
  const servers = await startServers(found.bins!);
  t.teardown(() => servers.stop());
  const sipp = await startSippUas({ scenario: 'uas-answer.xml', calls: 1, timeoutSec: 50, args: ['-mp', 'auto', '-mi', '127.0.0.1'] });
  t.teardown(() => sipp.stop(0).then(() => {}));
  const engine = engineOn(servers, sipp.port);
  await engine.start();
  t.teardown(() => engine.close());
  t.true(await engine.whenConnected(10_000));

  await servers.stopDrachtio();
  await until('drachtio-server to be seen gone', () => !engine.servers().drachtio, 10_000);
  t.like(engine.trunks()[0], { health: 'down', lastError: 'drachtio-server not connected' });
  const refused = await engine.dial({ to: '+33612345678', from: '+33100000000' }).done;
  t.like(refused, { outcome: 'trunk-failure', sipCode: null, endedBy: 'error' });

  await servers.startDrachtio();
  await until('the engine to reconnect', () => engine.servers().drachtio, 15_000);
  const call = engine.dial({ to: '+33612345678', from: '+33100000000', ringTimeoutMs: 10_000 });
  await new Promise<void>((r) => call.once('answered', () => r()));
  await call.hangup();
  t.like(await call.done, { outcome: 'human', sipCode: 200, endedBy: 'local' });
});

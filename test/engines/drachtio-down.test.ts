// The drachtio engine without its servers (nothing listens on the configured ports): the box still
// starts, every trunk says plainly what is missing, and a call ends at once as a trunk failure
// instead of hanging. No server is needed, so this runs everywhere.
import test from 'ava';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { TrunkStatus } from '../../core/call-port.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import { silentLogger } from '../../core/log.ts';
import { DrachtioEngine } from '../../sip/drachtio/engine.ts';
import { freePort } from '../peers/ports.ts';
import { loopbackTrunk } from '../support/engine.ts';

const trunk: TrunkProfile = loopbackTrunk(5099, { name: 'office', channels: 2, codecs: ['PCMU'] });

test('servers away: trunks are down with the reason, calls end at once as trunk-failure', async (t) => {
  const [dport, fport] = [await freePort(), await freePort()];
  const engine = new DrachtioEngine({
    settings: {
      sip: { bindAddress: '127.0.0.1', port: 0, transports: ['udp'], userAgent: 'vba-test', guard: { action: 'reject', maxRepliesPerSecPerSource: 5 } },
      trunks: [trunk], defaultTrunk: 'office',
      drachtio: { host: '127.0.0.1', port: dport, secret: 'x', freeswitch: { host: '127.0.0.1', port: fport, secret: 'y' } },
    },
    logger: silentLogger(),
    connectWaitMs: 300,
  });
  const seen: TrunkStatus[] = [];
  engine.on('trunk', (s) => seen.push(s));
  await engine.start();
  t.teardown(() => engine.close());
  t.is(engine.name, 'drachtio');
  t.deepEqual({ d: engine.servers().drachtio, f: engine.servers().freeswitch }, { d: false, f: false });
  const [status] = engine.trunks();
  t.like(status, { name: 'office', health: 'down', lastError: 'drachtio-server and FreeSWITCH not connected', channelsInUse: 0 });
  t.true(seen.some((s) => s.health === 'down'));
  // "At once": within a few turns of the event loop, with no timer or network wait in between.
  const done = engine.dial({ to: '+33612345678', from: '+33100000000' }).done;
  let ended = false;
  void done.then(() => { ended = true; });
  for (let i = 0; i < 5 && !ended; i++) await nextTurn();
  t.true(ended, 'the call ended without waiting for anything');
  const end = await done;
  t.like(end, { outcome: 'trunk-failure', sipCode: null, endedBy: 'error' });
  t.regex(end.reason ?? '', /E_TRUNK_DOWN.*not connected/);
  t.is(engine.trunks()[0]!.channelsInUse, 0);
  t.is(engine.activeCalls(), 0);
  // Closing does not hang on the links that keep trying to reconnect (a wide bound: it is a hang we look for).
  const closed = await Promise.race([engine.close().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 10_000).unref())]);
  t.true(closed, 'close() finished within 10 s');
});

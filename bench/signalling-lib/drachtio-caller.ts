// The signalling bench's caller for the drachtio engine: the same call port as production (a FreeSWITCH
// endpoint per call, a UAC through drachtio-server), on servers started from the project's own
// configuration (test/engines/servers.ts). Null when drachtio-server or FreeSWITCH is not installed.
import { silentLogger } from '../../core/log.ts';
import { DrachtioEngine } from '../../sip/drachtio/engine.ts';
import { findServers, startServers, type RunningServers } from '../../test/engines/servers.ts';
import { portPlacer, type Caller } from './callers.ts';

export function drachtioAvailable(): { ok: boolean; why: string } {
  const f = findServers();
  return { ok: !!f.bins, why: f.why };
}

export async function startBenchServers(rtpPorts: number): Promise<RunningServers> {
  const f = findServers();
  if (!f.bins) throw new Error(`drachtio-server/FreeSWITCH not available: ${f.why}`);
  return startServers(f.bins, { rtpPorts });
}

export async function drachtioCaller(target: string, servers: RunningServers): Promise<Caller> {
  const engine = new DrachtioEngine({
    settings: {
      sip: { bindAddress: '127.0.0.1', port: 0, transports: ['udp'], userAgent: 'vba-bench', guard: { action: 'reject', maxRepliesPerSecPerSource: 1 } },
      trunks: [], defaultTrunk: null, drachtio: servers.settings,
    },
    logger: silentLogger(),
  });
  await engine.start();
  if (!(await engine.whenConnected(10_000))) throw new Error('the drachtio engine did not connect to its servers');
  return {
    name: 'drachtio',
    // Our SIP socket is drachtio-server's: its drop counter is the one that matters.
    sipPort: servers.drachtio.sipPort,
    place: portPlacer(engine, target),
    close: () => engine.close(),
  };
}

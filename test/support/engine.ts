// An embedded engine on loopback for tests: SIP on an ephemeral port, RTP from this test process's
// own port block, started now and closed when the test ends.
import type { ExecutionContext } from 'ava';
import { EmbeddedEngine } from '../../sip/embedded/engine.ts';
import { silentLogger } from '../../core/log.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import { trunkDefaults } from '../../core/trunk-defaults.ts';
import { rtpRange } from '../peers/ports.ts';

/** A SIP trunk on loopback that knows us by address (no registration); `over` sets the rest. */
export function loopbackTrunk(port: number, over: Partial<TrunkProfile> = {}): TrunkProfile {
  return trunkDefaults({ name: 'sipp', host: '127.0.0.1', port, registerExpiresSec: 300, channels: 4, cps: 0, codecs: ['PCMU', 'PCMA'], optionsIntervalSec: 0, ...over });
}

export async function loopbackEngine(t: ExecutionContext, o: { trunks?: TrunkProfile[]; rtpPorts?: number; transports?: Array<'udp' | 'tcp'> } = {}): Promise<EmbeddedEngine> {
  const rtp = rtpRange(o.rtpPorts ?? 22);
  const trunks = o.trunks ?? [];
  const engine = new EmbeddedEngine({
    settings: {
      sip: { bindAddress: '127.0.0.1', port: 0, transports: o.transports ?? ['udp'], userAgent: 'vba-test', guard: { action: 'reject', maxRepliesPerSecPerSource: 5 } },
      media: { rtpPortMin: rtp.min, rtpPortMax: rtp.max, ptimeMs: 20, jitterPackets: 3 },
      trunks,
      defaultTrunk: trunks[0]?.name ?? null,
    },
    logger: silentLogger(),
  });
  await engine.start();
  t.teardown(() => engine.close());
  return engine;
}

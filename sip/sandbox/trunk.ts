// The trunk profile that points the box at a running sandbox: what `npm start` configures when no real
// trunk exists, and what tests and benchmarks use. Kind 'sandbox', so the UI can say so plainly.
import type { TrunkProfile } from '../../core/settings-types.ts';
import { trunkDefaults } from '../../core/trunk-defaults.ts';

export function sandboxTrunk(at: { address: string; port: number }, overrides: Partial<TrunkProfile> = {}): TrunkProfile {
  return trunkDefaults({
    name: 'sandbox',
    kind: 'sandbox',
    host: at.address,
    port: at.port,
    transport: 'udp',
    auth: 'ip',
    allowedSources: [at.address],
    // The sandbox carries what the benchmarks ask of it; real limits live on real trunks.
    channels: 100,
    cps: 50,
    codecs: ['PCMU', 'PCMA'],
    dtmf: 'rfc4733',
    keepPlus: true,
    ...overrides,
  });
}

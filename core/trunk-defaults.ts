// A trunk's settings with every field the user left out filled in (the engines and the sandbox use it).
import type { TrunkProfile } from './settings-types.ts';

/** A trunk profile with the defaults filled in; callers give at least name, host and kind. */
export function trunkDefaults(partial: Partial<TrunkProfile> & Pick<TrunkProfile, 'name' | 'host'>): TrunkProfile {
  return {
    kind: 'sip',
    enabled: true,
    port: 5060,
    transport: 'udp',
    auth: 'ip',
    registerExpiresSec: 3600,
    allowedSources: [],
    mediaSources: [],
    channels: 30,
    cps: 5,
    codecs: ['PCMA', 'PCMU'],
    dtmf: 'auto',
    optionsIntervalSec: 30,
    ...partial,
  };
}

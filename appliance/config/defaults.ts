import type { Settings, } from '../../core/settings-types.ts';

export const SETTINGS_VERSION = 1;

export function defaultSettings(): Settings {
  return {
    version: SETTINGS_VERSION,
    box: { name: 'voice-broadcast-box', country: 'FR', timezone: 'Europe/Paris' },
    engine: 'embedded',
    http: { port: 8080, bindAddress: '0.0.0.0', tls: { enabled: true, redirectPort: null } },
    sip: {
      bindAddress: '0.0.0.0',
      port: 5060,
      transports: ['udp', 'tcp'],
      userAgent: 'voice-broadcast-appliance/0.1',
      guard: { action: 'reject', maxRepliesPerSecPerSource: 1 },
    },
    media: { rtpPortMin: 10000, rtpPortMax: 20000, ptimeMs: 20, jitterPackets: 3 },
    trunks: [],
    defaultTrunk: null,
    callerIds: [],
    users: [],
    staff: { groups: [], deskPhoneRanges: [], sipRealm: 'voice-broadcast-box', transferNumbers: [], outboundCalls: false, listenIn: false },
    inbound: {
      enabled: true, numbers: [], greeting: 'You are calling us back. Thank you.', voice: 'en', recentDays: 7,
      optOutKey: '9', staffKey: '0', staffGroup: null, openingHours: [], waitMs: 30_000,
    },
    drachtio: { host: '127.0.0.1', port: 9022, secret: 'cymru', freeswitch: { host: '127.0.0.1', port: 8021, secret: 'ClueCon' } },
    compliance: { pack: null },
    fleet: { enabled: false, url: null, boxId: null },
    clock: { requireSync: 'auto' },
    logging: { level: 'info' },
  };
}


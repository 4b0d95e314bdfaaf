// The settings document: one typed JSON document (lowdb), validated at start.
// Engines receive the parts they need (trunks, sip, media) as plain typed values.

export type Transport = 'udp' | 'tcp' | 'tls';

export interface TrunkProfile {
  /** Unique name, used by campaigns and `appliance call --trunk`. */
  name: string;
  /** 'sip': an ITSP or PBX; 'gsm': a GSM-to-SIP gateway; 'sandbox': the simulated public network. */
  kind: 'sip' | 'gsm' | 'sandbox';
  enabled: boolean;
  host: string;
  port: number;
  transport: Transport;
  /** 'ip': the trunk authenticates us by source address; 'register': we REGISTER and answer digest challenges. */
  auth: 'ip' | 'register' | 'digest';
  username?: string;
  password?: string;
  /** Authorization user when it differs from the username. */
  authUser?: string;
  /** Domain used in From/To/Request-URI; defaults to host. */
  domain?: string;
  registerExpiresSec: number;
  /** Source addresses (IPs or CIDRs) from which this trunk may send us requests; defaults to the resolved host. */
  allowedSources: string[];
  /**
   * Where this trunk's RTP may come from besides the address its SDP declares (c=): IPs or CIDRs with
   * an optional port range ("203.0.113.0/24:16384-32767"), for carriers whose media servers send from
   * other addresses. Default none: media only from the declared address.
   */
  mediaSources?: string[];
  /** Concurrent calls the trunk carries. For a GSM gateway: ports x channelsPerPort. */
  channels: number;
  /** Maximum new calls per second on this trunk. */
  cps: number;
  /** GSM gateway only: SIM ports, channels on each, and the pause a channel needs between calls. */
  gsm?: { ports: number; channelsPerPort: number; coolDownMs: number };
  /** Preferred codec order. */
  codecs: Array<'PCMU' | 'PCMA'>;
  /** How DTMF arrives from this trunk; 'auto' accepts all three. */
  dtmf: 'auto' | 'rfc4733' | 'inband' | 'info';
  /** Seconds between OPTIONS pings (0 turns them off). */
  optionsIntervalSec: number;
  /** Prefix prepended to the E.164 number (without '+') in the Request-URI, e.g. '' or '00'. */
  dialPrefix?: string;
  /** Keep the '+' of E.164 numbers in the Request-URI user part. */
  keepPlus?: boolean;
}

export interface SipSettings {
  /** Address to bind; '0.0.0.0' on a box, '127.0.0.1' in tests. */
  bindAddress: string;
  /** Address advertised in Via/Contact/SDP; defaults to the bind address or the first LAN address. */
  publicAddress?: string;
  port: number;
  transports: Transport[];
  /** TLS certificate and key (PEM file paths) for the TLS transport. */
  tls?: { cert: string; key: string; ca?: string; rejectUnauthorized?: boolean };
  userAgent: string;
  /** What the trunk guard does with requests from non-trunk sources. */
  guard: { action: 'reject' | 'ignore'; maxRepliesPerSecPerSource: number };
}

export interface MediaSettings {
  rtpPortMin: number;
  rtpPortMax: number;
  /** Packetisation time; the engine's shared clock ticks at this interval. */
  ptimeMs: 20;
  /** Bytes of the jitter buffer for received audio, in packets. */
  jitterPackets: number;
  /**
   * Media worker threads of the embedded engine, each with its own 20 ms clock (issue 19); absent: one
   * per core; 0 keeps the media on the main thread (where any stall of the event loop is heard).
   */
  workers?: number;
}

export interface FleetSettings {
  enabled: boolean;
  /** Broker URL: mqtt://host:1883 or mqtts://host:8883 (from provisioning). */
  url: string | null;
  boxId: string | null;
  username?: string;
  password?: string;
  /** PEM file paths: the fleet CA, and this box's client certificate and key (from provisioning). */
  tls?: { ca?: string; cert?: string; key?: string };
  /** Seconds between telemetry messages (default 10). */
  telemetryIntervalSec?: number;
  /** How long the broker keeps this box's session (and its queued commands) while offline (default 7). */
  sessionExpiryDays?: number;
  /**
   * list.import may fetch from link-local addresses (169.254.0.0/16, fe80::/10); default false, since
   * that is where cloud and router metadata services answer. For a LAN whose file server has no other address.
   */
  allowLinkLocalImports?: boolean;
}

/** The web UI and API. `port` speaks HTTPS and plain HTTP alike (told apart by the first byte). */
export interface HttpSettings {
  port: number;
  bindAddress: string;
  tls: {
    /** Serve HTTPS with the box's certificate; plain HTTP from the LAN is redirected (308). Off: plain HTTP as before. */
    enabled: boolean;
    /** A second, plain-HTTP port that only redirects to HTTPS (e.g. 80, which needs CAP_NET_BIND_SERVICE); null: none. */
    redirectPort: number | null;
  };
}

/** A web UI user; passwords only as argon2id hashes, a desk phone's secret only as its digest HA1. */
export interface StaffUser {
  username: string;
  passwordHash: string;
  role: 'admin' | 'operator' | 'viewer';
  /** May take calls the box hands on (a browser softphone or a desk phone); default false. */
  takeCalls?: boolean;
  /** The desk phone's digest secret: HA1 = MD5(username:realm:password), for `staff.sipRealm` at the time it was set. */
  deskPhone?: { realm: string; ha1: string };
}

/** A group of staff a flow's `transfer` rings. */
export interface StaffGroup {
  name: string;
  /** Usernames (users allowed to take calls). */
  members: string[];
  /** Ring every available member at once, or the one idle longest first (then the next). */
  strategy: 'ring-all' | 'longest-idle';
}

export interface StaffSettings {
  groups: StaffGroup[];
  /** Address ranges (CIDR) desk phones may register from; empty = no desk phone at all. */
  deskPhoneRanges: string[];
  /** The digest realm desk phones authenticate in (changing it invalidates every desk-phone secret). */
  sipRealm: string;
  /**
   * The organisation's own numbers (E.164) a flow may transfer to through a trunk; any other external
   * number is refused at validation and at run time (handing callees to a third party's call centre).
   */
  transferNumbers: string[];
  /** Registered staff endpoints may call out through the box (within the campaigns' compliance gate); default off. */
  outboundCalls: boolean;
  /** An admin may listen in on a live call (audited); default off. */
  listenIn: boolean;
}

/** One opening period: days of the week (0 = Sunday) and a time range in the box's time zone. */
export interface OpeningHours {
  days: number[];
  from: string;
  to: string;
}

export interface InboundSettings {
  /** Answer calls from the trunks at all; off: they are refused (480). */
  enabled: boolean;
  /** The box's own numbers (E.164) calls may come to; empty = the caller IDs of the settings. */
  numbers: string[];
  /** Played first, the organisation's name (text-to-speech in `voice`). */
  greeting: string;
  voice: string;
  /** A caller called by a campaign in this many days hears that campaign's message again. */
  recentDays: number;
  /** The do-not-call key (47 CFR 64.1200(d), CRTC rules): the caller is suppressed like an outbound opt-out. */
  optOutKey: string;
  /** The key that reaches a person, during `openingHours`. */
  staffKey: string;
  /** The group the staff key rings; null = no transfer offered. */
  staffGroup: string | null;
  /** When staff take calls (the box's time zone); empty = never. */
  openingHours: OpeningHours[];
  /** Longest wait for a person, in ms. */
  waitMs: number;
}

export interface Settings {
  version: number;
  box: { name: string; country: string; timezone: string };
  engine: 'embedded' | 'drachtio';
  http: HttpSettings;
  sip: SipSettings;
  media: MediaSettings;
  trunks: TrunkProfile[];
  /** Trunk used when a campaign or the call command names none. */
  defaultTrunk: string | null;
  callerIds: Array<{ number: string; label: string; verified: boolean }>;
  /** Web UI users; passwords only as argon2id hashes. */
  users: Array<StaffUser>;
  /** Staff endpoints and transfers (issue 16). */
  staff: StaffSettings;
  /** Calls coming in from the trunks (issue 16). */
  inbound: InboundSettings;
  drachtio: { host: string; port: number; secret: string; freeswitch: { host: string; port: number; secret: string } };
  compliance: { pack: 'us' | 'ca' | 'fr' | 'uk' | 'none' | null };
  fleet: FleetSettings;
  /**
   * Dial only with a synchronised system clock (calling windows, consent and audit times). 'auto':
   * required while a real (non-sandbox) trunk is enabled, and enforced when the state can be read.
   */
  clock: { requireSync: 'auto' | boolean };
  logging: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' };
}

// What the dashboard reads: GET /api/health (engine, trunks, clock, audio tools), GET /api/system (CPU,
// memory, disk) and GET /api/provisioning (fleet enrolment).
import { Nullable, StringEnum, Type, type Static } from './kit.ts';

const str = Type.String();

export const TrunkHealth = Type.Object({
  name: str,
  kind: StringEnum(['sip', 'gsm', 'sandbox'] as const),
  health: StringEnum(['up', 'down', 'unknown', 'registering', 'paused'] as const),
  registered: Nullable(Type.Boolean(), { description: 'null when the trunk authenticates us by address' }),
  channelsInUse: Type.Integer(),
  channels: Type.Integer(),
  lastError: Nullable(str),
  lastOptionsRttMs: Nullable(Type.Number()),
});
export type TrunkHealth = Static<typeof TrunkHealth>;

export const ClockHealth = Type.Object({
  synchronized: Nullable(Type.Boolean(), { description: 'null when the box cannot tell (no systemd-timesyncd, no timedatectl)' }),
  required: Type.Boolean({ description: 'calls are placed only with a synchronised clock (a real trunk is enabled, or clock.requireSync is true)' }),
  detail: str,
});
export type ClockHealth = Static<typeof ClockHealth>;

export const MediaHealth = Nullable(Type.Object({
  rtpSessions: Type.Integer(),
  rtpDroppedForeign: Type.Integer({ description: 'datagrams dropped since start for not coming from where the far end declared its media (SDP address, trunk mediaSources)' }),
}), { description: 'the embedded engine\'s RTP counters; null where media runs in FreeSWITCH' });

export const AUDIO_TOOLS = ['ffmpeg', 'sox', 'espeak-ng'] as const;
export type AudioToolName = (typeof AUDIO_TOOLS)[number];
export const ToolStatus = Type.Object({
  name: StringEnum(AUDIO_TOOLS),
  present: Type.Boolean({ description: 'found on the PATH the box started with' }),
  package: Type.String({ description: 'the Debian package that provides it (apt-get install <package>)' }),
  neededFor: Type.String({ description: 'what is refused while it is missing; the box starts, runs the sandbox and imports PCM WAV without any of them' }),
});
export type ToolStatus = Static<typeof ToolStatus>;

/** The certificate the web UI is served with (GET /api/tls, and `tls` in /api/health). */
export const TlsInfo = Type.Object({
  enabled: Type.Boolean(),
  source: Type.Optional(StringEnum(['own', 'installed'] as const, { description: 'own: made by the box for its LAN names and addresses; installed: uploaded by an admin or sent by the fleet' })),
  fingerprint256: Type.Optional(Type.String({ description: 'SHA-256 of the certificate, as browsers show it (AB:CD:...); changes when the box remakes its own for new addresses' })),
  spkiSha256: Type.Optional(Type.String({ description: 'SHA-256 of the public key (base64): stays the same across the box\'s remakes; Chromium takes it in --ignore-certificate-errors-spki-list' })),
  subject: Type.Optional(str),
  issuer: Type.Optional(str),
  selfSigned: Type.Optional(Type.Boolean()),
  names: Type.Optional(Type.Array(str)),
  validFrom: Type.Optional(Type.String({ format: 'date-time' })),
  validTo: Type.Optional(Type.String({ format: 'date-time' })),
}, { description: 'the certificate the web UI is served with; enabled false (and nothing else) while HTTPS is off (settings http.tls.enabled)' });
export type TlsInfo = Static<typeof TlsInfo>;

export const Health = Type.Object({
  box: str,
  engine: str,
  engineServers: Nullable(Type.Object({ drachtio: Type.Boolean(), freeswitch: Type.Boolean() }), {
    description: 'null on the embedded engine; else whether drachtio-server and FreeSWITCH are connected (calls are refused while either is not)',
  }),
  activeCalls: Type.Integer(),
  media: MediaHealth,
  trunks: Type.Array(TrunkHealth),
  uptimeSec: Type.Integer(),
  version: str,
  onSandbox: Type.Boolean({ description: 'a trunk of kind sandbox is in use: calls go to the simulated network' }),
  time: Type.String({ format: 'date-time' }),
  clock: ClockHealth,
  // Read-only: the box detects the tools once at start and hands out the same list.
  tools: Type.Unsafe<readonly ToolStatus[]>(Type.Array(ToolStatus, { description: 'Debian audio tools (ffmpeg, sox, espeak-ng): present or missing, with their package' })),
  tls: TlsInfo,
});
export type Health = Static<typeof Health>;

export const SystemHealth = Type.Object({
  cpu: Type.Object({
    loadPercent: Nullable(Type.Number(), { description: 'all cores, 0..100' }),
    cores: Type.Integer(),
    temperatureC: Nullable(Type.Number(), { description: 'null without a sensor' }),
  }),
  memory: Type.Object({ usedBytes: Type.Number(), totalBytes: Type.Number() }),
  disk: Nullable(Type.Object({ path: str, usedBytes: Type.Number(), totalBytes: Type.Number(), freeBytes: Type.Number({ description: 'space the box can still write' }) })),
  measuredAt: Type.String({ format: 'date-time' }),
});
export type SystemHealth = Static<typeof SystemHealth>;

export const Provisioning = Type.Object({
  state: StringEnum(['enrolled', 'unclaimed', 'error'] as const),
  boxId: str,
  claimCode: Type.Optional(Type.String({ description: 'admins only' })),
  claimCodeHidden: Type.Optional(Type.Boolean({ description: 'true when there is a claim code this session may not see' })),
  fleetUrl: Type.Optional(str),
  error: Type.Optional(str),
});
export type Provisioning = Static<typeof Provisioning>;

// JSON schema of the settings document. Validation errors name the offending key.
// Kept as a plain schema object: ajv's JSONSchemaType cannot express our nullable optionals cleanly.
type Schema = Record<string, unknown>;

const trunk: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kind', 'enabled', 'host', 'port', 'transport', 'auth', 'registerExpiresSec', 'allowedSources', 'channels', 'cps', 'codecs', 'dtmf', 'optionsIntervalSec'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' },
    kind: { type: 'string', enum: ['sip', 'gsm', 'sandbox'] },
    enabled: { type: 'boolean' },
    host: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    transport: { type: 'string', enum: ['udp', 'tcp', 'tls'] },
    auth: { type: 'string', enum: ['ip', 'register', 'digest'] },
    username: { type: 'string', nullable: true },
    password: { type: 'string', nullable: true },
    authUser: { type: 'string', nullable: true },
    domain: { type: 'string', nullable: true },
    registerExpiresSec: { type: 'integer', minimum: 60, maximum: 86400 },
    allowedSources: { type: 'array', items: { type: 'string', minLength: 1 } },
    mediaSources: { type: 'array', maxItems: 64, items: { type: 'string', minLength: 1, maxLength: 80 } },
    channels: { type: 'integer', minimum: 1, maximum: 2000 },
    cps: { type: 'number', exclusiveMinimum: 0, maximum: 1000 },
    gsm: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: ['ports', 'channelsPerPort', 'coolDownMs'],
      properties: {
        ports: { type: 'integer', minimum: 1, maximum: 64 },
        channelsPerPort: { type: 'integer', minimum: 1, maximum: 8 },
        coolDownMs: { type: 'integer', minimum: 0, maximum: 600000 },
      },
    },
    codecs: { type: 'array', minItems: 1, items: { type: 'string', enum: ['PCMU', 'PCMA'] } },
    dtmf: { type: 'string', enum: ['auto', 'rfc4733', 'inband', 'info'] },
    optionsIntervalSec: { type: 'integer', minimum: 0, maximum: 3600 },
    dialPrefix: { type: 'string', nullable: true, pattern: '^[0-9*#]*$' },
    keepPlus: { type: 'boolean', nullable: true },
  },
};

const E164 = '^\\+[1-9][0-9]{6,14}$';
const HHMM = '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';
const KEY = '^[0-9*#]$';

/** Staff endpoints and transfers (issue 16). */
const staff: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['groups', 'deskPhoneRanges', 'sipRealm', 'transferNumbers', 'outboundCalls', 'listenIn'],
  properties: {
    groups: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'members', 'strategy'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$' },
          members: { type: 'array', maxItems: 200, items: { type: 'string', minLength: 1, maxLength: 64 } },
          strategy: { type: 'string', enum: ['ring-all', 'longest-idle'] },
        },
      },
    },
    deskPhoneRanges: { type: 'array', maxItems: 64, items: { type: 'string', minLength: 1, maxLength: 64 } },
    sipRealm: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[^"\\\\]+$' },
    transferNumbers: { type: 'array', maxItems: 200, items: { type: 'string', pattern: E164 } },
    outboundCalls: { type: 'boolean' },
    listenIn: { type: 'boolean' },
  },
};

/** Calls coming in from the trunks (issue 16). */
const inbound: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['enabled', 'numbers', 'greeting', 'voice', 'recentDays', 'optOutKey', 'staffKey', 'staffGroup', 'openingHours', 'waitMs'],
  properties: {
    enabled: { type: 'boolean' },
    numbers: { type: 'array', maxItems: 100, items: { type: 'string', pattern: E164 } },
    greeting: { type: 'string', minLength: 1, maxLength: 500 },
    voice: { type: 'string', minLength: 1, maxLength: 40 },
    recentDays: { type: 'integer', minimum: 1, maximum: 90 },
    optOutKey: { type: 'string', pattern: KEY },
    staffKey: { type: 'string', pattern: KEY },
    staffGroup: { type: 'string', nullable: true },
    openingHours: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['days', 'from', 'to'],
        properties: {
          days: { type: 'array', minItems: 1, maxItems: 7, items: { type: 'integer', minimum: 0, maximum: 6 } },
          from: { type: 'string', pattern: HHMM },
          to: { type: 'string', pattern: HHMM },
        },
      },
    },
    waitMs: { type: 'integer', minimum: 5000, maximum: 300000 },
  },
};

export const settingsSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'box', 'engine', 'http', 'sip', 'media', 'trunks', 'defaultTrunk', 'callerIds', 'users', 'staff', 'inbound', 'drachtio', 'compliance', 'fleet', 'clock', 'logging'],
  properties: {
    version: { type: 'integer', minimum: 1 },
    box: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'country', 'timezone'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 64 },
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
        timezone: { type: 'string', minLength: 1 },
      },
    },
    engine: { type: 'string', enum: ['embedded', 'drachtio'] },
    http: {
      type: 'object',
      additionalProperties: false,
      required: ['port', 'bindAddress', 'tls'],
      properties: {
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        bindAddress: { type: 'string', minLength: 1 },
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['enabled', 'redirectPort'],
          properties: { enabled: { type: 'boolean' }, redirectPort: { type: 'integer', nullable: true, minimum: 1, maximum: 65535 } },
        },
      },
    },
    sip: {
      type: 'object',
      additionalProperties: false,
      required: ['bindAddress', 'port', 'transports', 'userAgent', 'guard'],
      properties: {
        bindAddress: { type: 'string', minLength: 1 },
        publicAddress: { type: 'string', nullable: true },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        transports: { type: 'array', minItems: 1, items: { type: 'string', enum: ['udp', 'tcp', 'tls'] } },
        tls: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          required: ['cert', 'key'],
          properties: {
            cert: { type: 'string' },
            key: { type: 'string' },
            ca: { type: 'string', nullable: true },
            rejectUnauthorized: { type: 'boolean', nullable: true },
          },
        },
        userAgent: { type: 'string', minLength: 1 },
        guard: {
          type: 'object',
          additionalProperties: false,
          required: ['action', 'maxRepliesPerSecPerSource'],
          properties: {
            action: { type: 'string', enum: ['reject', 'ignore'] },
            maxRepliesPerSecPerSource: { type: 'number', minimum: 0 },
          },
        },
      },
    },
    media: {
      type: 'object',
      additionalProperties: false,
      required: ['rtpPortMin', 'rtpPortMax', 'ptimeMs', 'jitterPackets'],
      properties: {
        rtpPortMin: { type: 'integer', minimum: 1024, maximum: 65534 },
        rtpPortMax: { type: 'integer', minimum: 1025, maximum: 65535 },
        ptimeMs: { type: 'integer', const: 20 },
        jitterPackets: { type: 'integer', minimum: 0, maximum: 50 },
        workers: { type: 'integer', minimum: 0, maximum: 64 },
      },
    },
    trunks: { type: 'array', items: trunk },
    defaultTrunk: { type: 'string', nullable: true },
    callerIds: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['number', 'label', 'verified'],
        properties: {
          number: { type: 'string', pattern: '^\\+[1-9][0-9]{6,14}$' },
          label: { type: 'string' },
          verified: { type: 'boolean' },
        },
      },
    },
    users: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['username', 'passwordHash', 'role'],
        properties: {
          username: { type: 'string', pattern: '^[A-Za-z0-9_.@-]{1,64}$' },
          passwordHash: { type: 'string', pattern: '^\\$argon2' },
          role: { type: 'string', enum: ['admin', 'operator', 'viewer'] },
          takeCalls: { type: 'boolean' },
          deskPhone: {
            type: 'object',
            additionalProperties: false,
            required: ['realm', 'ha1'],
            properties: { realm: { type: 'string', minLength: 1, maxLength: 128 }, ha1: { type: 'string', pattern: '^[0-9a-f]{32}$' } },
          },
        },
      },
    },
    staff,
    inbound,
    drachtio: {
      type: 'object',
      additionalProperties: false,
      required: ['host', 'port', 'secret', 'freeswitch'],
      properties: {
        host: { type: 'string' },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        secret: { type: 'string' },
        freeswitch: {
          type: 'object',
          additionalProperties: false,
          required: ['host', 'port', 'secret'],
          properties: { host: { type: 'string' }, port: { type: 'integer', minimum: 1, maximum: 65535 }, secret: { type: 'string' } },
        },
      },
    },
    compliance: {
      type: 'object',
      additionalProperties: false,
      required: ['pack'],
      properties: { pack: { type: 'string', nullable: true, enum: ['us', 'ca', 'fr', 'uk', 'none', null] } },
    },
    fleet: {
      type: 'object',
      additionalProperties: false,
      required: ['enabled', 'url', 'boxId'],
      properties: {
        enabled: { type: 'boolean' },
        url: { type: 'string', nullable: true },
        boxId: { type: 'string', nullable: true },
        username: { type: 'string' },
        password: { type: 'string' },
        tls: {
          type: 'object',
          additionalProperties: false,
          properties: { ca: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' } },
        },
        telemetryIntervalSec: { type: 'integer', minimum: 1, maximum: 86400 },
        sessionExpiryDays: { type: 'integer', minimum: 1, maximum: 365 },
        allowLinkLocalImports: { type: 'boolean' },
      },
    },
    clock: {
      type: 'object',
      additionalProperties: false,
      required: ['requireSync'],
      properties: { requireSync: { oneOf: [{ type: 'boolean' }, { type: 'string', const: 'auto' }] } },
    },
    logging: {
      type: 'object',
      additionalProperties: false,
      required: ['level'],
      properties: { level: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] } },
    },
  },
};

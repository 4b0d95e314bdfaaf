// Box health for the dashboard: engine, calls, trunks, uptime, version, clock synchronisation, and
// whether calls go to the sandbox (the simulated network) rather than a real trunk, which the UI must say plainly,
// and which Debian audio tools are missing (what they are needed for is then refused).
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import { requireRole } from '../route-kit.ts';
import { detectTools } from '../../../media/prompts/tools.ts';
import { tlsSchema, tlsSummary } from './tls.ts';

const trunkSchema = {
  type: 'object',
  required: ['name', 'kind', 'health', 'registered', 'channelsInUse', 'channels', 'lastError', 'lastOptionsRttMs'],
  properties: {
    name: { type: 'string' },
    kind: { type: 'string', enum: ['sip', 'gsm', 'sandbox'] },
    health: { type: 'string', enum: ['up', 'down', 'unknown', 'registering', 'paused'] },
    registered: { type: 'boolean', nullable: true, description: 'null when the trunk authenticates us by address' },
    channelsInUse: { type: 'integer' },
    channels: { type: 'integer' },
    lastError: { type: 'string', nullable: true },
    lastOptionsRttMs: { type: 'number', nullable: true },
  },
} as const;

const clockSchema = {
  type: 'object',
  required: ['synchronized', 'required', 'detail'],
  properties: {
    synchronized: { type: 'boolean', nullable: true, description: 'null when the box cannot tell (no systemd-timesyncd, no timedatectl)' },
    required: { type: 'boolean', description: 'calls are placed only with a synchronised clock (a real trunk is enabled, or clock.requireSync is true)' },
    detail: { type: 'string' },
  },
} as const;

const mediaSchema = {
  type: 'object',
  nullable: true,
  required: ['rtpSessions', 'rtpDroppedForeign'],
  description: 'the embedded engine\'s RTP counters; null where media runs in FreeSWITCH',
  properties: {
    rtpSessions: { type: 'integer' },
    rtpDroppedForeign: { type: 'integer', description: 'datagrams dropped since start for not coming from where the far end declared its media (SDP address, trunk mediaSources)' },
  },
} as const;

const toolSchema = {
  type: 'object',
  required: ['name', 'present', 'package', 'neededFor'],
  properties: {
    name: { type: 'string', enum: ['ffmpeg', 'sox', 'espeak-ng'] },
    present: { type: 'boolean', description: 'found on the PATH the box started with' },
    package: { type: 'string', description: 'the Debian package that provides it (apt-get install <package>)' },
    neededFor: { type: 'string', description: 'what is refused while it is missing; the box starts, runs the sandbox and imports PCM WAV without any of them' },
  },
} as const;

function servers(ctx: HttpContext): { drachtio: boolean; freeswitch: boolean } | null {
  const s = ctx.deps.engine.servers?.();
  return s ? { drachtio: s.drachtio, freeswitch: s.freeswitch } : null;
}

export function healthRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/api/health', {
    config: requireRole('viewer'),
    schema: {
      summary: 'Engine, active calls, trunks, uptime, version, sandbox flag, audio tools',
      tags: ['health'],
      response: {
        200: {
          type: 'object',
          required: ['box', 'engine', 'engineServers', 'activeCalls', 'trunks', 'uptimeSec', 'version', 'onSandbox', 'time', 'clock', 'media', 'tools', 'tls'],
          properties: {
            box: { type: 'string' },
            engine: { type: 'string' },
            engineServers: {
              type: 'object', nullable: true, required: ['drachtio', 'freeswitch'],
              description: 'null on the embedded engine; else whether drachtio-server and FreeSWITCH are connected (calls are refused while either is not)',
              properties: { drachtio: { type: 'boolean' }, freeswitch: { type: 'boolean' } },
            },
            activeCalls: { type: 'integer' },
            media: mediaSchema,
            trunks: { type: 'array', items: trunkSchema },
            uptimeSec: { type: 'integer' },
            version: { type: 'string' },
            onSandbox: { type: 'boolean', description: 'a trunk of kind sandbox is in use: calls go to the simulated network' },
            time: { type: 'string', format: 'date-time' },
            clock: clockSchema,
            tools: { type: 'array', items: toolSchema, description: 'Debian audio tools (ffmpeg, sox, espeak-ng): present or missing, with their package' },
            tls: tlsSchema,
          },
        },
      },
    },
  }, async () => {
    const trunks = ctx.deps.engine.trunks();
    return {
      box: ctx.deps.settingsStore.get().box.name,
      engine: ctx.deps.engine.name,
      engineServers: servers(ctx),
      activeCalls: ctx.deps.engine.activeCalls(),
      media: ctx.deps.engine.mediaStats?.() ?? null,
      trunks,
      uptimeSec: Math.floor((ctx.now() - ctx.startedAt) / 1000),
      version: ctx.version,
      onSandbox: trunks.some((t) => t.kind === 'sandbox'),
      time: new Date(ctx.now()).toISOString(),
      clock: ctx.deps.clock?.() ?? { synchronized: null, required: false, detail: 'not monitored' },
      tools: ctx.deps.tools?.() ?? detectTools(process.env.PATH),
      tls: tlsSummary(ctx),
    };
  });
}

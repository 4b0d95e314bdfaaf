// Box health for the dashboard: engine, calls, trunks, uptime, version, clock synchronisation, and
// whether calls go to the sandbox (the simulated network) rather than a real trunk, which the UI must say plainly,
// and which Debian audio tools are missing (what they are needed for is then refused).
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import { requireRole } from '../route-kit.ts';
import { Health } from '../contract/health.ts';
import { detectTools } from '../../../media/prompts/tools.ts';
import { tlsSummary } from './tls.ts';

function servers(ctx: HttpContext): { drachtio: boolean; freeswitch: boolean } | null {
  const s = ctx.deps.engine.servers?.();
  return s ? { drachtio: s.drachtio, freeswitch: s.freeswitch } : null;
}

export function healthRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get<{ Reply: Health }>('/api/health', {
    config: requireRole('viewer'),
    schema: {
      summary: 'Engine, active calls, trunks, uptime, version, sandbox flag, audio tools',
      tags: ['health'],
      response: { 200: Health },
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

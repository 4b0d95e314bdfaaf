// Box health for the dashboard: CPU load and temperature, memory, and the disk holding the box's data.
// Read at most every few seconds however many browsers poll, since some readings take a while.
import type { FastifyInstance } from 'fastify';
import { statfs } from 'node:fs/promises';
import { cpus } from 'node:os';
import type { HttpContext } from '../context.ts';
import { requireRole } from '../route-kit.ts';
import { SystemHealth } from '../contract/health.ts';


const CACHE_MS = 5000;

async function measure(dataDir: string, now: number): Promise<SystemHealth> {
  // Loaded on the first health read, not at start-up (a large module; most starts never need it).
  const si = (await import('systeminformation')).default;
  const [load, temp, mem, fs] = await Promise.all([
    si.currentLoad().catch(() => null),
    si.cpuTemperature().catch(() => null),
    si.mem().catch(() => null),
    statfs(dataDir).catch(() => null),
  ]);
  const finite = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const temperature = finite(temp?.main) ?? finite(temp?.max);
  return {
    cpu: {
      loadPercent: finite(load?.currentLoad) === null ? null : Math.round(load!.currentLoad * 10) / 10,
      cores: cpus().length,
      // systeminformation reports -1 or null where there is no sensor (e.g. in a VM).
      temperatureC: temperature !== null && temperature > 0 ? temperature : null,
    },
    memory: mem ? { usedBytes: mem.total - mem.available, totalBytes: mem.total } : { usedBytes: 0, totalBytes: 0 },
    disk: fs ? { path: dataDir, totalBytes: fs.blocks * fs.bsize, freeBytes: fs.bavail * fs.bsize, usedBytes: (fs.blocks - fs.bfree) * fs.bsize } : null,
    measuredAt: new Date(now).toISOString(),
  };
}

export function dashboardRoutes(app: FastifyInstance, ctx: HttpContext): void {
  let last: { at: number; value: Promise<SystemHealth> } | null = null;
  app.get<{ Reply: SystemHealth }>('/api/system', {
    config: requireRole('viewer'),
    schema: {
      summary: 'Box health: CPU load and temperature, memory, disk space of the data folder',
      tags: ['health'],
      response: { 200: SystemHealth },
    },
  }, async () => {
    const now = ctx.now();
    if (!last || now - last.at > CACHE_MS) last = { at: now, value: measure(ctx.deps.dataDir, now) };
    return last.value;
  });
}

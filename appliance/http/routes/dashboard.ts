// Box health for the dashboard: CPU load and temperature, memory, and the disk holding the box's data.
// Read at most every few seconds however many browsers poll, since some readings take a while.
import type { FastifyInstance } from 'fastify';
import { statfs } from 'node:fs/promises';
import { cpus } from 'node:os';
import si from 'systeminformation';
import type { HttpContext } from '../context.ts';
import { requireRole } from '../route-kit.ts';
import type { SystemHealth } from '../system-health-types.ts';

const num = { type: 'number' } as const;
const nullableNum = { type: 'number', nullable: true } as const;

const CACHE_MS = 5000;

async function measure(dataDir: string, now: number): Promise<SystemHealth> {
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
  app.get('/api/system', {
    config: requireRole('viewer'),
    schema: {
      summary: 'Box health: CPU load and temperature, memory, disk space of the data folder',
      tags: ['health'],
      response: {
        200: {
          type: 'object',
          required: ['cpu', 'memory', 'disk', 'measuredAt'],
          properties: {
            cpu: {
              type: 'object',
              required: ['loadPercent', 'cores', 'temperatureC'],
              properties: { loadPercent: { ...nullableNum, description: 'all cores, 0..100' }, cores: { type: 'integer' }, temperatureC: { ...nullableNum, description: 'null without a sensor' } },
            },
            memory: { type: 'object', required: ['usedBytes', 'totalBytes'], properties: { usedBytes: num, totalBytes: num } },
            disk: {
              type: 'object',
              nullable: true,
              required: ['path', 'usedBytes', 'totalBytes', 'freeBytes'],
              properties: { path: { type: 'string' }, usedBytes: num, totalBytes: num, freeBytes: { ...num, description: 'space the box can still write' } },
            },
            measuredAt: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
  }, async () => {
    const now = ctx.now();
    if (!last || now - last.at > CACHE_MS) last = { at: now, value: measure(ctx.deps.dataDir, now) };
    return last.value;
  });
}

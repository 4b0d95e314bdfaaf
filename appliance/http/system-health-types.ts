// The shape of GET /api/system, in a types-only module so the web UI can read it with `import type`
// (the route itself pulls in systeminformation and node:fs).
export interface SystemHealth {
  cpu: { loadPercent: number | null; cores: number; temperatureC: number | null };
  memory: { usedBytes: number; totalBytes: number };
  disk: { path: string; usedBytes: number; totalBytes: number; freeBytes: number } | null;
  measuredAt: string;
}

/** GET /api/health's `tools`: each Debian audio tool, present or missing, with its package. */
export type { AudioToolName, ToolStatus } from '../../media/prompts/tool-types.ts';

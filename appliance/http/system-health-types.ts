// The shape of GET /api/system and of /api/health's `tools` are written once in the API contract.
export type { AudioToolName, SystemHealth, ToolStatus } from './contract/health.ts';

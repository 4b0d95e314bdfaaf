// The console's calls to the fleet manager's API: the session cookie goes by itself, every change
// carries the CSRF token, and an error comes back as {code, message} turned into the user's language.
import { hasKey, t } from './i18n.ts';

let csrf = '';
export const setCsrf = (token: string): void => { csrf = token; };

export class ApiError extends Error {
  constructor(readonly code: string, readonly status: number, message: string) {
    super(message);
  }
  /** What to show: the code's words in the current language (the server's message fills in details). */
  get text(): string {
    const key = `err.${this.code}`;
    return hasKey(key) ? t(key, { message: this.message }) : this.message;
  }
}

export let onSessionEnded: () => void = () => undefined;
export const setOnSessionEnded = (f: () => void): void => { onSessionEnded = f; };

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let r: Response;
  try {
    r = await fetch(path, {
      method, credentials: 'same-origin',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(method === 'GET' ? {} : { 'x-csrf-token': csrf }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError('network', 0, t('err.network'));
  }
  const data = await r.json().catch(() => ({})) as { code?: string; message?: string };
  if (!r.ok) {
    const e = new ApiError(data.code ?? 'E_INTERNAL', r.status, data.message ?? r.statusText);
    if (e.code === 'E_AUTH' && path !== '/api/login') onSessionEnded();
    throw e;
  }
  return data as T;
}

export interface Box {
  boxId: string; online: boolean; since: string | null; version: string | null; engine: string | null; clockSynchronized: boolean | null;
  trunks: Array<{ name: string; health: string }>; activeCalls: number | null; runningCampaigns: number; diskUsedPct: number | null; cpuTemperatureC: number | null;
}
export interface Alert { id: number; boxId: string; kind: string; detail: Record<string, unknown>; openedAt: string }
export interface BoxDetail {
  box: Box;
  telemetry: Array<{ at: string; cpuPct: number | null; temperatureC: number | null; activeCalls: number | null }>;
  events: Array<{ seq: number; type: string; createdAt: string | null; payload: unknown }>;
  campaigns: Array<{ id: number; name: string; status: string }>;
}
export interface Command {
  commandId: string; type: string; createdAt: string;
  boxes: Array<{ boxId: string; status: 'ok' | 'error' | null; answer: { data?: unknown; error?: string | null } | null }>;
}
export interface Group { name: string; boxes: string[] }
export interface Rollout {
  id: number; group: string; version: number; state: 'running' | 'done' | 'stopped'; step: number; reason: string | null; stoppedBox: string | null;
  createdBy: string; createdAt: string;
  boxes: Array<{ boxId: string; sentAt: string | null; status: 'applied' | 'rejected' | null; reason: string | null }>;
}
export interface AuditEntry { id: number; at: string; actor: string; action: string; target: string | null; outcome: 'ok' | 'refused' }

// The one way pages talk to the box: JSON in and out, the CSRF header on changes, errors as ApiError
// (with field-level messages), and a trip to /login when the session has ended.
import { useEffect, useState } from 'preact/hooks';
import { navigate } from './router.ts';
import { errorMessage } from './error-messages.ts';
import { plainFieldMessage } from './schema-messages.ts';
import { problemText } from './field-problems.ts';
import { getLang } from './i18n.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type Role = 'viewer' | 'operator' | 'admin';

export interface Session {
  username: string;
  role: Role;
  csrfToken: string;
  expiresAt: string;
  idleTimeoutSec: number;
}

/** A failed call. `message` is in the page's language (read at each render, so a language switch applies
 * to errors already shown); `serverMessage` keeps the box's own English words. */
export class ApiError extends Error {
  status: number;
  code: string;
  /** Field-level messages keyed by the API's field path (e.g. "body.password") and also without the "body." prefix. */
  fields: Record<string, string>;
  /** The error's `where` object (e.g. { retryAfterSec: 30 }). */
  where: Record<string, string | number>;
  /** Every field at fault, in the box's order, with its rule for words in the page's language (form-errors.tsx). */
  problems: FieldProblem[] = [];
  readonly serverMessage: string;

  constructor(status: number, code: string, message: string, fields: Record<string, string> = {}, where: Record<string, string | number> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.where = where;
    this.serverMessage = message;
    Object.defineProperty(this, 'message', { get: () => this.translated(), configurable: true });
  }

  /** In French, the box's words come from the code's table, then each field's reason (never a bare field path). */
  private translated(): string {
    const base = errorMessage(this.code, this.serverMessage, this.where);
    // A campaign's fields ({count} to fix): the French words of each reason follow; a phone number has its own sentence.
    const listed = typeof this.where.count === 'number' && !('phone' in this.where) && !('missingPhone' in this.where);
    if (getLang() !== 'fr' || this.problems.length === 0 || !listed) return base;
    return `${base} ${this.problems.map((p) => problemText(p)).join(' ')}`;
  }

  /** The message for one field (looked up as given or with "body." in front), in plain words of the page's language. */
  field(name: string): string | undefined {
    const raw = this.fields[name] ?? this.fields[`body.${name}`];
    if (raw === undefined) return undefined;
    // The whole error copied to the field it names (see parseError) is translated as the whole error.
    return raw === this.serverMessage ? this.message : plainFieldMessage(raw);
  }
}

/** What a page shows for a failed action: the ApiError itself, or anything else thrown wrapped as one. */
/** One field at fault as the box (or the page) says it: `rule` and `params` make the words, `message` is the box's English. */
export interface FieldProblem {
  key: string;
  rule?: string;
  params?: Record<string, string | number>;
  message?: string;
}

export function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'E_HTTP', String(e));
}

let session: Session | null = null;
const sessionListeners = new Set<(s: Session | null) => void>();

function setSession(s: Session | null): void {
  session = s;
  for (const l of sessionListeners) l(s);
}

export function currentSession(): Session | null {
  return session;
}

/** The logged-in user (null when logged out); re-renders on login and logout. */
export function useSession(): Session | null {
  const [s, set] = useState(session);
  useEffect(() => {
    sessionListeners.add(set);
    if (s !== session) set(session);
    return () => {
      sessionListeners.delete(set);
    };
  }, []);
  return s;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
export function roleAllows(have: Role | undefined, need: Role): boolean {
  return have !== undefined && RANK[have] >= RANK[need];
}

function parseError(status: number, text: string): ApiError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  const e = (body as { error?: { code?: unknown; message?: unknown; where?: unknown; fields?: unknown } } | null)?.error;
  if (!e || typeof e.message !== 'string') {
    return status === 0 ? new ApiError(0, 'E_NETWORK', 'The box did not answer; check the network.') : new ApiError(status, 'E_HTTP', `The box answered ${status}.`, {}, { status });
  }
  const fields: Record<string, string> = {};
  const problems: FieldProblem[] = [];
  if (Array.isArray(e.fields)) {
    for (const f of e.fields as { key?: unknown; message?: unknown; rule?: unknown; params?: unknown }[]) {
      if (typeof f?.key !== 'string' || typeof f.message !== 'string') continue;
      fields[f.key] ??= f.message;
      const short = f.key.replace(/^(body|querystring|params)\./, '');
      fields[short] ??= f.message;
      const params: Record<string, string | number> = {};
      if (f.params && typeof f.params === 'object') {
        for (const [k, v] of Object.entries(f.params as Record<string, unknown>)) if (typeof v === 'string' || typeof v === 'number') params[k] = v;
      }
      problems.push({ key: short, message: f.message, ...(typeof f.rule === 'string' ? { rule: f.rule } : {}), params });
    }
  }
  const where: Record<string, string | number> = {};
  if (e.where && typeof e.where === 'object') {
    for (const [k, v] of Object.entries(e.where as Record<string, unknown>)) if (typeof v === 'string' || typeof v === 'number') where[k] = v;
  }
  // An error that names one field (e.g. a wrong password) shows next to that field too.
  if (typeof where.field === 'string') fields[where.field] ??= e.message;
  const err = new ApiError(status, typeof e.code === 'string' ? e.code : 'E_HTTP', e.message, fields, where);
  err.problems = problems;
  return err;
}

function sessionEnded(path: string): void {
  if (path === '/api/login') return;
  setSession(null);
  if (location.pathname !== '/login') {
    const next = location.pathname + location.search;
    navigate(`/login${next && next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`, { replace: true });
  }
}

async function csrfToken(method: Method): Promise<string | undefined> {
  if (method === 'GET') return undefined;
  if (!session) await loadSession();
  return session?.csrfToken;
}

/** Sends one request with the CSRF header (unless `csrf` is false) and a JSON body; answers the response when
 * it is ok, else throws ApiError (status 0 when the box is unreachable) and, on 401, ends the session. */
async function send(method: Method, path: string, body: unknown, headers: Record<string, string>, csrf: boolean): Promise<Response> {
  const token = csrf ? await csrfToken(method) : undefined;
  if (token) headers['x-csrf-token'] = token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'E_NETWORK', 'The box did not answer; check the network.');
  }
  if (!res.ok) {
    const text = await res.text();
    if (res.status === 401) sessionEnded(path);
    throw parseError(res.status, text);
  }
  return res;
}

/** Calls the JSON API. Throws ApiError (status 0 when the box is unreachable). */
export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body, { accept: 'application/json' }, path !== '/api/login');
  const text = await res.text();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Like api() but answers the raw body as a Blob (audio previews, CSV exports). */
export async function apiBlob(method: Method, path: string, body?: unknown): Promise<Blob> {
  return (await send(method, path, body, {}, true)).blob();
}

/** Sends a file as the raw body (application/octet-stream) with upload progress; answers the parsed JSON. */
export function upload<T>(path: string, file: Blob, onProgress?: (fraction: number) => void): Promise<T> {
  return csrfToken('POST').then((token) => new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    if (token) xhr.setRequestHeader('x-csrf-token', token);
    if (onProgress) {
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
      };
    }
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress?.(1);
        try {
          resolve((xhr.responseText === '' ? undefined : JSON.parse(xhr.responseText)) as T);
        } catch {
          reject(new ApiError(xhr.status, 'E_HTTP', 'The box sent an answer this page cannot read.'));
        }
        return;
      }
      if (xhr.status === 401) sessionEnded(path);
      reject(parseError(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(new ApiError(0, 'E_NETWORK', 'The upload was cut off; check the network and try again.'));
    xhr.send(file);
  }));
}

/** Asks the box who is logged in; null when nobody is. */
export async function loadSession(): Promise<Session | null> {
  try {
    const res = await fetch('/api/session', { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    if (!res.ok) {
      setSession(null);
      return null;
    }
    const s = (await res.json()) as Session;
    setSession(s);
    return s;
  } catch {
    setSession(null);
    return null;
  }
}

export async function login(username: string, password: string): Promise<Session> {
  const s = await api<Session>('POST', '/api/login', { username, password });
  setSession(s);
  return s;
}

export async function logout(): Promise<void> {
  try {
    await api('POST', '/api/logout');
  } finally {
    setSession(null);
    navigate('/login');
  }
}

/** Loads JSON for a component; reload() fetches again. `error` is the ApiError of the last try. */
export function useApi<T>(path: string | null, deps: unknown[] = []): { data: T | undefined; error: ApiError | undefined; loading: boolean; reload: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setLoading(true);
    api<T>('GET', path).then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(asApiError(e));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [path, tick, ...deps]);
  return { data, error, loading, reload: () => setTick((n) => n + 1) };
}

/** useApi, fetched again every `everyMs`. */
export function usePolled<T>(path: string | null, everyMs: number): ReturnType<typeof useApi<T>> {
  const r = useApi<T>(path);
  useEffect(() => {
    if (path === null) return;
    const timer = setInterval(r.reload, everyMs);
    return () => clearInterval(timer);
  }, [path, everyMs]);
  return r;
}

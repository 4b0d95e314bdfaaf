// A whole box in-process for acceptance tests: real settings, store, engine, sandbox, HTTP API on
// ephemeral loopback ports; plus an API client that logs in like the web UI does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Appliance, type ApplianceOptions } from '../../appliance/main.ts';
import { silentLogger } from '../../core/log.ts';
import { rtpRange } from '../peers/ports.ts';
import type { Settings } from '../../core/settings-types.ts';

export interface ApiClient {
  get<T = unknown>(path: string): Promise<{ status: number; body: T; text: string }>;
  send<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; text: string }>;
}

export interface TestBox {
  app: Appliance;
  dataDir: string;
  base: string;
  api: ApiClient;
  stop(): Promise<void>;
}

export async function startTestBox(opts: Partial<ApplianceOptions> & { settings?: (s: Settings) => void } = {}): Promise<TestBox> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'vba-box-'));
  const out: string[] = [];
  const rtp = rtpRange(300);
  const sandboxRtp = rtpRange(300);
  const app = new Appliance({
    dataDir,
    env: {},
    logger: opts.logger ?? silentLogger(),
    out: (l) => out.push(l),
    overrides: [(s) => {
      s.http.port = 0;
      s.http.bindAddress = '127.0.0.1';
      s.sip.port = 0;
      s.sip.bindAddress = '127.0.0.1';
      s.media.rtpPortMin = rtp.min;
      s.media.rtpPortMax = rtp.max;
      opts.settings?.(s);
    }],
    sandbox: { rtpPortMin: sandboxRtp.min, rtpPortMax: sandboxRtp.max, ...opts.sandbox },
    now: opts.now,
    ...(opts.clockReader ? { clockReader: opts.clockReader } : {}),
  });
  await app.start();
  const base = `http://127.0.0.1:${app.http.port}`;
  const line = out.find((l) => l.startsWith('first start:'));
  const password = line ? / admin \/ (\S+) /.exec(line)?.[1] : undefined;
  let cookie = '';
  let csrf = '';
  const parse = async <T>(r: Response): Promise<{ status: number; body: T; text: string }> => {
    const text = await r.text();
    let body: unknown = text;
    try { body = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, body: body as T, text };
  };
  const api: ApiClient = {
    get: async (path) => parse(await fetch(base + path, { headers: { cookie } })),
    send: async (method, path, body, headers = {}) => {
      const isBuffer = Buffer.isBuffer(body);
      const r = await fetch(base + path, {
        method,
        headers: { cookie, 'x-csrf-token': csrf, ...(body === undefined ? {} : { 'content-type': isBuffer ? 'application/octet-stream' : 'application/json' }), ...headers },
        body: body === undefined ? undefined : isBuffer ? (body as Buffer) : JSON.stringify(body),
      });
      return parse(r);
    },
  };
  if (password) {
    const r = await fetch(base + '/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
    const s = await api.get<{ csrfToken: string }>('/api/session');
    csrf = s.body.csrfToken;
  }
  return {
    app,
    dataDir,
    base,
    api,
    stop: async () => {
      await app.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// The fleet's enrolment endpoint (HTTPS, certificate from the fleet CA):
//   GET  /v1/ca     the CA certificate (PEM); a box checks it against the SHA-256 pinned in provision.json
//   POST /v1/enrol  {boxId, csr, claimToken | claimCode} → {boxId, certificate, ca, brokerUrl}
// Refusals are JSON {error} with 400 (bad request), 403 (unknown or expired token), 409 (already used).
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { EnrolRefused, type FleetCa } from './fleet-ca.ts';
import { parseJsonSafe, UnsafeJsonError } from '../core/safe-json.ts';

const MAX_BODY = 64 * 1024;

export interface EnrolServerOptions {
  ca: FleetCa;
  host?: string;
  port?: number;
  /** Overrides the broker URL from the fleet's config.json. */
  brokerUrl?: string;
  onEnrolled?: (boxId: string) => void;
  onRefused?: (reason: string) => void;
}

function parseBody(raw: string): { boxId: string; csr: string; claimToken?: string; claimCode?: string } {
  let v: unknown;
  try {
    v = parseJsonSafe(raw);
  } catch (e) {
    throw new EnrolRefused(400, e instanceof UnsafeJsonError ? e.message : 'the body is not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new EnrolRefused(400, 'the body must be an object {boxId, csr, claimToken}');
  const o = v as Record<string, unknown>;
  const str = (k: string, max: number): string | undefined => {
    const x = o[k];
    if (x === undefined) return undefined;
    if (typeof x !== 'string' || x.length === 0 || x.length > max) throw new EnrolRefused(400, `field "${k}" must be a string of at most ${max} characters`);
    return x;
  };
  const boxId = str('boxId', 64);
  const csr = str('csr', 16_000);
  if (!boxId) throw new EnrolRefused(400, 'field "boxId" is missing');
  if (!csr || !csr.includes('BEGIN CERTIFICATE REQUEST')) throw new EnrolRefused(400, 'field "csr" must be a PEM certificate request');
  const claimToken = str('claimToken', 200);
  const claimCode = str('claimCode', 20);
  return { boxId, csr, ...(claimToken ? { claimToken } : {}), ...(claimCode ? { claimCode } : {}) };
}

export class EnrolServer {
  private server: https.Server | null = null;

  constructor(private readonly opts: EnrolServerOptions) {}

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(): Promise<void> {
    const ca = this.opts.ca;
    const [key, cert, caPem] = await Promise.all([readFile(ca.path('server.key')), readFile(ca.path('server.crt'), 'utf8'), ca.caPem()]);
    const server = https.createServer({ key, cert: cert + caPem }, (req, res) => {
      const send = (status: number, body: unknown, type = 'application/json'): void => {
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
        res.end(text);
      };
      if (req.method === 'GET' && req.url === '/v1/ca') return send(200, caPem, 'application/x-pem-file');
      if (req.method !== 'POST' || req.url !== '/v1/enrol') return send(404, { error: 'not found; POST /v1/enrol or GET /v1/ca' });
      let raw = '';
      let tooBig = false;
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        raw += chunk;
        if (raw.length > MAX_BODY) { tooBig = true; req.destroy(); }
      });
      req.on('end', () => {
        if (tooBig) return;
        void (async () => {
          try {
            const body = parseBody(raw);
            const out = await ca.enrol(body);
            const brokerUrl = this.opts.brokerUrl ?? (await ca.config()).brokerUrl;
            this.opts.onEnrolled?.(out.boxId);
            send(200, { ...out, brokerUrl });
          } catch (e) {
            const status = e instanceof EnrolRefused ? e.status : 500;
            const error = e instanceof EnrolRefused ? e.message : 'enrolment failed on the fleet side; see its log';
            this.opts.onRefused?.(e instanceof EnrolRefused ? e.message : (e as Error).message);
            send(status, { error });
          }
        })();
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => resolve());
    });
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}

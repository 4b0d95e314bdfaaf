// A LAN address of this machine, for the HTTPS tests: traffic to it never leaves the machine, yet the
// box sees it as coming from the LAN (not its loopback). A machine with none fails the test plainly.
import { networkInterfaces } from 'node:os';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';

export function lanAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  }
  throw new Error('this machine has no non-loopback IPv4 address (os.networkInterfaces()): the HTTPS-on-the-LAN tests need one and do not make one');
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The served certificate's SHA-256 fingerprint (HTTPS only). */
  fingerprint256?: string;
}

/** One request over HTTPS (trusting only `ca`, checked against the URL's host) or plain HTTP; no redirect followed. */
export function send(url: string, o: { ca?: string; method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const opts = { method: o.method ?? 'GET', headers: o.headers ?? {}, agent: false as const };
    const done = (res: import('node:http').IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => {
        const peer = (res.socket as TLSSocket).getPeerX509Certificate?.();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ...(peer ? { fingerprint256: peer.fingerprint256 } : {}) });
      });
    };
    const req = u.protocol === 'https:'
      ? httpsRequest(u, { ...opts, ca: o.ca, ...(o.ca ? {} : { rejectUnauthorized: false }) }, done)
      : httpRequest(u, opts, done);
    req.on('error', reject);
    req.end(o.body);
  });
}

export function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

// The Debian `openssl` command as a child process, for what Node's crypto cannot do (certificate
// requests, signing, self-signed CAs), so the box needs no native addon.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class OpensslError extends Error {}

export function openssl(args: string[], opts: { cwd?: string; input?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('openssl', args, { cwd: opts.cwd, maxBuffer: 4 * 1024 * 1024, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new OpensslError(`openssl ${args[0]} failed: ${(stderr || err.message).trim().split('\n').slice(0, 3).join('; ')}`));
      else resolve(stdout);
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Run `fn` in a private scratch folder that is removed afterwards. */
export async function withScratch<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'vba-pki-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A certificate request for `key` (a PEM file) with CN = `commonName`. */
export function createCsr(keyFile: string, commonName: string): Promise<string> {
  return openssl(['req', '-new', '-key', keyFile, '-subj', `/CN=${commonName}`]);
}

/** Checks a request's self-signature and returns its common name. */
export async function csrCommonName(csrPem: string): Promise<string> {
  return (await readCsr(csrPem)).commonName;
}

/** Checks a request's self-signature; returns its common name and its public key (PEM, SubjectPublicKeyInfo). */
export async function readCsr(csrPem: string): Promise<{ commonName: string; publicKeyPem: string }> {
  return withScratch(async (dir) => {
    await writeFile(join(dir, 'req.csr'), csrPem);
    const out = await openssl(['req', '-in', 'req.csr', '-noout', '-verify', '-subject', '-pubkey', '-nameopt', 'RFC2253'], { cwd: dir });
    const m = /^subject=(?:.*,)?CN=([^,\n]+)/m.exec(out);
    if (!m) throw new OpensslError('the certificate request has no common name');
    const k = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/.exec(out);
    if (!k) throw new OpensslError('the certificate request has no public key');
    return { commonName: m[1]!.trim(), publicKeyPem: k[0] + '\n' };
  });
}

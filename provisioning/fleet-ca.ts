// The fleet side's certificate authority and its ledger, kept in one folder: the CA, the enrolment
// server's certificate, the fleet manager's own MQTT client certificate, single-use claim tokens (kept
// hashed), approved claim codes, and the boxes enrolled. Files are replaced atomically under a lock
// file, so the tool can create tokens while the enrolment server runs.
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { openssl, withScratch, readCsr } from './openssl.ts';
import { idsFromPublicKey } from './box-identity.ts';
import { BOX_ID } from '../core/fleet-topics.ts';

export interface FleetConfig {
  /** Broker URL handed to enrolled boxes (mqtts://host:8883). */
  brokerUrl: string | null;
  /** Public URL of the enrolment server (https://host:port), written into provision.json files. */
  fleetUrl: string | null;
}

interface TokenRecord { createdAt: string; expiresAt: string; note: string | null; usedAt: string | null; usedBy: string | null }
interface ClaimRecord { approvedAt: string; usedAt: string | null; usedBy: string | null }
export interface SignedCert { boxId: string; certificate: string; serial: string; notAfter: string; keySha256: string }
export interface BoxRecord {
  boxId: string; enrolledAt: string; serial: string; notAfter: string; via: 'token' | 'claim-code' | 'manual';
  /** SHA-256 of the box's public key (SubjectPublicKeyInfo, DER): a box id stays with the key it was first enrolled with. */
  keySha256?: string;
}

/** A refusal the enrolment server turns into an HTTP status and a message the box shows. */
export class EnrolRefused extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}
const CLIENT_EXT = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n';
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
/** A claim code as typed: upper case, without spaces or dashes. */
export const normaliseClaimCode = (code: string): string => code.toUpperCase().replace(/[\s-]/g, '');

/** SHA-256 of a PEM certificate's DER form, lower-case hex (what provision.json pins). */
export function certSha256(pem: string): string {
  return new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
}

export class FleetCa {
  constructor(readonly dir: string) {}

  path(name: string): string {
    return join(this.dir, name);
  }

  get initialised(): boolean {
    return existsSync(this.path('ca.key')) && existsSync(this.path('ca.crt'));
  }

  /** Create the CA, a TLS certificate for the enrolment server and broker, and the manager's client certificate. */
  async init(opts: { name?: string; serverNames?: string[]; brokerUrl?: string | null; fleetUrl?: string | null; days?: number }): Promise<void> {
    if (this.initialised) throw new Error(`${this.dir} already holds a fleet CA; refusing to overwrite it`);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const days = String(opts.days ?? 3650);
    await openssl(['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', `/CN=${opts.name ?? 'Voice broadcast fleet CA'}`, '-days', days,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], { cwd: this.dir });
    const names = opts.serverNames?.length ? opts.serverNames : ['127.0.0.1', 'localhost'];
    const san = names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    await this.issueLocal('server', names[0]!, `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`, days);
    await this.issueLocal('fleet-client', 'fleet-manager', CLIENT_EXT, days);
    await writeFile(this.path('config.json'), JSON.stringify({ brokerUrl: opts.brokerUrl ?? null, fleetUrl: opts.fleetUrl ?? null } satisfies FleetConfig, null, 2) + '\n');
  }

  private async issueLocal(name: string, cn: string, ext: string, days: string): Promise<void> {
    await writeFile(this.path(`${name}.ext`), ext);
    await openssl(['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], { cwd: this.dir });
    await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAserial', 'ca.srl', '-CAcreateserial', '-out', `${name}.crt`, '-days', days, '-extfile', `${name}.ext`], { cwd: this.dir });
    await rm(this.path(`${name}.csr`));
    await rm(this.path(`${name}.ext`));
  }

  async config(): Promise<FleetConfig> {
    return { brokerUrl: null, fleetUrl: null, ...(await this.readJson<Partial<FleetConfig>>('config.json', {})) };
  }

  async setConfig(change: Partial<FleetConfig>): Promise<FleetConfig> {
    return this.locked(async () => {
      const next = { ...(await this.config()), ...change };
      await this.writeJson('config.json', next);
      return next;
    });
  }

  async caPem(): Promise<string> {
    return readFile(this.path('ca.crt'), 'utf8');
  }

  /** Sign a box's request: the common name must be a usable box id (it becomes its MQTT identity). */
  async signCsr(csrPem: string, opts: { expectBoxId?: string; days?: number } = {}): Promise<SignedCert> {
    return this.locked(() => this.signInside(csrPem, opts));
  }

  /**
   * `bindToKey` (enrolment): the box id must be the one derived from the request's public key, and a
   * claim code must be that key's too, so an approved code or a known box id is of no use with
   * another key. A hand-signed request (`fleet-tool sign`) is the operator's decision and skips this.
   */
  private async signInside(csrPem: string, opts: { expectBoxId?: string; expectClaimCode?: string; bindToKey?: boolean; days?: number }): Promise<SignedCert> {
    let boxId: string;
    let ids: ReturnType<typeof idsFromPublicKey>;
    try {
      const csr = await readCsr(csrPem);
      boxId = csr.commonName;
      ids = idsFromPublicKey(csr.publicKeyPem);
    } catch (e) {
      throw new EnrolRefused(400, `unusable certificate request: ${(e as Error).message}`);
    }
    if (!BOX_ID.test(boxId)) throw new EnrolRefused(400, `the request's common name "${boxId}" is not a usable box id`);
    if (opts.expectBoxId && opts.expectBoxId !== boxId) throw new EnrolRefused(400, `the request is for "${boxId}", not "${opts.expectBoxId}"`);
    if (opts.bindToKey && boxId !== ids.boxId) throw new EnrolRefused(403, `box id "${boxId}" does not belong to the key in the request (that key's box id is ${ids.boxId})`);
    if (opts.expectClaimCode !== undefined && normaliseClaimCode(opts.expectClaimCode) !== normaliseClaimCode(ids.claimCode)) {
      throw new EnrolRefused(403, 'the claim code does not belong to the key in the request; a claim code enrols only the box that shows it');
    }
    const certificate = await withScratch(async (tmp) => {
      await writeFile(join(tmp, 'box.csr'), csrPem);
      await writeFile(join(tmp, 'box.ext'), CLIENT_EXT);
      await openssl(['x509', '-req', '-in', join(tmp, 'box.csr'), '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAserial', 'ca.srl', '-CAcreateserial',
        '-out', join(tmp, 'box.crt'), '-days', String(opts.days ?? 825), '-extfile', join(tmp, 'box.ext')], { cwd: this.dir });
      return readFile(join(tmp, 'box.crt'), 'utf8');
    });
    const x = new X509Certificate(certificate);
    return { boxId, certificate, serial: x.serialNumber, notAfter: new Date(x.validTo).toISOString(), keySha256: ids.keySha256 };
  }

  /** A new single-use claim token (only its hash is kept). */
  async createToken(opts: { ttlMs?: number; note?: string; now?: number } = {}): Promise<{ token: string; expiresAt: string }> {
    const now = opts.now ?? Date.now();
    const token = `ct_${randomBytes(24).toString('base64url')}`;
    const expiresAt = new Date(now + (opts.ttlMs ?? 7 * 86_400_000)).toISOString();
    await this.locked(async () => {
      const tokens = await this.readJson<Record<string, TokenRecord>>('tokens.json', {});
      tokens[sha256Hex(token)] = { createdAt: new Date(now).toISOString(), expiresAt, note: opts.note ?? null, usedAt: null, usedBy: null };
      await this.writeJson('tokens.json', tokens);
    });
    return { token, expiresAt };
  }

  /** Approve the claim code a box shows in its web UI; the box may then enrol once with it. */
  async approveClaim(code: string, now = Date.now()): Promise<string> {
    const c = normaliseClaimCode(code);
    if (!/^[0-9A-Z]{12}$/.test(c)) throw new Error(`"${code}" is not a claim code (12 letters and digits, as XXXX-XXXX-XXXX)`);
    await this.locked(async () => {
      const claims = await this.readJson<Record<string, ClaimRecord>>('claims.json', {});
      claims[sha256Hex(c)] ??= { approvedAt: new Date(now).toISOString(), usedAt: null, usedBy: null };
      await this.writeJson('claims.json', claims);
    });
    return c;
  }

  /**
   * Enrol a box: the token (or approved claim code) is spent and the request signed, under one lock, so
   * two boxes racing with one token cannot both get a certificate. A spent token is refused by name.
   */
  async enrol(req: { csr: string; boxId: string; claimToken?: string; claimCode?: string }, now = Date.now()): Promise<{ boxId: string; certificate: string; ca: string }> {
    if (!BOX_ID.test(req.boxId)) throw new EnrolRefused(400, 'boxId: letters, digits, . _ - (1 to 64)');
    return this.locked(async () => {
      let spend: () => Promise<void>;
      let via: BoxRecord['via'];
      if (req.claimToken) {
        const tokens = await this.readJson<Record<string, TokenRecord>>('tokens.json', {});
        const key = sha256Hex(req.claimToken);
        const t = tokens[key];
        if (!t) throw new EnrolRefused(403, 'claim token unknown to this fleet');
        if (t.usedAt) throw new EnrolRefused(409, `claim token already used (by ${t.usedBy} at ${t.usedAt}); claim tokens are single-use, ask for a new one`);
        if (Date.parse(t.expiresAt) <= now) throw new EnrolRefused(403, `claim token expired at ${t.expiresAt}`);
        spend = async () => { tokens[key] = { ...t, usedAt: new Date(now).toISOString(), usedBy: req.boxId }; await this.writeJson('tokens.json', tokens); };
        via = 'token';
      } else if (req.claimCode) {
        const claims = await this.readJson<Record<string, ClaimRecord>>('claims.json', {});
        const key = sha256Hex(normaliseClaimCode(req.claimCode));
        const c = claims[key];
        if (!c) throw new EnrolRefused(403, 'claim code not approved yet: enter it at the fleet side (fleet-tool claim CODE)');
        if (c.usedAt) throw new EnrolRefused(409, `claim code already used (by ${c.usedBy} at ${c.usedAt})`);
        spend = async () => { claims[key] = { ...c, usedAt: new Date(now).toISOString(), usedBy: req.boxId }; await this.writeJson('claims.json', claims); };
        via = 'claim-code';
      } else {
        throw new EnrolRefused(400, 'give claimToken (from provision.json) or claimCode');
      }
      const boxes = await this.readJson<Record<string, BoxRecord>>('boxes.json', {});
      const signed = await this.signInside(req.csr, { expectBoxId: req.boxId, bindToKey: true, ...(via === 'claim-code' ? { expectClaimCode: req.claimCode! } : {}) });
      const known = boxes[signed.boxId];
      if (known?.keySha256 && known.keySha256 !== signed.keySha256) throw new EnrolRefused(409, `box id ${signed.boxId} is already enrolled with another key`);
      await spend();
      boxes[signed.boxId] = { boxId: signed.boxId, enrolledAt: new Date(now).toISOString(), serial: signed.serial, notAfter: signed.notAfter, via, keySha256: signed.keySha256 };
      await this.writeJson('boxes.json', boxes);
      return { boxId: signed.boxId, certificate: signed.certificate, ca: await this.caPem() };
    });
  }

  /** The newest audit head each box published, as collected by `fleet-tool heads`. */
  async auditHeads(): Promise<Record<string, { seq: number; hash: string; at: string | null; receivedAt: string }>> {
    return this.readJson('audit-heads.json', {});
  }

  /** Keep a box's audit head if it is newer than the one kept. */
  async keepAuditHead(h: { boxId: string; seq: number; hash: string; at: string | null }, now = Date.now()): Promise<void> {
    await this.locked(async () => {
      const heads = await this.auditHeads();
      if ((heads[h.boxId]?.seq ?? 0) >= h.seq) return;
      heads[h.boxId] = { seq: h.seq, hash: h.hash, at: h.at, receivedAt: new Date(now).toISOString() };
      await this.writeJson('audit-heads.json', heads);
    });
  }

  async boxes(): Promise<BoxRecord[]> {
    return Object.values(await this.readJson<Record<string, BoxRecord>>('boxes.json', {}));
  }

  private async readJson<T>(name: string, fallback: T): Promise<T> {
    try {
      return JSON.parse(await readFile(this.path(name), 'utf8')) as T;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
      throw e;
    }
  }

  private async writeJson(name: string, value: unknown): Promise<void> {
    const tmp = this.path(`.${name}.${process.pid}.tmp`);
    await writeFile(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
    await rename(tmp, this.path(name));
  }

  private chain: Promise<unknown> = Promise.resolve();

  /** One writer at a time: in this process through a queue, across processes through a lock file. */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(() => this.fileLocked(fn));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** An exclusive lock file, taken over when older than 30 s (a tool killed while holding it). */
  private async fileLocked<T>(fn: () => Promise<T>): Promise<T> {
    const lock = this.path('.lock');
    const until = Date.now() + 10_000;
    for (;;) {
      try {
        const h = await open(lock, 'wx');
        await h.close();
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
        if (age > 30_000) await rm(lock, { force: true });
        else if (Date.now() > until) throw new Error(`${lock} is held by another fleet-tool process`);
        else await new Promise((r) => setTimeout(r, 25));
      }
    }
    try {
      return await fn();
    } finally {
      await rm(lock, { force: true });
    }
  }
}

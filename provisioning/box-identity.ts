// The box's identity and credentials in its state folder (<data>/identity, mode 0700): its key pair,
// made on first boot and never leaving the box; the box id and claim code derived from the public key;
// and, once enrolled, the certificate, the fleet CA and the broker URL. What the web UI and status show
// is read from these files, so any process (the box, the provision command) sees the same state.
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from '../core/durable-file.ts';

export interface BoxIdentity {
  boxId: string;
  /** What a person types at the fleet side to claim a box without provision.json (XXXX-XXXX-XXXX). */
  claimCode: string;
  createdAt: string;
}

export interface BoxCredentials {
  boxId: string;
  brokerUrl: string;
  fleetUrl: string;
  enrolledAt: string;
  /** SHA-256 of the claim token spent (so a provision.json that could not be deleted is not replayed). */
  tokenHash: string | null;
  key: string;
  cert: string;
  ca: string;
}

export interface ProvisioningStatus {
  state: 'enrolled' | 'unclaimed' | 'error';
  boxId: string;
  claimCode?: string;
  fleetUrl?: string;
  error?: string;
}

export const identityDir = (dataDir: string): string => join(dataDir, 'identity');
export const keyFile = (dataDir: string): string => join(identityDir(dataDir), 'box.key');
const file = (dataDir: string, name: string): string => join(identityDir(dataDir), name);

// Crockford's base 32: no I, L, O or U, so a code read aloud or off a screen is not mistyped.
const B32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function base32(bytes: Buffer, chars: number): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += B32[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

/**
 * The box id and claim code of a public key (PEM, or a KeyObject of the private or public key). Both
 * sides compute them: the box to show them, the enrolment server to check that the request's key is
 * the one the box id and the approved claim code belong to.
 */
export function idsFromPublicKey(key: string | KeyObject): { boxId: string; claimCode: string; keySha256: string } {
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const digest = createHash('sha256').update(spki).digest();
  const code = base32(createHash('sha256').update('claim-code:').update(spki).digest(), 12);
  return {
    boxId: `box-${digest.subarray(0, 6).toString('hex')}`,
    claimCode: `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8, 12)}`,
    keySha256: digest.toString('hex'),
  };
}

/** The identity, created on first call: an EC P-256 key (0600) and ids derived from its public key. */
export function ensureIdentity(dataDir: string, now = Date.now()): BoxIdentity {
  const existing = readJson<BoxIdentity>(file(dataDir, 'identity.json'));
  if (existing && existsSync(keyFile(dataDir))) return existing;
  mkdirSync(identityDir(dataDir), { recursive: true, mode: 0o700 });
  chmodSync(identityDir(dataDir), 0o700);
  let keyPem: string;
  if (existsSync(keyFile(dataDir))) {
    keyPem = readFileSync(keyFile(dataDir), 'utf8');
  } else {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    writeFileDurably(keyFile(dataDir), keyPem, 0o600);
  }
  const { boxId, claimCode } = idsFromPublicKey(keyPem);
  const identity: BoxIdentity = { boxId, claimCode, createdAt: new Date(now).toISOString() };
  writeFileDurably(file(dataDir, 'identity.json'), JSON.stringify(identity, null, 2) + '\n');
  return identity;
}

export function readIdentity(dataDir: string): BoxIdentity | null {
  return existsSync(keyFile(dataDir)) ? readJson<BoxIdentity>(file(dataDir, 'identity.json')) : null;
}

/** The stored credentials, with their file paths; null until enrolled. */
export function readCredentials(dataDir: string): BoxCredentials | null {
  const c = readJson<Omit<BoxCredentials, 'key' | 'cert' | 'ca'>>(file(dataDir, 'credentials.json'));
  if (!c || !existsSync(file(dataDir, 'box.crt')) || !existsSync(file(dataDir, 'ca.crt'))) return null;
  return { ...c, key: keyFile(dataDir), cert: file(dataDir, 'box.crt'), ca: file(dataDir, 'ca.crt') };
}

/** Store what enrolment returned; credentials.json is written last, so its presence means enrolled. */
export function storeCredentials(dataDir: string, c: { boxId: string; brokerUrl: string; fleetUrl: string; certificate: string; ca: string; tokenHash: string | null; now?: number }): BoxCredentials {
  writeFileDurably(file(dataDir, 'box.crt'), c.certificate);
  writeFileDurably(file(dataDir, 'ca.crt'), c.ca);
  writeFileDurably(file(dataDir, 'credentials.json'), JSON.stringify({
    boxId: c.boxId, brokerUrl: c.brokerUrl, fleetUrl: c.fleetUrl, enrolledAt: new Date(c.now ?? Date.now()).toISOString(), tokenHash: c.tokenHash,
  }, null, 2) + '\n', 0o600);
  rmSync(file(dataDir, 'error.json'), { force: true });
  return readCredentials(dataDir)!;
}

export function recordError(dataDir: string, error: string, fleetUrl: string | null, now = Date.now()): void {
  mkdirSync(identityDir(dataDir), { recursive: true, mode: 0o700 });
  writeFileDurably(file(dataDir, 'error.json'), JSON.stringify({ error, fleetUrl, at: new Date(now).toISOString() }, null, 2) + '\n');
}

export function clearError(dataDir: string): void {
  rmSync(file(dataDir, 'error.json'), { force: true });
}

export function hasError(dataDir: string): boolean {
  return existsSync(file(dataDir, 'error.json'));
}

/** What GET /api/provisioning and the status report: enrolled, unclaimed (with the claim code), or the last error. */
export function provisioningStatus(dataDir: string): ProvisioningStatus {
  const creds = readCredentials(dataDir);
  const id = readIdentity(dataDir);
  if (creds) return { state: 'enrolled', boxId: creds.boxId, fleetUrl: creds.fleetUrl };
  const err = readJson<{ error: string; fleetUrl: string | null }>(file(dataDir, 'error.json'));
  const boxId = id?.boxId ?? 'unknown';
  if (err) return { state: 'error', boxId, error: err.error, ...(id ? { claimCode: id.claimCode } : {}), ...(err.fleetUrl ? { fleetUrl: err.fleetUrl } : {}) };
  return { state: 'unclaimed', boxId, ...(id ? { claimCode: id.claimCode } : {}) };
}

/** Saves settings the box cannot apply itself (network, time servers) for the system layer to pick up. */
export function storeSystemSettings(dataDir: string, doc: { network?: unknown; time?: unknown }): void {
  writeFileDurably(file(dataDir, 'system-settings.json'), JSON.stringify(doc, null, 2) + '\n', 0o600);
}

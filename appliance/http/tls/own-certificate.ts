// The box's own certificate: self-signed, for every name and address it has on the LAN (lan-names.ts),
// on an ECDSA P-256 key that is made once and kept. Remade with the same key when the names change or
// it nears its end, so the SPKI hash staff pinned (or gave Chromium) stays true for the box's life;
// the certificate's own fingerprint changes with every remake.
import { generateKeyPairSync, createPrivateKey, createPublicKey } from 'node:crypto';
import type { LanNames } from './lan-names.ts';

/** 397 days: the longest validity browsers accept for a server certificate. */
export const OWN_VALIDITY_DAYS = 397;
/** Remade this long before its end. */
export const OWN_RENEW_BEFORE_DAYS = 30;
const DAY = 86_400_000;

export function newOwnKey(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

export async function makeOwnCertificate(o: { keyPem: string; names: LanNames; boxName: string; now: number }): Promise<string> {
  const publicKey = createPublicKey(createPrivateKey(o.keyPem)).export({ type: 'spki', format: 'pem' }) as string;
  // Backdated an hour: a browser whose clock is a little behind the box's still accepts it.
  const notBeforeDate = new Date(o.now - 3_600_000);
  const cn = o.names.dns.find((d) => d !== 'localhost') ?? 'localhost';
  // Loaded here, not at start-up: selfsigned brings the whole X.509 toolkit, which a box that already has
  // its certificate never needs (every restart would pay for it).
  const { generate } = await import('selfsigned');
  const pems = await generate(
    [{ name: 'commonName', value: cn }, { name: 'organizationName', value: o.boxName.slice(0, 64) || 'voice-broadcast-box' }],
    {
      keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
      keyPair: { privateKey: o.keyPem, publicKey },
      notBeforeDate, notAfterDate: new Date(o.now + OWN_VALIDITY_DAYS * DAY),
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [...o.names.dns.map((value) => ({ type: 2 as const, value })), ...o.names.ips.map((ip) => ({ type: 7 as const, ip }))] },
      ],
    },
  );
  return pems.cert;
}

/** Whether a certificate valid until `validTo` should be remade at `now`. */
export function nearsItsEnd(validTo: string, now: number): boolean {
  return Date.parse(validTo) - now < OWN_RENEW_BEFORE_DAYS * DAY;
}

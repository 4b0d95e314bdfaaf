// What a certificate is, as staff and browsers see it: its SHA-256 fingerprint, the SHA-256 of its
// public key (SPKI, what `--ignore-certificate-errors-spki-list` and HPKP-style pins take), its names
// and validity; and the checks an uploaded certificate and key must pass, as field errors.
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { AppError, type FieldError } from '../../../core/errors.ts';

export interface CertificateInfo {
  /** SHA-256 of the certificate (DER), upper-case hex pairs joined by colons, as browsers show it. */
  fingerprint256: string;
  /** SHA-256 of the SubjectPublicKeyInfo (DER), base64: Chromium's --ignore-certificate-errors-spki-list. */
  spkiSha256: string;
  subject: string;
  issuer: string;
  selfSigned: boolean;
  /** Names from subjectAltName: `DNS:x`, `IP Address:y` as they read. */
  names: string[];
  validFrom: string;
  validTo: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM text, in order (the first is the server's, the rest its chain). */
export function pemCertificates(text: string): string[] {
  return text.match(PEM_CERT) ?? [];
}

export function spkiSha256(key: KeyObject): string {
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('base64');
}

export function describeCertificate(certPem: string): CertificateInfo {
  const x = new X509Certificate(pemCertificates(certPem)[0] ?? certPem);
  return {
    fingerprint256: x.fingerprint256,
    spkiSha256: spkiSha256(x.publicKey),
    subject: x.subject.replace(/\n/g, ', '),
    issuer: x.issuer.replace(/\n/g, ', '),
    selfSigned: x.subject === x.issuer && x.verify(x.publicKey),
    names: (x.subjectAltName ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    validFrom: new Date(x.validFrom).toISOString(),
    validTo: new Date(x.validTo).toISOString(),
  };
}

const MAX_PEM = 64 * 1024;

/**
 * An uploaded certificate (PEM, optionally followed by its chain) and private key (PEM, unencrypted):
 * both readable, the key the certificate's, valid now. Every problem at once, as field errors on
 * `cert` and `key`; nothing is installed while any remains.
 */
export function checkCertificatePair(certPem: string, keyPem: string, now: number): { cert: string; key: string; info: CertificateInfo } {
  const fields: FieldError[] = [];
  let cert: X509Certificate | null = null;
  let key: KeyObject | null = null;
  const certs = pemCertificates(certPem);
  if (certPem.length > MAX_PEM) fields.push({ key: 'cert', message: `is ${certPem.length} characters; a certificate with its chain is under ${MAX_PEM}` });
  else if (certs.length === 0) fields.push({ key: 'cert', message: 'is not a PEM certificate (a text starting with -----BEGIN CERTIFICATE-----)' });
  else {
    try {
      cert = new X509Certificate(certs[0]!);
      for (const extra of certs.slice(1)) new X509Certificate(extra);
    } catch (e) {
      cert = null;
      fields.push({ key: 'cert', message: `cannot be read: ${(e as Error).message}` });
    }
  }
  if (keyPem.length > MAX_PEM) fields.push({ key: 'key', message: `is ${keyPem.length} characters; a private key is under ${MAX_PEM}` });
  else if (/ENCRYPTED/.test(keyPem)) fields.push({ key: 'key', message: 'is encrypted with a passphrase; give the key without one (the box has nobody to type it at start)' });
  else if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyPem)) fields.push({ key: 'key', message: 'is not a PEM private key (a text starting with -----BEGIN PRIVATE KEY-----)' });
  else {
    try {
      key = createPrivateKey(keyPem);
    } catch (e) {
      fields.push({ key: 'key', message: `cannot be read: ${(e as Error).message}` });
    }
  }
  if (cert) {
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    if (to <= now) fields.push({ key: 'cert', message: `expired on ${new Date(to).toISOString().slice(0, 10)}` });
    else if (from > now) fields.push({ key: 'cert', message: `is not valid before ${new Date(from).toISOString().slice(0, 10)}` });
    if (cert.ca) fields.push({ key: 'cert', message: 'is a certificate authority\'s; give the box\'s own certificate first, then its chain' });
  }
  if (cert && key && !cert.checkPrivateKey(key)) {
    fields.push({ key: 'key', message: 'does not match the certificate (it is the private key of another certificate)' });
  }
  if (fields.length > 0 || !cert || !key) {
    const first = fields[0]!;
    throw new AppError('E_TLS_CERTIFICATE', `${first.key === 'cert' ? 'certificate' : 'private key'} ${first.message}`, { field: first.key }, { fields });
  }
  // Normalised: the key as PKCS#8, the certificates as read (leaf first).
  return { cert: `${certs.join('\n')}\n`, key: key.export({ type: 'pkcs8', format: 'pem' }) as string, info: describeCertificate(certs[0]!) };
}

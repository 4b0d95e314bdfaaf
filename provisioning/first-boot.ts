// First boot: make the identity, read provision.json, enrol with the fleet, store the credentials,
// point the fleet settings at them, then delete the file. Never throws: a failure is recorded in the
// identity folder and shown by GET /api/provisioning, and the box goes on serving its UI.
import { createHash, X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import https from 'node:https';
import type { FleetSettings, Settings } from '../core/settings-types.ts';
import type { Logger } from '../core/log.ts';
import { createCsr } from './openssl.ts';
import { parseProvisionFile, provisionFilePath, type ProvisionFile } from './provision-file.ts';
import {
  clearError, ensureIdentity, hasError, keyFile, provisioningStatus, readCredentials, recordError, storeCredentials, storeSystemSettings,
  type BoxCredentials, type ProvisioningStatus,
} from './box-identity.ts';

export interface FirstBootOptions {
  dataDir: string;
  /** provision.json; default PROVISION_FILE or /boot/firmware/provision.json. */
  file?: string;
  /** When given, the fleet settings (broker URL, box id, TLS files) and the time zone are written into it. */
  settingsStore?: SettingsWriter;
  /** Claim-code enrolment (no provision.json): the fleet URL to ask, and optionally its CA pin. */
  fleetUrl?: string;
  caSha256?: string;
  logger?: Logger;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Fleet settings that use the stored credentials. */
export function fleetSettingsFrom(c: BoxCredentials, base?: FleetSettings): FleetSettings {
  return { ...(base ?? {}), enabled: true, url: c.brokerUrl, boxId: c.boxId, tls: { ca: c.ca, cert: c.cert, key: c.key } };
}

/** Whether start-up should run first boot: a provision.json waiting, or no identity yet. */
export function firstBootNeeded(dataDir: string, env: NodeJS.ProcessEnv = process.env, file?: string): boolean {
  return existsSync(file ?? provisionFilePath(env)) || !existsSync(keyFile(dataDir)) || hasError(dataDir);
}

function request(url: string, opts: { method: 'GET' | 'POST'; body?: string; ca?: string; timeoutMs: number }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method: opts.method,
      timeout: opts.timeoutMs,
      ...(opts.ca ? { ca: opts.ca } : {}),
      headers: opts.body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(opts.body) } : {},
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { if (text.length < 256 * 1024) text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${new URL(url).host} within ${opts.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Trust for the enrolment server: the pinned CA when given (fetched, then checked), else the system's. */
async function pinnedCa(fleetUrl: string, pin: string | undefined, timeoutMs: number): Promise<string | undefined> {
  if (!pin) return undefined;
  // Unverified on purpose: what comes back is only used if its fingerprint matches the pin.
  const got = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = https.get(`${fleetUrl}/v1/ca`, { rejectUnauthorized: false, timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { if (text.length < 64 * 1024) text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${new URL(fleetUrl).host} within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
  if (got.status !== 200) throw new Error(`the fleet did not give its CA (HTTP ${got.status})`);
  const fp = new X509Certificate(got.text).fingerprint256.replace(/:/g, '').toLowerCase();
  if (fp !== pin) throw new Error('the fleet CA does not match caSha256 in provision.json; refusing to enrol with this server');
  return got.text;
}

/** Enrol with a claim token or an approved claim code; returns the stored credentials. */
export async function enrol(opts: { dataDir: string; fleetUrl: string; caSha256?: string; claimToken?: string; claimCode?: string; timeoutMs?: number; now?: number }): Promise<BoxCredentials> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const identity = ensureIdentity(opts.dataDir);
  const ca = await pinnedCa(opts.fleetUrl, opts.caSha256, timeoutMs);
  const csr = await createCsr(keyFile(opts.dataDir), identity.boxId);
  const body = JSON.stringify({ boxId: identity.boxId, csr, ...(opts.claimToken ? { claimToken: opts.claimToken } : { claimCode: opts.claimCode }) });
  const res = await request(`${opts.fleetUrl}/v1/enrol`, { method: 'POST', body, ...(ca ? { ca } : {}), timeoutMs });
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(res.text) as Record<string, unknown>;
  } catch {
    throw new Error(`the fleet answered HTTP ${res.status} without JSON`);
  }
  if (res.status !== 200) throw new Error(`enrolment refused by the fleet (HTTP ${res.status}): ${typeof answer.error === 'string' ? answer.error : 'no reason given'}`);
  const { certificate, ca: caPem, brokerUrl } = answer;
  if (typeof certificate !== 'string' || typeof caPem !== 'string') throw new Error('the fleet answered without a certificate and CA');
  if (typeof brokerUrl !== 'string' || !/^mqtts?:\/\//.test(brokerUrl)) throw new Error('the fleet gave no broker URL (mqtt:// or mqtts://); set it with fleet-tool init --broker-url');
  // The certificate must be for our key, issued by the CA we were given (and pinned, when pinned).
  const cert = new X509Certificate(certificate);
  const caCert = new X509Certificate(caPem);
  if (!cert.checkPrivateKey(createPrivateKey(await readFile(keyFile(opts.dataDir), 'utf8')))) throw new Error('the certificate from the fleet is not for this box\'s key');
  if (!cert.verify(caCert.publicKey)) throw new Error('the certificate from the fleet is not signed by the CA it sent');
  if (opts.caSha256 && caCert.fingerprint256.replace(/:/g, '').toLowerCase() !== opts.caSha256) throw new Error('the CA sent at enrolment differs from the pinned one');
  return storeCredentials(opts.dataDir, {
    boxId: identity.boxId, brokerUrl, fleetUrl: opts.fleetUrl, certificate, ca: caPem,
    tokenHash: opts.claimToken ? sha256(opts.claimToken) : null, ...(opts.now ? { now: opts.now } : {}),
  });
}

/** What first boot needs of the box's settings store (appliance/config/settings.ts implements it). */
export interface SettingsWriter {
  stored(): Settings;
  update(change: (draft: Settings) => void): Promise<Settings>;
}

async function applySettings(store: SettingsWriter | undefined, creds: BoxCredentials, file: ProvisionFile | null): Promise<void> {
  if (!store) return;
  const s = store.stored();
  const f = s.fleet;
  const fresh = !f.enabled || f.url !== creds.brokerUrl || f.boxId !== creds.boxId || f.tls?.cert !== creds.cert || f.tls?.key !== creds.key || f.tls?.ca !== creds.ca;
  const tz = file?.time?.timezone;
  if (!fresh && (!tz || s.box.timezone === tz)) return;
  await store.update((d) => {
    d.fleet = fleetSettingsFrom(creds, d.fleet);
    if (tz) d.box.timezone = tz;
  });
}

/** The whole first-boot step. Returns the resulting status; failures are recorded, not thrown. */
export async function runFirstBoot(opts: FirstBootOptions): Promise<ProvisioningStatus> {
  const path = opts.file ?? provisionFilePath(opts.env);
  const log = opts.logger;
  let fleetUrl: string | null = opts.fleetUrl ?? null;
  try {
    const identity = ensureIdentity(opts.dataDir);
    let existing = readCredentials(opts.dataDir);
    let text: string | null = null;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${path}: ${(e as Error).message}`);
    }
    if (text === null) {
      if (!existing && opts.fleetUrl) {
        existing = await enrol({ dataDir: opts.dataDir, fleetUrl: opts.fleetUrl, claimCode: identity.claimCode, ...(opts.caSha256 ? { caSha256: opts.caSha256 } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
        log?.info({ boxId: existing.boxId }, 'enrolled with the fleet by claim code');
      }
      if (existing) await applySettings(opts.settingsStore, existing, null);
      else clearError(opts.dataDir); // nothing pending any more: back to showing the claim code
      if (!existing) log?.info({ boxId: identity.boxId }, 'not enrolled: no provision.json; the web UI shows the claim code to admins');
      return provisioningStatus(opts.dataDir);
    }
    const file = parseProvisionFile(text);
    fleetUrl = file.fleetUrl;
    // A file whose token we already spent is one we could not delete last time: do not replay it.
    if (!existing || existing.tokenHash !== sha256(file.claimToken)) {
      existing = await enrol({ dataDir: opts.dataDir, fleetUrl: file.fleetUrl, claimToken: file.claimToken, ...(file.caSha256 ? { caSha256: file.caSha256 } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
      log?.info({ boxId: existing.boxId, broker: existing.brokerUrl }, 'enrolled with the fleet');
    }
    if (file.network || file.time?.ntpServers) storeSystemSettings(opts.dataDir, { network: file.network ?? null, time: file.time ?? null });
    await applySettings(opts.settingsStore, existing, file);
    try {
      await unlink(path);
    } catch (e) {
      // Enrolled all the same; the token is spent and remembered, so the file is harmless if it stays.
      log?.warn({ file: path, err: (e as Error).message }, 'enrolled, but provision.json could not be deleted');
    }
    return provisioningStatus(opts.dataDir);
  } catch (e) {
    const message = (e as Error).message;
    try {
      recordError(opts.dataDir, message, fleetUrl);
    } catch (w) {
      log?.error({ err: (w as Error).message }, 'cannot record the provisioning error');
    }
    log?.error({ err: message, file: path }, 'provisioning failed; the box runs without the fleet');
    const status = provisioningStatus(opts.dataDir);
    // Already enrolled before (e.g. a second provision.json that failed): keep saying so, with the error.
    return status.state === 'enrolled' ? { ...status, error: message } : status;
  }
}

// provision.json, written by the fleet tool onto the boot partition before a box's first boot:
// {fleetUrl, claimToken, caSha256?, network?, time?}. Parsed here into typed values, with an error
// that names the field.
import { parseJsonSafe, UnsafeJsonError } from '../core/safe-json.ts';

export interface ProvisionFile {
  /** The enrolment server, https only. */
  fleetUrl: string;
  /** Single-use claim token from `fleet-tool token`. */
  claimToken: string;
  /** SHA-256 (hex) of the fleet CA certificate; the box trusts the enrolment server only through it. */
  caSha256?: string;
  /** Left to the system layer (saved as identity/system-settings.json): e.g. {hostname, wifi: {ssid, psk}}. */
  network?: Record<string, unknown>;
  /** timezone (IANA) is applied to the box's settings; ntpServers are saved for the system layer. */
  time?: { timezone?: string; ntpServers?: string[] };
}

export const DEFAULT_PROVISION_FILE = '/boot/firmware/provision.json';

/** PROVISION_FILE from the environment, or the boot partition. */
export function provisionFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.PROVISION_FILE || DEFAULT_PROVISION_FILE;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseProvisionFile(text: string): ProvisionFile {
  let raw: unknown;
  try {
    raw = parseJsonSafe(text);
  } catch (e) {
    if (e instanceof UnsafeJsonError) throw new Error(`provision.json ${e.message}`);
    throw new Error(`provision.json is not valid JSON: ${(e as Error).message}`);
  }
  const bad = (field: string, what: string): Error => new Error(`provision.json field "${field}": ${what}`);
  if (!isObject(raw)) throw bad('(root)', 'must be an object {fleetUrl, claimToken}');
  const { fleetUrl, claimToken, caSha256, network, time } = raw;
  if (typeof fleetUrl !== 'string') throw bad('fleetUrl', 'the enrolment URL (https://...) is missing');
  let url: URL;
  try {
    url = new URL(fleetUrl);
  } catch {
    throw bad('fleetUrl', 'not a URL');
  }
  if (url.protocol !== 'https:') throw bad('fleetUrl', 'must be an https:// URL');
  if (typeof claimToken !== 'string' || claimToken.length < 8 || claimToken.length > 200) throw bad('claimToken', 'the claim token from the fleet tool is missing');
  if (caSha256 !== undefined && (typeof caSha256 !== 'string' || !/^[0-9a-fA-F:]{64,95}$/.test(caSha256) || caSha256.replace(/:/g, '').length !== 64)) throw bad('caSha256', 'the SHA-256 of the fleet CA (64 hex digits)');
  if (network !== undefined && !isObject(network)) throw bad('network', 'must be an object');
  let parsedTime: ProvisionFile['time'];
  if (time !== undefined) {
    if (!isObject(time)) throw bad('time', 'must be an object {timezone, ntpServers}');
    if (time.timezone !== undefined) {
      if (typeof time.timezone !== 'string') throw bad('time.timezone', 'an IANA time zone such as Europe/Paris');
      try {
        new Intl.DateTimeFormat('en', { timeZone: time.timezone });
      } catch {
        throw bad('time.timezone', `unknown time zone "${time.timezone}"`);
      }
    }
    if (time.ntpServers !== undefined && (!Array.isArray(time.ntpServers) || !time.ntpServers.every((s) => typeof s === 'string' && /^[A-Za-z0-9.:-]{1,253}$/.test(s)))) {
      throw bad('time.ntpServers', 'a list of host names or addresses');
    }
    parsedTime = { ...(time.timezone ? { timezone: time.timezone as string } : {}), ...(time.ntpServers ? { ntpServers: time.ntpServers as string[] } : {}) };
  }
  return {
    fleetUrl: url.toString().replace(/\/$/, ''),
    claimToken,
    ...(caSha256 ? { caSha256: (caSha256 as string).replace(/:/g, '').toLowerCase() } : {}),
    ...(network ? { network: network as Record<string, unknown> } : {}),
    ...(parsedTime ? { time: parsedTime } : {}),
  };
}

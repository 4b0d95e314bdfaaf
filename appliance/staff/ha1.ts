// A desk phone's SIP secret is kept only as its digest HA1 (RFC 2617/7616: MD5(user:realm:password)),
// computed when the admin sets it: the box can check a REGISTER without ever storing the password.
import { createHash } from 'node:crypto';

export function digestHa1(user: string, realm: string, password: string): string {
  return createHash('md5').update(`${user}:${realm}:${password}`).digest('hex');
}

/** Shortest desk-phone password: phones are on the LAN, but a digest HA1 can be brute-forced offline. */
export const DESK_PHONE_PASSWORD_MIN = 12;

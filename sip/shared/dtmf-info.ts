// DTMF carried in SIP INFO bodies: application/dtmf-relay ("Signal=5\r\nDuration=160") and
// application/dtmf ("5"). Some gateways send events 10-15 as numbers for * # A B C D.
const EVENT_DIGITS = '0123456789*#ABCD';

function digitOf(token: string): string | null {
  const t = token.trim().toUpperCase();
  if (/^[0-9*#A-D]$/.test(t)) return t;
  if (/^1[0-5]$/.test(t)) return EVENT_DIGITS[Number(t)] ?? null;
  return null;
}

/** The digit an INFO body carries, or null when it is not DTMF (or not one we understand). */
export function dtmfFromInfo(contentType: string | undefined, body: string | undefined): string | null {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  const text = body ?? '';
  if (type === 'application/dtmf-relay') {
    const m = /^\s*signal\s*=\s*(\S+)\s*$/im.exec(text);
    return m ? digitOf(m[1] ?? '') : null;
  }
  if (type === 'application/dtmf') return digitOf(text);
  return null;
}

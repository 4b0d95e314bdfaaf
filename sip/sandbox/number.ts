// The number a caller dialled, from the user part of a Request-URI: what a trunk would route on.

/** International dial prefixes that stand for '+' (E.164 never starts with 0, so these are unambiguous). */
export const DEFAULT_DIAL_PREFIXES: readonly string[] = ['00', '011'];

/**
 * "+33612345678", "33612345678", "0033612345678", "+33-6-12.34.56.78;phone-context=..." → "+33612345678".
 * `dialPrefixes` are stripped first (longest first), so a trunk configured with e.g. '9' or '00' works.
 * Null when what remains is not 7-15 digits starting 1-9.
 */
export function e164FromUser(user: string | undefined, dialPrefixes: readonly string[] = DEFAULT_DIAL_PREFIXES): string | null {
  if (!user) return null;
  let s = decodeURIComponentSafe(user.split(';')[0] ?? '').replace(/[\s().-]/g, '');
  if (s.startsWith('+')) s = s.slice(1);
  else {
    for (const p of [...dialPrefixes].sort((a, b) => b.length - a.length)) {
      if (p && s.startsWith(p) && s.length > p.length) {
        s = s.slice(p.length);
        break;
      }
    }
  }
  return /^[1-9][0-9]{6,14}$/.test(s) ? `+${s}` : null;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const FRENCH_SPEAKING = ['+33', '+32', '+41', '+352', '+377', '+262', '+590', '+594', '+596', '+687', '+689'];

/** Which language the person at a number speaks: French for France, Belgium, Switzerland and a few more. */
export function languageOf(e164: string): 'fr' | 'en' {
  return FRENCH_SPEAKING.some((cc) => e164.startsWith(cc)) ? 'fr' : 'en';
}

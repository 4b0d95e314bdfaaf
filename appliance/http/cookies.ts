// The session cookie: HttpOnly, SameSite=Strict, Path=/, and Secure when the page came over TLS.
export const SESSION_COOKIE = 'vba_session';

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]+$/.test(value) ? value : null;
    }
  }
  return null;
}

export function sessionCookie(value: string, opts: { secure: boolean; maxAgeSec: number }): string {
  return [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${opts.maxAgeSec}`, ...(opts.secure ? ['Secure'] : [])].join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', { secure, maxAgeSec: 0 });
}

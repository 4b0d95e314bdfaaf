// How both engines read a number from a trunk's INVITE (From, To, request URI).

/** The caller's number as a trunk gives it: E.164 kept; 00-prefixed international made E.164. */
export function callerNumber(user: string | undefined | null): string {
  const u = (user ?? '').replace(/[\s().-]/g, '');
  if (/^00[1-9][0-9]{6,14}$/.test(u)) return `+${u.slice(2)}`;
  return u || 'anonymous';
}

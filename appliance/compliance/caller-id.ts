// Which caller IDs a campaign may present under a pack: valid and dialable, verified by the box,
// inside the pack's ranges for canvassing (France: ARCEP), never a forbidden range.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Purpose } from '../campaigns/model.ts';
import type { RulePack } from './packs.ts';
import type { CallerIdProblemCode } from '../http/contract/compliance.ts';

export interface CallerIdProblem {
  code: CallerIdProblemCode;
  message: string;
  /** Details a page words the problem from in its own language. */
  callerId: string;
  /** caller-id-range: the prefixes the number must start with. */
  allowedPrefixes?: string[];
  /** caller-id-forbidden: the forbidden prefix it starts with. */
  forbiddenPrefix?: string;
}

export function checkCallerId(pack: Pick<RulePack, 'id' | 'callerId'>, c: { callerId: string; purpose: Purpose; verified?: boolean }): CallerIdProblem[] {
  const out: CallerIdProblem[] = [];
  const rule = pack.callerId;
  if (rule.mustBeValid) {
    const p = /^\+[1-9]\d{6,14}$/.test(c.callerId) ? parsePhoneNumberFromString(c.callerId) : undefined;
    if (!p || !p.isValid()) out.push({ code: 'caller-id-invalid', callerId: c.callerId, message: `caller ID ${c.callerId} is not a valid, dialable number (${rule.source})` });
  }
  if (c.verified === false) out.push({ code: 'caller-id-unverified', callerId: c.callerId, message: `caller ID ${c.callerId} has not been verified by a call with a code` });
  const bad = rule.forbiddenPrefixes.find((p) => c.callerId.startsWith(p));
  if (bad) out.push({ code: 'caller-id-forbidden', callerId: c.callerId, forbiddenPrefix: bad, message: `caller ID ${c.callerId} is in a range the ${pack.id} pack forbids (${bad}…): ${rule.source}` });
  const ranges = rule.ranges;
  if (ranges && (!ranges.purposes || ranges.purposes.includes(c.purpose)) && !ranges.prefixes.some((p) => c.callerId.startsWith(p))) {
    out.push({ code: 'caller-id-range', callerId: c.callerId, allowedPrefixes: ranges.prefixes, message: `${c.purpose} calls under the ${pack.id} pack must present a number from ${ranges.prefixes.join(', ')} (${rule.source})` });
  }
  return out;
}

/**
 * Only a verification call marks a caller ID verified: a settings document (from the API or the fleet's
 * desired configuration) may keep or drop a verification, never add one.
 */
export function forgedVerifications(next: Record<string, unknown>, stored: ReadonlyArray<{ number: string; verified: boolean }>): Array<{ key: string; message: string }> {
  const ids = Array.isArray(next.callerIds) ? next.callerIds as Array<{ number?: unknown; verified?: unknown } | null> : [];
  return ids.flatMap((c, i) => c?.verified === true && !stored.some((s) => s.number === c.number && s.verified)
    ? [{ key: `callerIds.${i}.verified`, message: 'only a verification call marks a caller ID verified (POST /api/compliance/caller-ids/{number}/verify)' }]
    : []);
}

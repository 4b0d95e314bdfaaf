// The pure compliance decision for one call: pack + facts about the number -> allow, or a reason
// code, and for refusals that only hold for now (window, caps, cooling-off) the time to try again.
import type { Purpose } from '../campaigns/model.ts';
import { inScope, type LineType, type RulePack } from './packs.ts';
import { checkWindows, nextLegalOpening } from './legal-window.ts';

export const REASONS = [
  'no-timezone', 'restricted-number', 'dnc-internal', 'dnc-registry', 'no-consent', 'consent-revoked',
  'refusal-cooldown', 'frequency-cap', 'outside-legal-window', 'public-holiday', 'no-legal-window', 'no-compliance-pack',
] as const;
export type ReasonCode = (typeof REASONS)[number];

export interface ConsentFact {
  seller: string | null;
  /** A purpose, or null / 'any' for every purpose. */
  purpose: string | null;
  givenAt: number | null;
  revokedAt: number | null;
}

export interface CallHistory {
  /** When this number was dialled by this box (any campaign), epoch ms; order does not matter. */
  attempts: number[];
  /** Last refusal (declined after ringing, or an opt-out key), epoch ms. */
  refusalAt: number | null;
}

export interface DncFacts {
  /** On the box's own suppression list (opt-outs, staff entries, fleet). */
  internal: boolean;
  /** Names of the registry copies the number appears in. */
  registries: string[];
}

export interface EvaluateInput {
  e164: string;
  purpose: Purpose;
  lineType: LineType;
  zones: readonly string[];
  /** The seller on whose behalf the campaign calls (consents are per seller). */
  seller: string;
  consent: ConsentFact[];
  history: CallHistory;
  dnc: DncFacts;
  now: number;
}

export interface Verdict {
  allow: boolean;
  reason?: ReasonCode;
  /** The rule behind the refusal (pack rule id or registry name). */
  rule?: string;
  /** Refused for now only: the earliest time it may be allowed. */
  retryAt?: number;
  packVersion: string;
}

const DAY = 86_400_000;

function matchesSeller(fact: ConsentFact, seller: string): boolean {
  return fact.seller !== null && seller !== '' && fact.seller.trim().toLowerCase() === seller.trim().toLowerCase();
}

function matchesPurpose(fact: ConsentFact, purpose: Purpose): boolean {
  const p = fact.purpose?.trim().toLowerCase() ?? '';
  return p === '' || p === 'any' || p === purpose;
}

function validConsent(facts: ConsentFact[], kind: 'seller-purpose' | 'prior', seller: string, purpose: Purpose, now: number): 'valid' | 'revoked' | 'none' {
  let revoked = false;
  for (const f of facts) {
    if (f.givenAt === null || f.givenAt > now) continue;
    const fits = kind === 'prior' ? f.seller === null || matchesSeller(f, seller) : matchesSeller(f, seller) && matchesPurpose(f, purpose);
    if (!fits) continue;
    if (f.revokedAt !== null && f.revokedAt <= now) {
      revoked = true;
      continue;
    }
    return 'valid';
  }
  return revoked ? 'revoked' : 'none';
}

function isRestricted(pack: RulePack, e164: string): string | null {
  for (const r of pack.restricted) {
    for (const n of r.numbers) {
      if (n.endsWith('*') ? e164.startsWith(n.slice(0, -1)) : e164 === n) return r.id;
    }
  }
  return null;
}

export function evaluate(pack: RulePack, input: EvaluateInput): Verdict {
  const v = pack.version;
  const { purpose, lineType, now } = input;
  const block = (reason: ReasonCode, rule?: string): Verdict => ({ allow: false, reason, packVersion: v, ...(rule ? { rule } : {}) });
  if (input.zones.length === 0) return block('no-timezone');
  const restricted = isRestricted(pack, input.e164);
  if (restricted) return block('restricted-number', restricted);
  if (input.dnc.internal) return block('dnc-internal');
  const exempt = pack.exemptPurposes.includes(purpose);
  if (exempt) return { allow: true, packVersion: v };

  for (const reg of pack.registries) {
    if (inScope(reg, purpose, lineType) && input.dnc.registries.includes(reg.name)) return block('dnc-registry', reg.name);
  }
  for (const rule of pack.consent) {
    if (!inScope(rule, purpose, lineType)) continue;
    const c = validConsent(input.consent, rule.kind, input.seller, purpose, now);
    if (c !== 'valid') return block(c === 'revoked' ? 'consent-revoked' : 'no-consent', rule.id);
  }

  // Refusals for now: find the earliest time every rule allows, and name the first that refused.
  let reason: ReasonCode | null = null;
  let rule: string | undefined;
  let at = now;
  for (const r of pack.refusal) {
    if (!inScope(r, purpose, lineType) || input.history.refusalAt === null) continue;
    const until = input.history.refusalAt + r.days * DAY;
    if (until > now) {
      if (!reason) [reason, rule] = ['refusal-cooldown', r.id];
      at = Math.max(at, until);
    }
  }
  const hasPrior = (): boolean => validConsent(input.consent, 'prior', input.seller, purpose, now) === 'valid';
  for (const cap of pack.caps) {
    if (!inScope(cap, purpose, lineType)) continue;
    if (cap.unlessConsent && hasPrior()) continue;
    const period = cap.periodDays * DAY;
    const within = input.history.attempts.filter((t) => t > now - period && t <= now).sort((a, b) => a - b);
    if (within.length >= cap.max) {
      if (!reason) [reason, rule] = ['frequency-cap', cap.id];
      at = Math.max(at, within[within.length - cap.max]! + period);
    }
  }
  const windows = pack.windows.filter((w) => inScope(w, purpose, lineType));
  if (windows.length > 0) {
    const w = checkWindows(pack, windows, at, input.zones);
    if (!w.ok) {
      if (!reason) [reason, rule] = [w.reason, windows[0]!.id];
      const open = nextLegalOpening(pack, windows, at, input.zones);
      if (open === null) return block('no-legal-window', windows[0]!.id);
      at = open;
    }
  }
  if (!reason) return { allow: true, packVersion: v };
  return { allow: false, reason, packVersion: v, retryAt: at, ...(rule ? { rule } : {}) };
}

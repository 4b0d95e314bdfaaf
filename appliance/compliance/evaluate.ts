// The pure compliance decision for one call: the pack in force at the instant of the call + facts
// about the number -> allow (saying which exception, if any, let it through), or a reason code, and
// for refusals that only hold for now (window, caps, cooling-off) the time to try again.
import type { Purpose } from '../campaigns/model.ts';
import { inScope, packAt, type ConsentException, type ConsentKind, type ConsentRule, type LineType, type PackDefinition, type RulePack } from './packs.ts';
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
  /** What the record is in law (see ConsentKind). */
  kind: ConsentKind;
  givenAt: number | null;
  revokedAt: number | null;
}

export interface CallHistory {
  /** When this number was dialled by this box (any campaign), epoch ms; order does not matter. */
  attempts: number[];
  /** The subset that was answered, for caps that count connected calls only; absent: every attempt counts (stricter). */
  connected?: number[];
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

/** A record that let a call through a rule that would have refused it. */
export interface AppliedException {
  /** The reason the rule would have given. */
  lifts: 'dnc-registry' | 'no-consent';
  /** The registry name or consent rule id. */
  rule: string;
  kind: ConsentKind;
  source: string;
}

export interface Verdict {
  allow: boolean;
  reason?: ReasonCode;
  /** The rule behind the refusal (pack rule id or registry name). */
  rule?: string;
  /** Refused for now only: the earliest time it may be allowed. */
  retryAt?: number;
  /** Held by a cap or a cooling-off: when the last of them lifts (the window may push `retryAt` later). */
  heldUntil?: number;
  /** Allowed through exceptions: which records lifted which rules. */
  exceptions?: AppliedException[];
  /** The version of the pack in force at the instant of the call. */
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

const given = (f: ConsentFact, now: number): boolean => f.givenAt !== null && f.givenAt <= now;
const revoked = (f: ConsentFact, now: number): boolean => f.revokedAt !== null && f.revokedAt <= now;

function validConsent(facts: ConsentFact[], match: ConsentRule['match'], kinds: readonly ConsentKind[], seller: string, purpose: Purpose, now: number): 'valid' | 'revoked' | 'none' {
  let wasRevoked = false;
  for (const f of facts) {
    if (!kinds.includes(f.kind) || !given(f, now)) continue;
    const fits = match === 'prior' ? f.seller === null || matchesSeller(f, seller) : matchesSeller(f, seller) && matchesPurpose(f, purpose);
    if (!fits) continue;
    if (revoked(f, now)) {
      wasRevoked = true;
      continue;
    }
    return 'valid';
  }
  return wasRevoked ? 'revoked' : 'none';
}

/**
 * The record that lifts a rule under this exception, if any. A revocation the number gave this seller
 * after the record voids it (a revocation is a do-not-call request to that seller, which ends an
 * existing relationship's exception too).
 */
function exceptionRecord(ex: ConsentException, facts: ConsentFact[], seller: string, purpose: Purpose, now: number): ConsentFact | null {
  for (const f of facts) {
    if (!ex.kinds.includes(f.kind) || !given(f, now) || revoked(f, now) || !matchesSeller(f, seller)) continue;
    if (ex.samePurpose && !matchesPurpose(f, purpose)) continue;
    if (ex.maxAgeDays !== undefined && now - f.givenAt! > ex.maxAgeDays * DAY) continue;
    if (facts.some((r) => revoked(r, now) && matchesSeller(r, seller) && r.revokedAt! >= f.givenAt!)) continue;
    return f;
  }
  return null;
}

function lift(exceptions: readonly ConsentException[] | undefined, input: EvaluateInput, lifts: AppliedException['lifts'], rule: string): AppliedException | null {
  for (const ex of exceptions ?? []) {
    const f = exceptionRecord(ex, input.consent, input.seller, input.purpose, input.now);
    if (f) return { lifts, rule, kind: f.kind, source: ex.source };
  }
  return null;
}

function isRestricted(pack: RulePack, e164: string): string | null {
  for (const r of pack.restricted) {
    for (const n of r.numbers) {
      if (n.endsWith('*') ? e164.startsWith(n.slice(0, -1)) : e164 === n) return r.id;
    }
  }
  return null;
}

/** The text the audit log keeps for an allow through exceptions, e.g. "allowed: consent lifts dnc-registry". */
export function allowReason(exceptions: readonly AppliedException[]): string {
  return `allowed: ${exceptions.map((e) => `${e.kind === 'existing-relationship' ? 'existing-relationship' : 'consent'} lifts ${e.lifts}`).join('; ')}`;
}

/** The decision for one call. A definition is resolved at `input.now` (the rules in force at the instant of the call). */
export function evaluate(p: RulePack | PackDefinition, input: EvaluateInput): Verdict {
  const pack = 'version' in p ? p : packAt(p, input.now);
  const v = pack.version;
  const { purpose, lineType, now } = input;
  const block = (reason: ReasonCode, rule?: string): Verdict => ({ allow: false, reason, packVersion: v, ...(rule ? { rule } : {}) });
  if (input.zones.length === 0) return block('no-timezone');
  const restricted = isRestricted(pack, input.e164);
  if (restricted) return block('restricted-number', restricted);
  // The box's own list (opt-outs included) wins over everything, consent and emergency alike.
  if (input.dnc.internal) return block('dnc-internal');
  if (pack.exemptPurposes.includes(purpose)) return { allow: true, packVersion: v };

  const exceptions: AppliedException[] = [];
  for (const reg of pack.registries) {
    if (!inScope(reg, purpose, lineType) || !input.dnc.registries.includes(reg.name)) continue;
    const ex = lift(reg.liftedBy, input, 'dnc-registry', reg.name);
    if (!ex) return block('dnc-registry', reg.name);
    exceptions.push(ex);
  }
  for (const rule of pack.consent) {
    if (!inScope(rule, purpose, lineType)) continue;
    const c = validConsent(input.consent, rule.match, rule.kinds, input.seller, purpose, now);
    if (c === 'valid') continue;
    const ex = c === 'none' ? lift(rule.liftedBy, input, 'no-consent', rule.id) : null;
    if (!ex) return block(c === 'revoked' ? 'consent-revoked' : 'no-consent', rule.id);
    exceptions.push(ex);
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
  const hasPrior = (): boolean => validConsent(input.consent, 'prior', ['written', 'express'], input.seller, purpose, now) === 'valid';
  for (const cap of pack.caps) {
    if (!inScope(cap, purpose, lineType)) continue;
    if (cap.unlessConsent && hasPrior()) continue;
    const period = cap.periodDays * DAY;
    const counted = cap.counts === 'connected' && input.history.connected ? input.history.connected : input.history.attempts;
    const within = counted.filter((t) => t > now - period && t <= now).sort((a, b) => a - b);
    if (within.length >= cap.max) {
      if (!reason) [reason, rule] = ['frequency-cap', cap.id];
      at = Math.max(at, within[within.length - cap.max]! + period);
    }
  }
  const heldUntil = reason ? at : undefined;
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
  if (!reason) return { allow: true, packVersion: v, ...(exceptions.length > 0 ? { exceptions } : {}) };
  return { allow: false, reason, packVersion: v, retryAt: at, ...(heldUntil !== undefined ? { heldUntil } : {}), ...(rule ? { rule } : {}) };
}

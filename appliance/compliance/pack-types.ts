// The shape of a rule pack. A pack is written once as a definition whose rules carry the dates they
// are law (`inForce`); `packAt()` (packs.ts) resolves the definition at an instant into the rules in
// force then, with a version that names that edition. Every rule names the text and article it comes
// from (`source`); SOURCES.md says in words what each rule takes from its text.
import type { DailyWindow, Purpose } from '../campaigns/model.ts';

export type PackId = 'us' | 'ca' | 'fr' | 'uk' | 'none';
export type LineType = 'mobile' | 'fixed' | 'voip' | 'unknown';

/**
 * What a consent record is in law, whatever the way it was collected:
 * - `written`: signed agreement (on paper or electronically: E-SIGN, a web form with a signature step),
 *   naming the seller and the number (the US "prior express written consent");
 * - `express`: an explicit, unambiguous agreement, oral or in writing (a keypress, a recorded call);
 * - `existing-relationship`: not a consent but the proof of a business relationship with the seller
 *   (a purchase, a contract in progress), which some laws accept in place of a consent for some rules.
 */
export type ConsentKind = 'written' | 'express' | 'existing-relationship';
export const CONSENT_KINDS: readonly ConsentKind[] = ['written', 'express', 'existing-relationship'];

/** When a rule is law: `from` inclusive, `until` exclusive, both 'YYYY-MM-DD' at 00:00 in the pack's legal zone. */
export interface InForce {
  from?: string;
  until?: string;
}

/** Which calls a rule governs. Absent lists mean "all". 'unknown' and 'voip' lines match every line type rule. */
export interface Scope {
  purposes?: Purpose[];
  lineTypes?: Array<'mobile' | 'fixed'>;
}

interface Dated {
  inForce?: InForce;
  /** The text and article the rule comes from (a citation a person can look up). */
  source: string;
}

/**
 * A record that lifts a rule for one call: one of `kinds`, given to the campaign's seller (always), for
 * the call's purpose when `samePurpose`, not revoked, and not older than `maxAgeDays` when set. A
 * revocation to that seller, or the number on the box's own do-not-call list, always wins over it.
 */
export interface ConsentException {
  kinds: ConsentKind[];
  samePurpose: boolean;
  maxAgeDays?: number;
  source: string;
}

export interface WindowRule extends Scope, Dated {
  id: string;
  windows: DailyWindow[];
  /** No calls on the callee's public holidays (calendar chosen per time zone). */
  noPublicHolidays: boolean;
  /** False when the pack states a conservative default rather than a statutory rule. */
  statutory: boolean;
}

export interface CapRule extends Scope, Dated {
  id: string;
  max: number;
  periodDays: number;
  /**
   * What the text counts: `attempts` (every call placed, answered or not: ringing unanswered, busy,
   * declined) or `connected` (answered calls only). Trunk failures (the callee's phone never rang)
   * and calls the gate blocked are never counted.
   */
  counts: 'attempts' | 'connected';
  /** The cap only governs calls made without a valid consent (exempt calls). */
  unlessConsent?: boolean;
}

export interface RefusalRule extends Scope, Dated {
  id: string;
  /** No call to a number within this many days after it refused one (outcome declined or opted-out). */
  days: number;
}

export interface ConsentRule extends Scope, Dated {
  id: string;
  /** 'seller-purpose': a consent for this seller and this purpose; 'prior': any consent of the number for this seller (or for no seller named). */
  match: 'seller-purpose' | 'prior';
  /** Which kinds of consent satisfy the rule. */
  kinds: ConsentKind[];
  /** Records that stand in for the consent (e.g. a contract in progress); absent: none. */
  liftedBy?: ConsentException[];
}

export interface RegistryRule extends Scope, Dated {
  /** Registry name; an imported copy carries the same name. */
  name: string;
  /** While the rule is in force, a campaign needs a copy at most this old (at its start and at each call). */
  maxAgeDays: number;
  /** Records that allow a call to a number on the registry (empty: nothing does). */
  liftedBy: ConsentException[];
}

export interface RestrictedRule extends Dated {
  id: string;
  /** E.164 numbers or prefixes (a trailing '*' marks a prefix). */
  numbers: string[];
}

export interface RevocationRule extends Dated {
  id: string;
  /** The latest a revocation may be honoured (the box applies it at once; the deadline is kept as proof). */
  deadline: { days: number; businessDays: boolean };
  /**
   * What a revocation given for one purpose withdraws: `purpose` only that purpose's consents of the
   * seller; `seller` every consent given to that seller (the US "revoke all" rule). A revocation that
   * names no purpose always withdraws every consent to the seller.
   */
  scope: 'purpose' | 'seller';
}

export interface CallerIdRule {
  /** The presented number must be a valid, dialable number (never withheld). */
  mustBeValid: boolean;
  /** Only numbers starting with one of these E.164 prefixes may be presented for these purposes. */
  ranges?: Scope & { prefixes: string[] };
  /** Never present numbers starting with these prefixes. */
  forbiddenPrefixes: string[];
  source: string;
}

export interface ScriptRule {
  /** The caller's identity opens the message. */
  identificationAtStart: boolean;
  /** A number the callee can call back is given in the message. */
  callbackNumber: boolean;
  /** An opt-out key is offered, at most this long after the identification ends (null: no delay set). */
  optOut: boolean;
  optOutWithinMs: number | null;
  /** The voicemail variant carries identification and the callback number too. */
  voicemailIdentification: boolean;
  source: string;
}

/** The rules of a pack as written, with their dates. */
export interface PackDefinition {
  id: PackId;
  name: string;
  /** The data's own revision: changes whenever a rule, a date or a source of the pack changes (reviewed like code). */
  revision: string;
  verified: boolean;
  /** The time zone in which the pack's dates begin (the legislator's). */
  legalZone: string;
  /** date-holidays country code for each time zone; `holidayDefault` for zones not listed. */
  holidayCalendars: Record<string, string>;
  holidayDefault: string | null;
  windows: WindowRule[];
  caps: CapRule[];
  refusal: RefusalRule[];
  consent: ConsentRule[];
  registries: RegistryRule[];
  restricted: RestrictedRule[];
  revocation: RevocationRule[];
  /** Purposes exempt from windows, caps, consent and registries (never from restricted numbers or opt-outs). */
  exemptPurposes: Purpose[];
  /** How long an internal do-not-call entry must be kept, in days. */
  internalDncRetentionDays: number;
  callerId: CallerIdRule;
  script: ScriptRule;
}

/** The rules of a pack in force during one edition (between two dated changes). */
export interface RulePack extends Omit<PackDefinition, 'revocation'> {
  /** `<revision>@<first day of the edition>` (or `@before-<first dated change>`): stamped on every attempt. */
  version: string;
  /** The edition's first and last-excluded days ('YYYY-MM-DD' in the legal zone); null when open-ended. */
  edition: { from: string | null; until: string | null };
  /** The revocation rule in force (none: revocations take effect at once, no deadline beyond that). */
  revocation: RevocationRule | null;
}

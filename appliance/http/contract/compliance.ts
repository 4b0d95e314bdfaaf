// Compliance: the rule packs as in force (every rule with its source), the preflight and start check of a
// campaign, the do-not-call list, registry copies, consents, caller IDs and the audit log. The domain
// (appliance/compliance/pack-types.ts, campaign-start.ts, preflight.ts, script-check.ts) takes its
// shapes from here.
import { DailyWindow, PackId, Purpose, PURPOSES } from './common.ts';
import { Counts, Nullable, StringEnum, Type, type Static } from './kit.ts';

const str = Type.String();
const source = Type.String({ description: 'the text and article the rule comes from (a citation a person can look up)' });

export const CONSENT_KINDS = ['written', 'express', 'existing-relationship'] as const;
/**
 * What a consent record is in law: `written` (signed, naming the seller and the number), `express` (an
 * explicit agreement, oral or in writing), `existing-relationship` (the proof of a business relationship).
 */
export type ConsentKind = (typeof CONSENT_KINDS)[number];
export const ConsentKind = StringEnum(CONSENT_KINDS);

/** When a rule is law: `from` inclusive, `until` exclusive, both 'YYYY-MM-DD' at 00:00 in the pack's legal zone. */
export const InForce = Type.Object({ from: Type.Optional(str), until: Type.Optional(str) });
export type InForce = Static<typeof InForce>;

/** Which calls a rule governs. Absent lists mean "all". */
const scopeFields = {
  purposes: Type.Optional(Type.Array(Purpose)),
  lineTypes: Type.Optional(Type.Array(StringEnum(['mobile', 'fixed'] as const))),
};
export const Scope = Type.Object(scopeFields);
export type Scope = Static<typeof Scope>;
const dated = { inForce: Type.Optional(InForce), source };

/** A record that lifts a rule for one call (see pack-types.ts). */
export const ConsentException = Type.Object({ kinds: Type.Array(ConsentKind), samePurpose: Type.Boolean(), maxAgeDays: Type.Optional(Type.Integer()), source });
export type ConsentException = Static<typeof ConsentException>;

export const WindowRule = Type.Object({
  ...scopeFields, ...dated, id: str, windows: Type.Array(DailyWindow),
  noPublicHolidays: Type.Boolean({ description: 'no calls on the callee\'s public holidays' }),
  statutory: Type.Boolean({ description: 'false when the pack states a conservative default rather than a statutory rule' }),
});
export type WindowRule = Static<typeof WindowRule>;

export const CapRule = Type.Object({
  ...scopeFields, ...dated, id: str, max: Type.Integer(), periodDays: Type.Integer(),
  counts: StringEnum(['attempts', 'connected'] as const, { description: 'what the text counts: every call placed, or answered calls only' }),
  unlessConsent: Type.Optional(Type.Boolean({ description: 'the cap only governs calls made without a valid consent' })),
});
export type CapRule = Static<typeof CapRule>;

export const RefusalRule = Type.Object({ ...scopeFields, ...dated, id: str, days: Type.Integer({ description: 'no call to a number within this many days after it refused one' }) });
export type RefusalRule = Static<typeof RefusalRule>;

export const ConsentRule = Type.Object({
  ...scopeFields, ...dated, id: str,
  match: StringEnum(['seller-purpose', 'prior'] as const),
  kinds: Type.Array(ConsentKind),
  liftedBy: Type.Optional(Type.Array(ConsentException)),
});
export type ConsentRule = Static<typeof ConsentRule>;

export const RegistryRule = Type.Object({
  ...scopeFields, ...dated,
  name: Type.String({ description: 'registry name; an imported copy carries the same name' }),
  maxAgeDays: Type.Integer({ description: 'a campaign needs a copy at most this old' }),
  liftedBy: Type.Array(ConsentException),
});
export type RegistryRule = Static<typeof RegistryRule>;

export const RestrictedRule = Type.Object({ ...dated, id: str, numbers: Type.Array(str, { description: 'E.164 numbers or prefixes (a trailing * marks a prefix)' }) });
export type RestrictedRule = Static<typeof RestrictedRule>;

export const RevocationRule = Type.Object({
  ...dated, id: str,
  deadline: Type.Object({ days: Type.Integer(), businessDays: Type.Boolean() }),
  scope: StringEnum(['purpose', 'seller'] as const, { description: 'what a revocation given for one purpose withdraws' }),
});
export type RevocationRule = Static<typeof RevocationRule>;

export const CallerIdRule = Type.Object({
  mustBeValid: Type.Boolean(),
  ranges: Type.Optional(Type.Object({ ...scopeFields, prefixes: Type.Array(str) })),
  forbiddenPrefixes: Type.Array(str),
  source,
});
export type CallerIdRule = Static<typeof CallerIdRule>;

export const ScriptRule = Type.Object({
  identificationAtStart: Type.Boolean({ description: 'the caller\'s identity opens the message' }),
  callbackNumber: Type.Boolean({ description: 'a number the callee can call back is given in the message' }),
  optOut: Type.Boolean(),
  optOutWithinMs: Nullable(Type.Integer(), { description: 'an opt-out key is offered at most this long after the identification ends' }),
  voicemailIdentification: Type.Boolean(),
  source,
});
export type ScriptRule = Static<typeof ScriptRule>;

const packFields = {
  id: PackId,
  name: str,
  revision: Type.String({ description: 'the data\'s own revision' }),
  verified: Type.Boolean(),
  legalZone: Type.String({ description: 'the time zone in which the pack\'s dates begin' }),
  holidayCalendars: Type.Record(Type.String(), Type.String()),
  holidayDefault: Nullable(str),
  windows: Type.Array(WindowRule),
  caps: Type.Array(CapRule),
  refusal: Type.Array(RefusalRule),
  consent: Type.Array(ConsentRule),
  registries: Type.Array(RegistryRule),
  restricted: Type.Array(RestrictedRule),
  exemptPurposes: Type.Array(Purpose, { description: 'purposes exempt from windows, caps, consent and registries' }),
  internalDncRetentionDays: Type.Integer(),
  callerId: CallerIdRule,
  script: ScriptRule,
};

/** The rules of a pack as written, with their dates. */
export const PackDefinition = Type.Object({ ...packFields, revocation: Type.Array(RevocationRule) });
export type PackDefinition = Static<typeof PackDefinition>;

const rulePackFields = {
  ...packFields,
  version: Type.String({ description: '<revision>@<first day of the edition>: stamped on every attempt' }),
  edition: Type.Object({ from: Nullable(str), until: Nullable(str) }),
  revocation: Nullable(RevocationRule),
};
/** The rules of a pack in force during one edition (between two dated changes). */
export const RulePack = Type.Object(rulePackFields);
export type RulePack = Static<typeof RulePack>;

export const RULE_LISTS = ['windows', 'caps', 'refusal', 'consent', 'registries', 'restricted', 'revocation'] as const;
export type RuleList = (typeof RULE_LISTS)[number];

export const RuleChange = Type.Object({ list: StringEnum(RULE_LISTS), id: str, source });
export type RuleChange = Static<typeof RuleChange>;

export const KnownChange = Type.Object({
  date: str,
  at: Type.Integer({ description: 'the first instant of the day in the pack\'s legal zone' }),
  starts: Type.Array(RuleChange),
  ends: Type.Array(RuleChange),
  version: Type.String({ description: 'the version in force from that day' }),
});
export type KnownChange = Static<typeof KnownChange>;

/** What the compliance page shows of a pack: the rules in force now, since when, and the next known change. */
export const PackSummary = Type.Object({ ...rulePackFields, previousChange: Nullable(KnownChange), nextChange: Nullable(KnownChange), changes: Type.Array(KnownChange) });
export type PackSummary = Static<typeof PackSummary>;

export const PacksReply = Type.Object({ current: Nullable(PackId), at: str, packs: Type.Array(PackSummary) });
export type PacksReply = Static<typeof PacksReply>;

/** Where the message carries what the pack requires; declared by staff (recordings cannot be read). */
export const ScriptDeclaration = Type.Object({
  identificationEndsMs: Nullable(Type.Integer(), { description: 'when the identification of the caller ends, ms from the start; null when the message does not open with it' }),
  callbackNumber: Nullable(str),
  optOutAnnouncedMs: Nullable(Type.Integer(), { description: 'when the opt-out key is announced, ms from the start; null when it is not' }),
  voicemail: Nullable(Type.Object({ identification: Type.Boolean(), callbackNumber: Nullable(str) })),
});
export type ScriptDeclaration = Static<typeof ScriptDeclaration>;

export const CALLER_ID_PROBLEMS = ['caller-id-invalid', 'caller-id-unverified', 'caller-id-range', 'caller-id-forbidden'] as const;
export const SCRIPT_PROBLEMS = ['script-identification', 'script-callback', 'script-opt-out', 'script-opt-out-late', 'script-voicemail'] as const;
export const START_PROBLEMS = ['no-compliance-pack', 'registry-missing', 'registry-stale', ...CALLER_ID_PROBLEMS, ...SCRIPT_PROBLEMS] as const;
export type CallerIdProblemCode = (typeof CALLER_ID_PROBLEMS)[number];
export type ScriptProblemCode = (typeof SCRIPT_PROBLEMS)[number];
export type StartProblemCode = (typeof START_PROBLEMS)[number];

/** One reason not to start: `message` in the box's English, and the details a page words it from in its own language. */
export const StartProblem = Type.Object({
  code: StringEnum(START_PROBLEMS),
  message: str,
  blocking: Type.Boolean({ description: 'false: shown only (caller-ID and script problems of a sandbox-only campaign)' }),
  pack: Type.Optional(PackId),
  packVersion: Type.Optional(Type.String({ description: 'the version of the pack in force at the instant of the check' })),
  purpose: Type.Optional(Purpose),
  registry: Type.Optional(str),
  ageDays: Type.Optional(Type.Integer({ description: 'registry-stale: whole days since the copy was downloaded' })),
  maxAgeDays: Type.Optional(Type.Integer()),
  callerId: Type.Optional(str),
  listed: Type.Optional(Type.Boolean({ description: 'caller-id-unverified: false when the number is not one of the box caller IDs' })),
  allowedPrefixes: Type.Optional(Type.Array(str)),
  forbiddenPrefix: Type.Optional(str),
  withinSec: Type.Optional(Type.Number()),
  scriptDeclared: Type.Optional(Type.Boolean({ description: 'script-*: false when the campaign declares nothing about its message' })),
});
export type StartProblem = Static<typeof StartProblem>;

export const StartCheck = Type.Object({ ok: Type.Boolean({ description: 'true when no problem blocks the start' }), problems: Type.Array(StartProblem) });
export type StartCheck = Static<typeof StartCheck>;

/** A contact held back by a cap or a cooling-off: which rule, until when, and the next lawful call. */
export const HeldContact = Type.Object({
  contactId: Type.Integer(),
  e164: str,
  reason: StringEnum(['frequency-cap', 'refusal-cooldown'] as const),
  rule: str,
  until: Type.String({ description: 'when the cap or cooling-off lifts' }),
  nextCallAt: Type.String({ description: 'the first lawful call (the window may push it later)' }),
});
export type HeldContact = Static<typeof HeldContact>;

export const PreflightReport = Type.Object({
  campaignId: Type.Integer(),
  campaign: str,
  pack: Nullable(PackId),
  packVersion: Nullable(str),
  purpose: str,
  contacts: Type.Integer(),
  callable: Type.Integer({ description: 'would be called: now or once a window opens or a cap clears' }),
  callableNow: Type.Integer(),
  deferred: Counts,
  blocked: Counts,
  held: Type.Array(HeldContact, { description: 'contacts held by a frequency cap or a cooling-off (counted from the attempts of every campaign), soonest lifted first; at most 500' }),
  heldTotal: Type.Integer(),
  startProblems: Type.Array(StartProblem, { description: 'reasons the campaign may not start at all' }),
  at: str,
  durationMs: Type.Integer(),
});
export type PreflightReport = Static<typeof PreflightReport>;

// The do-not-call list and registry copies.
const numberFields = {
  number: Type.String({ minLength: 3, maxLength: 40, description: 'E.164, or a national number of the box country' }),
  country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
};
export const DncPageQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }), offset: Type.Integer({ minimum: 0, default: 0 }) });
export const Suppression = Type.Object({
  numberHash: str,
  source: StringEnum(['keypress', 'staff', 'fleet', 'import'] as const),
  reason: Nullable(str),
  campaignId: Nullable(Type.Integer()),
  digit: Nullable(str),
  actor: Nullable(str),
  createdAt: Type.Integer(),
});
export type Suppression = Static<typeof Suppression>;
export const DncPage = Type.Object({ total: Type.Integer(), entries: Type.Array(Suppression) });
export type DncPage = Static<typeof DncPage>;
export const DncAddBody = Type.Object({ ...numberFields, reason: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });
export type DncAddBody = Static<typeof DncAddBody>;
export const DncAddReply = Type.Object({ numberHash: str, added: Type.Boolean() });
export const DncRemoveBody = Type.Object({ ...numberFields, reason: Type.String({ minLength: 3, maxLength: 200 }) }, { additionalProperties: false });
export type DncRemoveBody = Static<typeof DncRemoveBody>;
export const DncRemoveReply = Type.Object({ removed: Type.Boolean() });
export const DncImportBody = Type.Object({ text: str, country: numberFields.country, reason: Type.String({ minLength: 3, maxLength: 200 }) }, { additionalProperties: false });
export type DncImportBody = Static<typeof DncImportBody>;
export const DncImportReply = Type.Object({
  added: Type.Integer(), read: Type.Integer(),
  rejected: Type.Array(Type.Object({ line: Type.Integer({ description: '1-based' }), text: str }), { description: 'lines that held something but no number (at most 1000)' }),
});
export type DncImportReply = Static<typeof DncImportReply>;

export const RegistryCopy = Type.Object({ name: str, downloadedAt: Type.Integer(), importedAt: Type.Integer(), entries: Type.Integer(), file: Nullable(str) });
export type RegistryCopy = Static<typeof RegistryCopy>;
export const RegistryParams = Type.Object({ name: Type.String({ pattern: '^[a-z0-9-]{2,40}$' }) });
export const RegistryBody = Type.Object({ text: str, downloadedAt: Type.String({ format: 'date-time' }), country: numberFields.country }, { additionalProperties: false });
export type RegistryBody = Static<typeof RegistryBody>;
export const RegistryReply = Type.Object({ entries: Type.Integer(), rejected: Type.Integer() });

// Consents.
export const CONSENT_METHODS = ['form', 'keypress', 'recording', 'written', 'import'] as const;
export type ConsentMethod = (typeof CONSENT_METHODS)[number];
export const ConsentBody = Type.Object({
  ...numberFields,
  seller: Type.String({ minLength: 1, maxLength: 200 }),
  purpose: StringEnum(['any', ...PURPOSES] as const),
  method: StringEnum(CONSENT_METHODS),
  kind: Type.Optional(StringEnum(CONSENT_KINDS, { description: 'written (signed), express (explicit, oral or written), existing-relationship (a purchase or contract in progress); default: written for method "written", else express' })),
  givenAt: Type.String({ format: 'date-time' }),
  disclosureText: Type.String({ minLength: 1, maxLength: 5000 }),
  disclosureVersion: Type.String({ minLength: 1, maxLength: 50 }),
  source: Type.String({ minLength: 1, maxLength: 500 }),
  collector: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false });
export type ConsentBody = Static<typeof ConsentBody>;
export const ConsentQuery = Type.Object(numberFields);
export const ConsentRecord = Type.Object({
  id: Type.Integer(), numberHash: str, seller: str, purpose: str, method: StringEnum(CONSENT_METHODS), kind: ConsentKind,
  givenAt: Type.Integer(), disclosureText: str, disclosureVersion: str, source: str, collector: Type.Optional(Nullable(str)),
  recordedAt: Type.Integer(), revokedAt: Nullable(Type.Integer()), revocationChannel: Nullable(str), revocationDeadline: Nullable(Type.Integer()),
});
export type ConsentRecord = Static<typeof ConsentRecord>;
export const RevokeBody = Type.Object({ ...numberFields, seller: Type.Optional(str), purpose: Type.Optional(Purpose), channel: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
export type RevokeBody = Static<typeof RevokeBody>;
export const RevokeReply = Type.Object({ revoked: Type.Integer(), deadline: str, scope: StringEnum(['purpose', 'seller'] as const) });
export type RevokeReply = Static<typeof RevokeReply>;

// The audit log.
export const AuditQuery = Type.Object({ after: Type.Integer({ minimum: 0, default: 0 }), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) });
export const AuditEntry = Type.Object({
  seq: Type.Integer(), at: Type.Integer(), actor: str, action: str, subject: Nullable(str),
  details: Type.Record(Type.String(), Type.Unknown()), hash: str,
});
export type AuditEntry = Static<typeof AuditEntry>;
const auditHead = Nullable(Type.Object({ seq: Type.Integer(), hash: str }));
export const AuditVerification = Type.Object({
  ok: Type.Boolean(), entries: Type.Integer(), head: Nullable(str),
  problems: Type.Array(Type.Object({ seq: Type.Integer(), problem: str, detail: Type.Optional(str) })),
  keyedFrom: Nullable(Type.Integer(), { description: 'first keyed entry; entries before it were written before the log was keyed' }),
  unkeyed: Type.Integer(),
  anchors: Type.Object({ acknowledged: auditHead, fleet: auditHead }, { description: 'the heads the chain was checked against' }),
});
export type AuditVerification = Static<typeof AuditVerification>;

// Caller IDs and their verification calls.
export const E164_PATTERN = '^\\+[1-9]\\d{6,14}$';
export const CallerIdParams = Type.Object({ number: Type.String({ pattern: E164_PATTERN, description: 'E.164; the + may be sent as %2B' }) });
/** The settings pack's check of one caller ID: a start problem that says nothing of blocking (no campaign is asked about). */
export const CallerIdCheck = Type.Composite([Type.Omit(StartProblem, ['blocking']), Type.Object({ blocking: Type.Optional(Type.Boolean()) })]);
export type CallerIdCheck = Static<typeof CallerIdCheck>;
export const CallerId = Type.Object({
  number: str, label: str, verified: Type.Boolean(),
  problems: Type.Optional(Type.Array(CallerIdCheck, { description: 'the settings pack\'s caller-ID checks (dialable, forbidden ranges), besides verification' })),
});
export type CallerId = Static<typeof CallerId>;
export const CallerIdBody = Type.Object({
  number: Type.String({ minLength: 3, maxLength: 40, description: 'E.164, or a national number of the box country' }),
  label: Type.String({ minLength: 1, maxLength: 100 }),
  country: numberFields.country,
}, { additionalProperties: false });
export const CallerIdLabelBody = Type.Object({ label: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
export const VerifyBody = Type.Object({ trunk: Type.Optional(Type.String({ description: 'default: the default trunk' })) }, { additionalProperties: false });
export const VERIFICATION_STATES = ['calling', 'waiting-for-code', 'verified', 'failed', 'expired'] as const;
export const VERIFICATION_REASONS = ['busy', 'no-answer', 'declined', 'invalid-number', 'trunk-failure', 'hung-up', 'no-code', 'wrong-code', 'removed', 'superseded', 'stopped', 'error'] as const;
export const Verification = Type.Object({
  id: str, number: str,
  code: Type.String({ description: 'show it to the person who answers; they type it on the keypad' }),
  state: StringEnum(VERIFICATION_STATES),
  reason: Nullable(StringEnum(VERIFICATION_REASONS)),
  wrongCodes: Type.Integer(), startedAt: str, expiresAt: str, endedAt: Nullable(str),
});
export type Verification = Static<typeof Verification>;
export const VerificationParams = Type.Object({ number: CallerIdParams.properties.number, id: Type.String({ format: 'uuid' }) });

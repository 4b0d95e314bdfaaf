// Rule packs as data: one per jurisdiction, each rule with its parameters and the text it comes from.
// Parameters follow /work/shared/COMPLIANCE.md (late 2026); `verified: false` until a lawyer checks
// each against the official text. Purpose x line type select the rules that apply to a call.
import type { DailyWindow, Purpose } from '../campaigns/model.ts';

export type PackId = 'us' | 'ca' | 'fr' | 'uk' | 'none';
export const PACK_IDS: PackId[] = ['us', 'ca', 'fr', 'uk', 'none'];
export type LineType = 'mobile' | 'fixed' | 'voip' | 'unknown';

/** Which calls a rule governs. Absent lists mean "all". 'unknown' and 'voip' lines match every line type rule. */
export interface Scope {
  purposes?: Purpose[];
  lineTypes?: Array<'mobile' | 'fixed'>;
}

export interface WindowRule extends Scope {
  id: string;
  windows: DailyWindow[];
  /** No calls on the callee's public holidays (calendar chosen per time zone). */
  noPublicHolidays: boolean;
  /** False when the pack states a conservative default rather than a statutory rule. */
  statutory: boolean;
  source: string;
}

export interface CapRule extends Scope {
  id: string;
  max: number;
  periodDays: number;
  /** The cap only governs calls made without a valid consent (exempt calls). */
  unlessConsent?: boolean;
  source: string;
}

export interface RefusalRule extends Scope {
  id: string;
  /** No call to a number within this many days after it refused one (outcome declined or opted-out). */
  days: number;
  source: string;
}

export interface ConsentRule extends Scope {
  id: string;
  /** 'seller-purpose': a consent for this seller and this purpose; 'prior': any unrevoked consent of the number for this seller. */
  kind: 'seller-purpose' | 'prior';
  source: string;
}

export interface RegistryRule extends Scope {
  /** Registry name; an imported copy carries the same name. */
  name: string;
  /** A campaign refuses to start when the copy is older than this. */
  maxAgeDays: number;
  source: string;
}

export interface RestrictedRule {
  id: string;
  /** E.164 numbers or prefixes (a trailing '*' marks a prefix). */
  numbers: string[];
  source: string;
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

export interface RulePack {
  id: PackId;
  name: string;
  version: string;
  verified: boolean;
  /** date-holidays country code for each time zone; `holidayDefault` for zones not listed. */
  holidayCalendars: Record<string, string>;
  holidayDefault: string | null;
  windows: WindowRule[];
  caps: CapRule[];
  refusal: RefusalRule[];
  consent: ConsentRule[];
  registries: RegistryRule[];
  restricted: RestrictedRule[];
  /** Purposes exempt from windows, caps, consent and registries (never from restricted numbers or opt-outs). */
  exemptPurposes: Purpose[];
  /** Days within which a consent revocation must be honoured (recorded as the deadline; applied at once). */
  revocationDays: number;
  /** How long an internal do-not-call entry must be kept, in days. */
  internalDncRetentionDays: number;
  callerId: CallerIdRule;
  script: ScriptRule;
}

const WEEKDAYS = [1, 2, 3, 4, 5];
const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];
const NON_EMERGENCY: Purpose[] = ['informational', 'transactional', 'healthcare', 'political', 'marketing'];

const US: RulePack = {
  id: 'us', name: 'United States (TCPA / FCC)', version: 'us-2026.11-1', verified: false,
  holidayCalendars: {}, holidayDefault: null,
  windows: [{ id: 'us-hours', purposes: NON_EMERGENCY, windows: [{ days: ALL_DAYS, from: '08:00', to: '21:00' }], noPublicHolidays: false, statutory: true, source: '47 CFR 64.1200(c)(1): 8 a.m. to 9 p.m. callee local time' }],
  caps: [
    { id: 'us-exempt-3-per-30', purposes: ['informational', 'transactional', 'political'], lineTypes: ['fixed'], max: 3, periodDays: 30, unlessConsent: true, source: '47 CFR 64.1200(a)(3)(ii)-(v): exempt prerecorded calls to residential lines, at most 3 per rolling 30 days' },
    { id: 'us-hipaa-1-per-day', purposes: ['healthcare'], max: 1, periodDays: 1, source: '47 CFR 64.1200(a)(3)(v): HIPAA healthcare calls, at most 1 per day' },
    { id: 'us-hipaa-3-per-week', purposes: ['healthcare'], max: 3, periodDays: 7, source: '47 CFR 64.1200(a)(3)(v): HIPAA healthcare calls, at most 3 per week' },
  ],
  refusal: [],
  consent: [
    { id: 'us-pewc-marketing', purposes: ['marketing'], kind: 'seller-purpose', source: '47 CFR 64.1200(a)(2)-(3): prior express written consent for prerecorded telemarketing' },
    { id: 'us-wireless-prior-consent', purposes: ['informational', 'transactional', 'political'], lineTypes: ['mobile'], kind: 'prior', source: '47 U.S.C. 227(b)(1)(A)(iii); 47 CFR 64.1200(a)(1): prior express consent for prerecorded calls to wireless numbers' },
  ],
  registries: [{ name: 'us-national-dnc', purposes: ['marketing'], maxAgeDays: 31, source: '47 CFR 64.1200(c)(2)(i)(D); 16 CFR 310.4(b)(3)(iv): scrub against a copy at most 31 days old' }],
  restricted: [{ id: 'us-emergency', numbers: ['+1911', '+1988', '+1800222122*'], source: '47 CFR 64.1200(a)(1)(i)-(ii): no prerecorded calls to emergency lines, hospital and health-care lines (911, 988 crisis line, poison control 1-800-222-1222)' }],
  exemptPurposes: ['emergency'],
  revocationDays: 14, // 10 business days (47 CFR 64.1200(a)(10), since 2025-04-11): 14 calendar days covers them
  internalDncRetentionDays: 5 * 365,
  callerId: { mustBeValid: true, forbiddenPrefixes: ['+1900', '+1976'], source: '47 CFR 64.1601(e), 64.1604 (Truth in Caller ID): transmit a number that can be called back to make a do-not-call request; no premium-rate numbers' },
  script: { identificationAtStart: true, callbackNumber: true, optOut: true, optOutWithinMs: 2000, voicemailIdentification: true, source: '47 CFR 64.1200(b): identity at the start, callback number, automated opt-out within 2 seconds of the identification; voicemail with a toll-free opt-out number' },
};

const CA: RulePack = {
  id: 'ca', name: 'Canada (CRTC Unsolicited Telecommunications Rules)', version: 'ca-2026.11-1', verified: false,
  holidayCalendars: {}, holidayDefault: null,
  windows: [{ id: 'ca-hours', purposes: NON_EMERGENCY, windows: [{ days: WEEKDAYS, from: '09:00', to: '21:30' }, { days: [6, 7], from: '10:00', to: '18:00' }], noPublicHolidays: false, statutory: true, source: 'CRTC UTR Part IV (ADAD) s.4(f): weekdays 9:00-21:30, weekends 10:00-18:00 callee local time' }],
  caps: [],
  refusal: [],
  consent: [{ id: 'ca-adad-solicitation', purposes: ['marketing'], kind: 'seller-purpose', source: 'CRTC UTR Part IV s.2: ADAD for solicitation requires express consent' }],
  registries: [{ name: 'ca-dncl', purposes: ['marketing'], maxAgeDays: 31, source: 'CRTC UTR Part II: National DNCL subscription, honoured within 31 days' }],
  restricted: [{ id: 'ca-emergency-health', numbers: ['+1911', '+1988', '+1811'], source: 'CRTC UTR Part IV s.4(d): no ADAD calls to emergency or health-care lines' }],
  exemptPurposes: ['emergency'],
  revocationDays: 14,
  internalDncRetentionDays: 3 * 365,
  callerId: { mustBeValid: true, forbiddenPrefixes: ['+1900', '+1976'], source: 'CRTC UTR Part IV s.4(e) and Part III: the number displayed must be one the called party can reach' },
  script: { identificationAtStart: true, callbackNumber: true, optOut: false, optOutWithinMs: null, voicemailIdentification: true, source: 'CRTC UTR Part IV s.4(b)-(c): open with on whose behalf the call is made, a brief purpose and contact details' },
};

const FR_ZONES: Record<string, string> = {
  'Europe/Paris': 'FR', 'America/Guadeloupe': 'GP', 'America/Martinique': 'MQ', 'Indian/Reunion': 'RE', 'America/Cayenne': 'GF',
  'Indian/Mayotte': 'YT', 'America/Miquelon': 'PM', 'America/St_Barthelemy': 'BL', 'America/Marigot': 'MF', 'Pacific/Noumea': 'NC', 'Pacific/Tahiti': 'PF',
};

const FR: RulePack = {
  id: 'fr', name: 'France (Code de la consommation, CPCE)', version: 'fr-2026.11-1', verified: false,
  holidayCalendars: FR_ZONES, holidayDefault: 'FR',
  windows: [{ id: 'fr-d223-9-hours', purposes: NON_EMERGENCY, windows: [{ days: WEEKDAYS, from: '10:00', to: '13:00' }, { days: WEEKDAYS, from: '14:00', to: '20:00' }], noPublicHolidays: true, statutory: true, source: 'Code de la consommation D.223-9 (décret 2022-1313, since 2023-03-01): Mon-Fri 10-13 and 14-20, not on public holidays' }],
  caps: [{ id: 'fr-d223-9-4-per-30', purposes: NON_EMERGENCY, max: 4, periodDays: 30, source: 'Code de la consommation D.223-9: at most 4 calls or attempts per consumer per 30 days per company' }],
  refusal: [{ id: 'fr-d223-9-refusal-60', purposes: NON_EMERGENCY, days: 60, source: 'Code de la consommation D.223-9: no new solicitation within 60 days after a refusal' }],
  consent: [{ id: 'fr-l34-5-automated', purposes: ['marketing', 'political'], kind: 'seller-purpose', source: 'CPCE L34-5: automated calling systems need prior consent (free, specific, informed, unambiguous)' }],
  registries: [{ name: 'fr-bloctel', purposes: ['marketing'], maxAgeDays: 30, source: 'Code de la consommation L223-1 and R223-5: Bloctel scrub at least monthly' }],
  restricted: [{ id: 'fr-emergency', numbers: ['+3315', '+3317', '+3318', '+33112', '+33114', '+33115', '+33119', '+33116*', '+333114'], source: 'CPCE D.98-8 (emergency numbers 15, 17, 18, 112, 114, 115, 119, 116xxx, 3114)' }],
  exemptPurposes: ['emergency'],
  revocationDays: 0,
  internalDncRetentionDays: 3 * 365, // CNIL: keep opposition data at least 3 years
  callerId: {
    mustBeValid: true,
    ranges: { purposes: ['marketing', 'political'], prefixes: ['+33162', '+33163', '+33270', '+33271', '+33377', '+33378', '+33424', '+33425', '+33568', '+33569', '+33948', '+33949'] },
    forbiddenPrefixes: ['+336', '+337', '+3389'],
    source: 'ARCEP décision 2022-1583: canvassing by automated systems from the dedicated ranges 0162, 0163, 0270, 0271, 0377, 0378, 0424, 0425, 0568, 0569, 0948, 0949; no mobile (06/07) numbers for automated calls; no premium 089',
  },
  script: { identificationAtStart: true, callbackNumber: true, optOut: true, optOutWithinMs: null, voicemailIdentification: true, source: 'Code de la consommation L221-16: identity of the professional and the commercial nature at the start; CNIL: a simple way to object in every message' },
};

const UK: RulePack = {
  id: 'uk', name: 'United Kingdom (PECR / Ofcom)', version: 'uk-2026.11-1', verified: false,
  holidayCalendars: {}, holidayDefault: null,
  windows: [{ id: 'uk-hours', purposes: NON_EMERGENCY, windows: [{ days: ALL_DAYS, from: '08:00', to: '21:00' }], noPublicHolidays: false, statutory: false, source: 'No statutory hours in PECR; conservative default (Ofcom persistent-misuse guidance, industry practice 08:00-21:00)' }],
  caps: [],
  refusal: [],
  consent: [{ id: 'uk-pecr-19', purposes: ['marketing', 'political'], kind: 'seller-purpose', source: 'PECR reg 19: automated marketing calls only with consent given to that caller (charities and parties included)' }],
  registries: [{ name: 'uk-tps', purposes: ['marketing'], maxAgeDays: 28, source: 'PECR reg 21/26: TPS/CTPS screening (ICO: screen within 28 days)' }],
  restricted: [{ id: 'uk-emergency', numbers: ['+44999', '+44112', '+44111', '+44116*'], source: 'Ofcom General Conditions A3: emergency (999, 112), NHS 111 and 116xxx helplines' }],
  exemptPurposes: ['emergency'],
  revocationDays: 0,
  internalDncRetentionDays: 3 * 365,
  callerId: { mustBeValid: true, forbiddenPrefixes: ['+449', '+4470'], source: 'Ofcom General Condition C6: a valid, dialable number that identifies the caller, never withheld; no premium (09) or personal (070) numbers' },
  script: { identificationAtStart: true, callbackNumber: true, optOut: true, optOutWithinMs: null, voicemailIdentification: true, source: 'PECR reg 24: the identity and an address or freephone number in every message' },
};

/** Permissive: only opt-outs and restricted numbers; chosen explicitly, never a default. */
const NONE: RulePack = {
  id: 'none', name: 'No jurisdiction (explicitly chosen; opt-outs only)', version: 'none-1', verified: true,
  holidayCalendars: {}, holidayDefault: null,
  windows: [], caps: [], refusal: [], consent: [], registries: [], restricted: [],
  exemptPurposes: [], revocationDays: 0, internalDncRetentionDays: 3 * 365,
  callerId: { mustBeValid: false, forbiddenPrefixes: [], source: 'no jurisdiction chosen' },
  script: { identificationAtStart: false, callbackNumber: false, optOut: true, optOutWithinMs: null, voicemailIdentification: false, source: 'the box always offers an opt-out key' },
};

export const PACKS: Record<PackId, RulePack> = { us: US, ca: CA, fr: FR, uk: UK, none: NONE };

export function isPackId(v: unknown): v is PackId {
  return typeof v === 'string' && (PACK_IDS as string[]).includes(v);
}

/** The pack for a setting; null when none was chosen (then nothing is dialled). */
export function getPack(id: PackId | null | undefined): RulePack | null {
  return id ? PACKS[id] : null;
}

/** Whether a rule's scope covers this call. Unknown and VoIP lines match both mobile and fixed rules (the stricter reading). */
export function inScope(scope: Scope, purpose: Purpose, lineType: LineType): boolean {
  if (scope.purposes && !scope.purposes.includes(purpose)) return false;
  if (scope.lineTypes && (lineType === 'mobile' || lineType === 'fixed') && !scope.lineTypes.includes(lineType)) return false;
  return true;
}

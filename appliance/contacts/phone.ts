// Phone numbers from a contact file → E.164 and line type, for one default country.
// Numbers a spreadsheet has mangled (scientific notation, a dropped leading 0, decimals) are refused
// with a reason that says so: the box never guesses which person a broken number was meant to reach.
import {
  parsePhoneNumberFromString, validatePhoneNumberLength, isSupportedCountry, type CountryCode, type NumberType,
} from 'libphonenumber-js/max';
import { AppError } from '../../core/errors.ts';
import { CompiledPlan, type NonNullNumberType } from './phone-plan.ts';
import type { LineType } from './types.ts';

/** Why a number is refused, as a stable code and its values: the web UI words it in its own language. */
export interface PhoneProblem { code: PhoneProblemCode; params: Record<string, string | number> }
export type PhoneProblemCode =
  | 'phone-empty' | 'phone-scientific' | 'phone-decimals' | 'phone-extension' | 'phone-letters' | 'phone-character'
  | 'phone-plus-inside' | 'phone-no-digits' | 'phone-lost-zero' | 'phone-premium' | 'phone-international-without-plus'
  | 'phone-too-short' | 'phone-too-long' | 'phone-wrong-length' | 'phone-unknown-country-code' | 'phone-not-a-number'
  | 'phone-invalid' | 'phone-invalid-national';

export type PhoneVerdict =
  | { ok: true; e164: string; lineType: LineType; callingCode: string }
  | ({ ok: false; reason: string; empty: boolean } & PhoneProblem);

/**
 * Regions that share one national dialling plan: from mainland France "0692 12 34 56" reaches a
 * Réunion mobile (+262 692…), and libphonenumber models those islands as separate regions.
 */
const SHARED_NATIONAL_PLANS: readonly (readonly CountryCode[])[] = [
  ['FR', 'RE', 'YT', 'GP', 'MQ', 'GF', 'PM', 'BL', 'MF'],
];

export interface Classified {
  e164: string;
  type: NonNullNumberType;
  callingCode: string;
}
export const INVALID = Symbol('invalid');

const GEOGRAPHIC: ReadonlySet<NumberType> = new Set(['FIXED_LINE', 'MOBILE', 'FIXED_LINE_OR_MOBILE']);

/** What the fast path reads: digits with spaces, dots, dashes, slashes or brackets, and a leading +. */
const FAST_SHAPE = /^\+?[0-9 .\-/()\u00a0\u202f]+$/;
const NON_DIGITS = /\D/g;

const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$/;
const DECIMALS = /^\+?\d{7,}[.,]\d{1,3}$/;
const EXTENSION = /(?:ext|extension|poste|x)\.?\s*:?\s*\d+\s*$/i;
const LETTER = /\p{L}/u;
const ALLOWED = /^[0-9+ .\-/()\u00a0\u202f\t]*$/;

export function lineTypeOf(t: NumberType): LineType {
  switch (t) {
    case 'MOBILE': return 'mobile';
    case 'FIXED_LINE': return 'fixed';
    case 'VOIP': return 'voip';
    // FIXED_LINE_OR_MOBILE (all of NANP): the plan cannot tell; compliance must assume it may be a mobile.
    default: return 'unknown';
  }
}

export function parseCountry(country: string): CountryCode {
  const cc = country.trim().toUpperCase();
  if (!isSupportedCountry(cc)) {
    throw new AppError('E_IMPORT_MAPPING', `unknown country "${country}": give a two-letter code such as FR or US`, { country });
  }
  return cc;
}

export class PhoneNormaliser {
  readonly country: CountryCode;
  private readonly plan: CompiledPlan;
  /** Regions tried, in order, for a number written in national format (see SHARED_NATIONAL_PLANS). */
  private readonly nationalOrder: readonly CountryCode[];
  private readonly nationalPlans: readonly CompiledPlan[];
  /** Regions whose every number type counts in national format; the others only lend fixed and mobile ranges. */
  private readonly anyType: ReadonlySet<CountryCode>;
  /** Numbers settled by the compiled fast path (for the bench). */
  fastHits = 0;

  constructor(country: string) {
    this.country = parseCountry(country);
    this.plan = new CompiledPlan(this.country);
    const group = SHARED_NATIONAL_PLANS.find((g) => g.includes(this.country));
    if (group) {
      // The overseas regions' ranges are more specific than the mainland's (which libphonenumber lets
      // overlap, e.g. 0596 Martinique), so the mainland comes last; a box's own region comes first.
      // Special ranges (08 toll-free and premium, 09 VoIP) are national and belong to the mainland.
      const hub = group[0];
      const rank = (c: CountryCode): number => (c === hub ? 2 : c === this.country ? 0 : 1);
      this.nationalOrder = [...group].sort((a, b) => rank(a) - rank(b));
      this.anyType = new Set([hub, this.country]);
    } else {
      this.nationalOrder = [this.country];
      this.anyType = new Set([this.country]);
    }
    this.nationalPlans = this.nationalOrder.map((c) => (c === this.country ? this.plan : new CompiledPlan(c)));
  }

  normalise(input: string): PhoneVerdict {
    const fast = this.fastPath(input);
    if (fast === INVALID) return this.explain(input.trim());
    if (fast) {
      if (fast.type === 'PREMIUM_RATE') return premium(fast.e164);
      this.fastHits++;
      return { ok: true, e164: fast.e164, lineType: lineTypeOf(fast.type), callingCode: fast.callingCode };
    }
    return this.slow(input);
  }

  /**
   * A number written the usual ways (+CC…, IDD CC…, national prefix…, or bare for plans whose prefix
   * is not 0), with spaces, dots, dashes, slashes or brackets: its classification, or INVALID when the
   * plans reject it. Null means "not sure": ask the library. Public for the test that holds it to
   * libphonenumber's own answers.
   */
  fastPath(raw: string): Classified | typeof INVALID | null {
    const plan = this.plan;
    if (!plan.fastPath || plan.nationalPrefix === null) return null;
    // Two native passes and one new string, rather than a loop that grows a string digit by digit.
    if (!FAST_SHAPE.test(raw)) return null;
    const plus = raw.charCodeAt(0) === 43;
    const digits = raw.replace(NON_DIGITS, '');
    const cc = plan.callingCode;
    const np = plan.nationalPrefix;
    let nsn: string;
    let own = true;
    if (plus) {
      if (!digits.startsWith(cc)) return null;
      nsn = digits.slice(cc.length);
    } else if (plan.idd !== null && digits.startsWith(plan.idd) && digits.startsWith(cc, plan.idd.length)) {
      nsn = digits.slice(plan.idd.length + cc.length);
    } else if (digits.startsWith(np)) {
      nsn = digits.slice(np.length);
      own = false;
    } else if (np !== '0') {
      nsn = digits;
      own = false;
    } else {
      return null; // no leading 0 where one is due: the slow path checks for a dropped zero
    }
    // "+33 (0)6…": the library strips a national prefix after the country code; let it.
    if (nsn.startsWith(np)) return null;
    // A number this plan rejects may belong to another region of a shared calling code: ask the library.
    const rejected = plan.sharedCallingCode ? null : INVALID;
    if (own) {
      const type = plan.typeOf(nsn);
      return type ? { e164: `+${cc}${nsn}`, type, callingCode: cc } : rejected;
    }
    return this.classifyNational(nsn) ?? rejected;
  }

  /** A national significant number through the compiled plans of this country and its plan-sharing regions. */
  private classifyNational(nsn: string): Classified | null {
    let fallback: Classified | null = null;
    for (const p of this.nationalPlans) {
      const type = p.typeOf(nsn);
      if (!type) continue;
      const hit = { e164: `+${p.callingCode}${nsn}`, type, callingCode: p.callingCode };
      if (this.anyType.has(p.country) || GEOGRAPHIC.has(type)) return hit;
      fallback ??= hit;
    }
    return fallback;
  }

  private slow(input: string): PhoneVerdict {
    // A leading apostrophe is how spreadsheets mark "keep as text"; it is not part of the number.
    const raw = input.trim().replace(/^'/, '').trim();
    if (raw === '') return { ok: false, reason: 'empty phone number', empty: true, code: 'phone-empty', params: {} };
    if (SCIENTIFIC.test(raw)) {
      return fail('phone-scientific', { value: raw }, `number in scientific notation (${raw}): the spreadsheet turned it into a number and may have lost digits; format the column as text and export again`);
    }
    if (DECIMALS.test(raw)) {
      return fail('phone-decimals', { value: raw }, `number with decimals (${raw}): the spreadsheet stored it as a number; format the column as text and export again`);
    }
    if (EXTENSION.test(raw) && /\d{6}/.test(raw.replace(/[^\d]/g, ''))) {
      return fail('phone-extension', { value: raw }, `has an extension (${raw}): the box cannot dial extensions; keep only the direct number`);
    }
    if (LETTER.test(raw)) return fail('phone-letters', { value: raw }, `contains letters (${raw})`);
    if (!ALLOWED.test(raw)) {
      const bad = [...raw].find((ch) => !ALLOWED.test(ch)) ?? '?';
      return fail('phone-character', { value: raw, char: bad }, `unexpected character "${bad}" in ${raw}`);
    }
    if (raw.lastIndexOf('+') > 0) return fail('phone-plus-inside', { value: raw }, `"+" in the middle of ${raw}`);
    const plus = raw.startsWith('+');
    const digits = raw.replace(/\D/g, '');
    if (digits === '') return fail('phone-no-digits', { value: raw }, `no digits in ${raw}`);

    if (!plus && this.plan.nationalPrefix === '0' && !digits.startsWith('0') && digits.length >= 6) {
      const withZero = this.plan.fastPath ? this.classifyNational(digits) : this.parseNational(`0${digits}`);
      if (withZero) {
        return fail('phone-lost-zero', { value: digits, digits: digits.length, withZero: `0${digits}` }, `lost its leading 0: ${digits} has ${digits.length} digits; 0${digits} would be valid, but the box does not guess — format the column as text and export again`);
      }
    }

    const parsed = plus || /^0{2}/.test(digits) ? this.parseValid(raw, this.country) : this.parseNational(raw);
    if (parsed) {
      const type = parsed.getType();
      if (type === 'PREMIUM_RATE') return premium(parsed.number);
      return { ok: true, e164: parsed.number, lineType: lineTypeOf(type), callingCode: parsed.countryCallingCode };
    }
    return this.explain(raw);
  }

  private parseValid(raw: string, country: CountryCode) {
    const p = parsePhoneNumberFromString(raw, country);
    return p && p.isValid() && !p.ext ? p : undefined;
  }

  /** A national-format number valid in this country or one sharing its dialling plan. */
  private parseNational(raw: string) {
    let fallback: ReturnType<PhoneNormaliser['parseValid']>;
    for (const c of this.nationalOrder) {
      const p = this.parseValid(raw, c);
      if (!p) continue;
      if (this.anyType.has(c) || GEOGRAPHIC.has(p.getType())) return p;
      fallback ??= p;
    }
    return fallback;
  }

  private explain(raw: string): PhoneVerdict {
    const plus = raw.startsWith('+');
    const digits = raw.replace(/\D/g, '');
    const country = this.country;
    const n = { value: raw, digits: digits.length };
    if (!plus) {
      const intl = parsePhoneNumberFromString(`+${digits}`);
      if (intl?.isValid() && !digits.startsWith('0')) {
        return fail('phone-international-without-plus', { value: raw, country, international: intl.number },
          `not a valid ${country} number (${raw}); if it is the international number ${intl.number}, write it with + or 00`);
      }
    }
    switch (validatePhoneNumberLength(raw, country)) {
      case 'TOO_SHORT': return fail('phone-too-short', n, `too short (${digits.length} digits): ${raw}`);
      case 'TOO_LONG': return fail('phone-too-long', n, `too long (${digits.length} digits): ${raw}`);
      case 'INVALID_LENGTH': return fail('phone-wrong-length', n, `wrong number of digits (${digits.length}): ${raw}`);
      case 'INVALID_COUNTRY': return fail('phone-unknown-country-code', { value: raw }, `unknown country code: ${raw}`);
      case 'NOT_A_NUMBER': return fail('phone-not-a-number', { value: raw }, `not a phone number: ${raw}`);
      default: return plus ? fail('phone-invalid', { value: raw }, `not a valid number: ${raw}`)
        : fail('phone-invalid-national', { value: raw, country }, `not a valid ${country} number: ${raw}`);
    }
  }
}

function premium(e164: string): PhoneVerdict {
  return fail('phone-premium', { value: e164 }, `premium-rate number (${e164}): not dialled by the box`);
}

/** A refusal: its code and values for the web UI, and the box's English sentence for the CLI and logs. */
function fail(code: PhoneProblemCode, params: Record<string, string | number>, reason: string): PhoneVerdict {
  return { ok: false, reason, empty: false, code, params };
}

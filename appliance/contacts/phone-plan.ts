// A compiled numbering plan: the fast path of phone normalisation.
// libphonenumber-js rebuilds a RegExp for every pattern it tests, which makes it ~5 µs a number.
// We compile the same metadata (libphonenumber-js/max) once and classify national numbers with the
// same rules; anything we are not sure about goes to the library itself.
// test/contacts/phone.test.ts checks that both agree on random numbers.
// The core build's Metadata with the max metadata: the /max entry exports Metadata only to ESM,
// and the import threads load this module as CommonJS.
import { Metadata } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/metadata.max.json';
import type { CountryCode, NumberType } from 'libphonenumber-js/max';

type NonNullNumberType = Exclude<NumberType, undefined>;

/** The part of libphonenumber-js's runtime metadata API we read (its .d.ts declares less than it has). */
interface TypeApi {
  pattern(): string;
  possibleLengths(): number[] | undefined;
}
interface PlanApi {
  callingCode(): string;
  IDDPrefix(): string;
  nationalPrefix(): string | number | undefined;
  nationalPrefixForParsing(): string | number | undefined;
  nationalPrefixTransformRule(): string | number | undefined;
  nationalNumberPattern(): string;
  type(name: string): TypeApi | undefined;
}
interface MetadataApi {
  selectNumberingPlan(country: string): unknown;
  numberingPlan: PlanApi;
  getCountryCodesForCallingCode(cc: string): string[] | undefined;
}

interface TypeMatcher {
  re: RegExp;
  lengths: ReadonlySet<number> | null;
}

// The order in which libphonenumber tries number types after fixed line.
const NON_FIXED: readonly NonNullNumberType[] = [
  'MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL',
];

export type { NonNullNumberType };

export class CompiledPlan {
  readonly country: CountryCode;
  readonly callingCode: string;
  readonly nationalPrefix: string | null;
  /** International dialling prefix when it is plain digits ("00"), else null. */
  readonly idd: string | null;
  private readonly general: RegExp;
  private readonly fixed: TypeMatcher | null;
  private readonly mobile: TypeMatcher | null;
  /** The metadata drops the mobile pattern when it equals the fixed-line one (e.g. NANP). */
  private readonly mobileSameAsFixed: boolean;
  private readonly others: Array<[NonNullNumberType, TypeMatcher]>;
  /**
   * False when parsing needs rules we do not reproduce (prefix transforms, or a region that is not the
   * first of its calling code: libphonenumber picks the first region whose patterns accept a number).
   */
  readonly fastPath: boolean;
  /** Other regions share the calling code (NANP, +44, +7…): a number this plan rejects may be theirs. */
  readonly sharedCallingCode: boolean;

  constructor(country: CountryCode) {
    const meta = new Metadata(metadata) as unknown as MetadataApi;
    meta.selectNumberingPlan(country);
    const plan = meta.numberingPlan;
    this.country = country;
    this.callingCode = plan.callingCode();
    const np = plan.nationalPrefix();
    this.nationalPrefix = typeof np === 'string' && np !== '' ? np : null;
    const idd = plan.IDDPrefix();
    this.idd = /^\d+$/.test(idd) ? idd : null;
    this.general = anchored(plan.nationalNumberPattern());
    const matcher = (name: string): TypeMatcher | null => {
      const t = plan.type(name);
      const pattern = t?.pattern();
      if (!t || !pattern) return null;
      const lengths = t.possibleLengths();
      return { re: anchored(pattern), lengths: lengths ? new Set(lengths) : null };
    };
    this.fixed = matcher('FIXED_LINE');
    this.mobile = matcher('MOBILE');
    const mobileType = plan.type('MOBILE');
    this.mobileSameAsFixed = !mobileType || mobileType.pattern() === '';
    this.others = [];
    for (const name of NON_FIXED) {
      const m = matcher(name);
      if (m) this.others.push([name, m]);
    }
    const regions = meta.getCountryCodesForCallingCode(this.callingCode) ?? [];
    const npfp = plan.nationalPrefixForParsing();
    this.sharedCallingCode = regions.length > 1;
    this.fastPath = regions[0] === country && this.nationalPrefix !== null &&
      npfp === this.nationalPrefix && !plan.nationalPrefixTransformRule();
  }

  /** libphonenumber's number type for a national significant number of this plan, or undefined if invalid. */
  typeOf(nsn: string): NonNullNumberType | undefined {
    if (!this.general.test(nsn)) return undefined;
    if (this.fixed && matches(this.fixed, nsn)) {
      if (this.mobileSameAsFixed || !this.mobile || matches(this.mobile, nsn)) return 'FIXED_LINE_OR_MOBILE';
      return 'FIXED_LINE';
    }
    for (const [name, m] of this.others) if (matches(m, nsn)) return name;
    return undefined;
  }
}

function anchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

function matches(m: TypeMatcher, nsn: string): boolean {
  if (m.lengths && !m.lengths.has(nsn.length)) return false;
  return m.re.test(nsn);
}

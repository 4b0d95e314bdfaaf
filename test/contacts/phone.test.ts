// Phone normalisation: the reasons a user reads, and the compiled fast path held to libphonenumber.
import test from 'ava';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { INVALID, PhoneNormaliser } from '../../appliance/contacts/phone.ts';
import { canonicalZone, zonesForNumber } from '../../appliance/contacts/timezones.ts';
import { rng } from '../fixtures/contacts/french-export.ts';

const fr = new PhoneNormaliser('FR');

test('the ways people write French numbers all give the same E.164', (t) => {
  for (const s of ['06 12 34 56 78', '0612345678', '06.12.34.56.78', '06-12-34-56-78', '+33 6 12 34 56 78', '+33612345678',
    '0033 6 12 34 56 78', '+33 (0)6 12 34 56 78', "'0612345678", '33612345678', '06\u00a012\u00a034\u00a056\u00a078']) {
    const v = fr.normalise(s);
    t.deepEqual(v, { ok: true, e164: '+33612345678', lineType: 'mobile', callingCode: '33' }, s);
  }
  t.like(fr.normalise('01 42 68 53 00'), { ok: true, e164: '+33142685300', lineType: 'fixed' });
  t.like(fr.normalise('09 51 23 45 67'), { ok: true, lineType: 'voip' });
  t.like(fr.normalise('0800 12 34 56'), { ok: true, e164: '+33800123456', lineType: 'unknown' });
  t.like(fr.normalise('+1 212 555 0123'), { ok: true, e164: '+12125550123', lineType: 'unknown' });
  t.like(fr.normalise('+41 79 123 45 67'), { ok: true, e164: '+41791234567', lineType: 'mobile' });
});

test('numbers a spreadsheet mangled are refused with a reason that says how', (t) => {
  const reason = (s: string): string => {
    const v = fr.normalise(s);
    return v.ok ? `accepted as ${v.e164}` : v.reason;
  };
  t.regex(reason('6.12345678E+08'), /^number in scientific notation \(6\.12345678E\+08\): the spreadsheet turned it into a number/);
  t.regex(reason('6,12346E+08'), /^number in scientific notation/);
  t.regex(reason('612345678'), /^lost its leading 0: 612345678 has 9 digits; 0612345678 would be valid, but the box does not guess/);
  t.regex(reason('692123456'), /^lost its leading 0/); // Réunion mobile without its 0
  t.regex(reason('612345678.0'), /^number with decimals \(612345678\.0\)/);
  t.regex(reason('06 12 34'), /^too short \(6 digits\)/);
  t.regex(reason('06 12 34 56 78 90'), /^too long \(12 digits\)/);
  t.regex(reason('06 12 AB 56 78'), /^contains letters/);
  t.regex(reason('06 12 34 56 78 poste 12'), /^has an extension/);
  t.regex(reason('06 12 34 56 78#'), /^unexpected character "#"/);
  t.regex(reason('41791234567'), /^not a valid FR number \(41791234567\); if it is the international number \+41791234567, write it with \+ or 00/);
  t.regex(reason('08 99 12 34 56'), /^premium-rate number \(\+33899123456\): not dialled by the box/);
  t.deepEqual(fr.normalise('  '), { ok: false, reason: 'empty phone number', empty: true, code: 'phone-empty', params: {} });
  // Each refusal also carries a stable code and its values, which the web UI words in French or English.
  t.like(fr.normalise('06 12 AB 56 78'), { ok: false, code: 'phone-letters', params: { value: '06 12 AB 56 78' } });
  t.like(fr.normalise('41791234567'), { ok: false, code: 'phone-international-without-plus', params: { value: '41791234567', country: 'FR', international: '+41791234567' } });
  t.like(fr.normalise('06 12 34 56 78 90'), { ok: false, code: 'phone-too-long', params: { digits: 12 } });
  // In the US a 10-digit number without its trunk prefix is normal, not a dropped digit.
  t.like(new PhoneNormaliser('US').normalise('2125550123'), { ok: true, e164: '+12125550123' });
});

test('time zones come from the number, several when its range spans them', (t) => {
  t.deepEqual(zonesForNumber('+33612345678')?.zones, ['Europe/Paris']);
  t.deepEqual(zonesForNumber('+262692123456')?.zones, ['Indian/Reunion']);
  t.deepEqual(zonesForNumber('+262269601234')?.zones, ['Indian/Mayotte']);
  t.deepEqual(zonesForNumber('+596696123456')?.zones, ['America/Martinique']);
  t.deepEqual(zonesForNumber('+594694201234')?.zones, ['America/Cayenne']);
  t.deepEqual(zonesForNumber('+590690123456')?.zones, ['America/Guadeloupe']);
  t.deepEqual(zonesForNumber('+687751234')?.zones, ['Pacific/Noumea']);
  t.deepEqual(zonesForNumber('+19075550199')?.zones, ['America/Adak', 'America/Anchorage']);
  t.is(zonesForNumber('+12125550123')?.prefixLength, 4);
  t.is(canonicalZone('europe/paris'), 'Europe/Paris');
  t.is(canonicalZone('US/Eastern'), 'America/New_York');
  t.is(canonicalZone('EST'), null);
  t.is(canonicalZone('Paris'), null);
  t.is(canonicalZone('Mars/Olympus_Mons'), null);
});

/** What libphonenumber itself says, with the importer's rule for regions sharing a national plan. */
function reference(input: string, country: CountryCode, nationalOrder: CountryCode[]): { e164: string; type: string } | null {
  const national = !input.startsWith('+') && !input.replace(/\D/g, '').startsWith('00') && nationalOrder.length > 1;
  const anyType = new Set([country, 'FR']);
  let fallback: { e164: string; type: string } | null = null;
  for (const c of national ? nationalOrder : [country]) {
    const p = parsePhoneNumberFromString(input, c);
    if (!p?.isValid()) continue;
    const hit = { e164: p.number, type: p.getType()! };
    if (anyType.has(c) || ['FIXED_LINE', 'MOBILE', 'FIXED_LINE_OR_MOBILE'].includes(hit.type)) return hit;
    fallback ??= hit;
  }
  return fallback;
}

/** Countries whose plans the fast path handles; the others go to the library for every number. */
const FAST: CountryCode[] = ['FR', 'DE', 'BE', 'CH', 'NL', 'US'];

const ORDERS: Partial<Record<CountryCode, CountryCode[]>> = {
  FR: ['RE', 'YT', 'GP', 'MQ', 'GF', 'PM', 'BL', 'MF', 'FR'],
};

for (const country of ['FR', 'DE', 'BE', 'ES', 'CH', 'NL', 'GB', 'US', 'CA', 'PL', 'AU', 'JP'] as CountryCode[]) {
  test(`fast path agrees with libphonenumber (${country})`, (t) => {
    const n = new PhoneNormaliser(country);
    const probe = parsePhoneNumberFromString(`+${(examples as Record<string, string>)[country]}`, country) ??
      parsePhoneNumberFromString((examples as Record<string, string>)[country], country)!;
    const cc = probe.countryCallingCode;
    const r = rng(country.charCodeAt(0) * 31 + country.charCodeAt(1));
    const digits = (k: number): string => Array.from({ length: k }, () => Math.floor(r() * 10)).join('');
    const sampleNsns = [...Object.entries(examples as Record<string, string>)]
      .filter(([c]) => (ORDERS[country] ?? [country]).includes(c as CountryCode) || c === country).map(([, v]) => v);
    let settled = 0;
    let checked = 0;
    for (let i = 0; i < 4000; i++) {
      // A mobile example with its tail changed, or random digits of a plausible length.
      const base = sampleNsns[Math.floor(r() * sampleNsns.length)];
      const nsn = r() < 0.6 ? base.slice(0, base.length - 1 - Math.floor(r() * 4)) + digits(10) : digits(6 + Math.floor(r() * 7));
      const trimmed = r() < 0.6 ? nsn.slice(0, base.length) : nsn.slice(0, 4 + Math.floor(r() * 9));
      const shape = Math.floor(r() * 5);
      const input = shape === 0 ? `+${cc} ${trimmed}` : shape === 1 ? `00${cc}${trimmed}` : shape === 2 ? `0${trimmed}` : shape === 3 ? `1${trimmed}` : trimmed;
      const fast = n.fastPath(input);
      if (fast === null) continue;
      checked++;
      const ref = reference(input, country, ORDERS[country] ?? [country]);
      if (fast === INVALID) {
        t.is(ref, null, `${input}: fast path says invalid, libphonenumber says ${JSON.stringify(ref)}`);
      } else {
        settled++;
        t.deepEqual({ e164: fast.e164, type: fast.type }, ref, input);
      }
    }
    t.log(`${country}: ${checked} inputs decided by the fast path, ${settled} of them valid`);
    if (FAST.includes(country)) {
      t.true(checked > 500);
      t.true(settled > 200);
    } else {
      t.is(checked, 0, 'plans with prefix rules we do not reproduce always ask the library');
    }
  });
}

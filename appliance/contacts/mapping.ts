// Column mapping: a suggestion from the headers (English and French), and the check that a mapping a
// user gave names columns that exist.
import { AppError } from '../../core/errors.ts';
import { CONSENT_KEYS, type ConsentKey, type Mapping } from './types.ts';

/** "Téléphone portable" → "telephone portable": lower case, no accents, words only. */
export function headerWords(h: string): string {
  return h.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

const PHONE_WORDS = new Set(['tel', 'tele', 'telephone', 'telephones', 'phone', 'phones', 'portable', 'mobile', 'gsm', 'cell', 'cellphone',
  'cellulaire', 'msisdn', 'fixe', 'smartphone', 'mob', 'telephonenumber', 'phonenumber', 'mobilephone']);
const PHONE_EXACT = new Set(['numero', 'number', 'no', 'n', 'num']);
const CONSENT_WORDS = /\b(consent|consentement|consentements|optin|opt in|accord)\b/;
const CONSENT_PARTS: Array<[ConsentKey, RegExp]> = [
  ['date', /\b(date|le|when|timestamp|horodatage)\b/],
  ['source', /\b(source|origine|origin|canal|channel|collecte|formulaire|form)\b/],
  ['seller', /\b(vendeur|seller|vendor|partenaire|partner|annonceur|advertiser|marque|brand|responsable)\b/],
  ['purpose', /\b(purpose|finalite|objet|motif|usage)\b/],
];

function isPhone(w: string): boolean {
  if (/\b(fax|date|type|indicatif|prefixe|consent|consentement)\b/.test(w)) return false;
  const words = w.split(' ');
  return words.some((x) => PHONE_WORDS.has(x) || /^tel\d*$/.test(x) || /^(phone|mobile|portable|telephone)\d+$/.test(x)) || PHONE_EXACT.has(w);
}

/**
 * Phone columns in file order (the first valid number of a row wins), names, time zone and consent
 * columns recognised from their headers. `fields` is left out: every other column is kept.
 */
export function suggestMapping(headers: readonly string[]): Mapping {
  const words = headers.map(headerWords);
  const pick = (test: (w: string) => boolean, taken: Set<number>): number => {
    const i = words.findIndex((w, j) => !taken.has(j) && test(w));
    if (i >= 0) taken.add(i);
    return i;
  };
  const taken = new Set<number>();
  const mapping: Mapping = { phone: [] };

  words.forEach((w, i) => {
    if (!CONSENT_WORDS.test(w)) return;
    for (const [key, re] of CONSENT_PARTS) {
      if (re.test(w) && !mapping.consent?.[key]) {
        mapping.consent = { ...mapping.consent, [key]: headers[i] };
        taken.add(i);
        return;
      }
    }
  });
  words.forEach((w, i) => {
    if (!taken.has(i) && isPhone(w)) {
      mapping.phone.push(headers[i]);
      taken.add(i);
    }
  });
  const tz = pick((w) => /^(timezone|time zone|tz|fuseau|fuseau horaire|zone horaire|iana timezone)$/.test(w), taken);
  if (tz >= 0) mapping.timezone = headers[tz];

  const first = pick((w) => /^(prenom|first name|firstname|first|given name|forename|prenoms)$/.test(w), taken);
  const full = pick((w) => /^(nom complet|full name|fullname|name|contact|contact name|nom prenom|nom et prenom|prenom nom|prenom et nom|client|destinataire|raison sociale)$/.test(w), taken);
  const last = pick((w) => /^(nom|nom de famille|last name|lastname|surname|family name|last|patronyme)$/.test(w), taken);
  if (first >= 0) mapping.firstName = headers[first];
  if (last >= 0 && (first >= 0 || full >= 0)) mapping.lastName = headers[last];
  if (full >= 0) mapping.name = headers[full];
  else if (last >= 0 && first < 0) mapping.name = headers[last];
  return mapping;
}

/** Column indexes of a mapping; AppError E_IMPORT_MAPPING for a column the file does not have. */
export interface ResolvedMapping {
  mapping: Mapping;
  phone: number[];
  name: number;
  firstName: number;
  lastName: number;
  timezone: number;
  consent: Array<[ConsentKey, number]>;
  /** [header, column] kept as personalisation fields. */
  fields: Array<[string, number]>;
}

export function resolveMapping(input: unknown, headers: readonly string[]): ResolvedMapping {
  const mapping = parseMapping(input);
  const find = (column: string, role: string): number => {
    let i = headers.indexOf(column);
    if (i < 0) i = headers.findIndex((h) => h.toLowerCase() === column.trim().toLowerCase());
    if (i < 0) {
      throw new AppError('E_IMPORT_MAPPING', `the ${role} column "${column}" is not in the file; its columns are: ${headers.map((h) => `"${h}"`).join(', ')}`, { column });
    }
    return i;
  };
  const opt = (column: string | undefined, role: string): number => (column === undefined ? -1 : find(column, role));
  if (mapping.phone.length === 0) {
    throw new AppError('E_IMPORT_MAPPING', `no phone column: say which column holds the numbers; the file's columns are: ${headers.map((h) => `"${h}"`).join(', ')}`, { column: 'phone' });
  }
  const phone = mapping.phone.map((c) => find(c, 'phone'));
  const consent: Array<[ConsentKey, number]> = [];
  for (const key of CONSENT_KEYS) {
    const c = mapping.consent?.[key];
    if (c !== undefined) consent.push([key, find(c, `consent ${key}`)]);
  }
  const timezone = opt(mapping.timezone, 'time zone');
  const reserved = new Set([...phone, timezone, ...consent.map(([, i]) => i)]);
  const fields: Array<[string, number]> = mapping.fields
    ? mapping.fields.map((c) => [headers[find(c, 'field')], find(c, 'field')] as [string, number])
    : headers.map((h, i) => [h, i] as [string, number]).filter(([, i]) => !reserved.has(i));
  return {
    mapping, phone, timezone, consent, fields,
    name: opt(mapping.name, 'name'), firstName: opt(mapping.firstName, 'first name'), lastName: opt(mapping.lastName, 'last name'),
  };
}

/** A mapping from JSON (HTTP, CLI) checked field by field. */
export function parseMapping(input: unknown): Mapping {
  const bad = (field: string, what: string): never => {
    throw new AppError('E_IMPORT_MAPPING', `mapping field "${field}": ${what}`, { field });
  };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return bad('mapping', 'an object such as {"phone": ["Téléphone"]}');
  const o = input as Record<string, unknown>;
  const known = new Set(['phone', 'name', 'firstName', 'lastName', 'timezone', 'consent', 'fields']);
  for (const k of Object.keys(o)) if (!known.has(k)) bad(k, `unknown; use ${[...known].join(', ')}`);
  const str = (k: string): string | undefined => {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' && v.trim() !== '' ? v : bad(k, 'a column header');
  };
  const list = (k: string): string[] | undefined => {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    const arr = typeof v === 'string' ? [v] : v;
    return Array.isArray(arr) && arr.every((x) => typeof x === 'string' && x.trim() !== '') ? (arr as string[]) : bad(k, 'a list of column headers');
  };
  let consent: Mapping['consent'];
  if (o.consent !== undefined && o.consent !== null) {
    if (typeof o.consent !== 'object' || Array.isArray(o.consent)) return bad('consent', `an object with ${CONSENT_KEYS.join(', ')}`);
    consent = {};
    for (const [k, v] of Object.entries(o.consent as Record<string, unknown>)) {
      if (!(CONSENT_KEYS as readonly string[]).includes(k)) bad(`consent.${k}`, `unknown; use ${CONSENT_KEYS.join(', ')}`);
      if (typeof v !== 'string' || v.trim() === '') bad(`consent.${k}`, 'a column header');
      consent[k as ConsentKey] = v as string;
    }
  }
  const out: Mapping = { phone: list('phone') ?? [] };
  const name = str('name');
  const firstName = str('firstName');
  const lastName = str('lastName');
  const timezone = str('timezone');
  const fields = list('fields');
  if (name !== undefined) out.name = name;
  if (firstName !== undefined) out.firstName = firstName;
  if (lastName !== undefined) out.lastName = lastName;
  if (timezone !== undefined) out.timezone = timezone;
  if (consent !== undefined) out.consent = consent;
  if (fields !== undefined) out.fields = fields;
  return out;
}

// Why an imported row was refused (or warned about), in the page's language. The box sends a stable code
// and its values (appliance/contacts/types.ts RowIssue); its English sentence is shown only for a code
// this page does not know yet.
import { makeT } from '../../i18n.ts';
import type { RowIssue } from './types.ts';

const en = {
  'phone-empty': 'empty phone number',
  'phone-none-in-columns': 'no phone number in {columns}',
  'phone-scientific': 'number in scientific notation ({value}): the spreadsheet turned it into a number and may have lost digits; format the column as text and export again',
  'phone-decimals': 'number with decimals ({value}): the spreadsheet stored it as a number; format the column as text and export again',
  'phone-extension': 'has an extension ({value}): the box cannot dial extensions; keep only the direct number',
  'phone-letters': 'contains letters ({value})',
  'phone-character': 'unexpected character “{char}” in {value}',
  'phone-plus-inside': '“+” in the middle of {value}',
  'phone-no-digits': 'no digits in {value}',
  'phone-lost-zero': 'lost its leading 0: {value} has {digits} digits; {withZero} would be valid, but the box does not guess — format the column as text and export again',
  'phone-premium': 'premium-rate number ({value}): not dialled by the box',
  'phone-international-without-plus': 'not a valid number (country: {country}) ({value}); if it is the international number {international}, write it with + or 00',
  'phone-too-short': 'too short ({digits} digits): {value}',
  'phone-too-long': 'too long ({digits} digits): {value}',
  'phone-wrong-length': 'wrong number of digits ({digits}): {value}',
  'phone-unknown-country-code': 'unknown country code: {value}',
  'phone-not-a-number': 'not a phone number: {value}',
  'phone-invalid': 'not a valid number: {value}',
  'phone-invalid-national': 'not a valid number (country: {country}): {value}',
  'timezone-unknown': 'unknown time zone “{value}”: use a name such as Europe/Paris or America/Chicago',
  'consent-date': 'consent date “{value}” is not a date the box can read (e.g. 2024-03-01 or 01/03/2024); kept as text',
  usedInstead: '{problem}; {usedColumn} used instead',
};
type Key = keyof typeof en;

const fr: Record<Key, string> = {
  'phone-empty': 'numéro de téléphone vide',
  'phone-none-in-columns': 'aucun numéro de téléphone dans {columns}',
  'phone-scientific': 'nombre en notation scientifique ({value}) : le tableur l’a converti en nombre et a pu perdre des chiffres ; mettez la colonne au format texte et exportez à nouveau',
  'phone-decimals': 'nombre avec décimales ({value}) : le tableur l’a enregistré comme un nombre ; mettez la colonne au format texte et exportez à nouveau',
  'phone-extension': 'contient un numéro de poste ({value}) : le boîtier ne compose pas les postes ; gardez seulement le numéro direct',
  'phone-letters': 'contient des lettres ({value})',
  'phone-character': 'caractère inattendu « {char} » dans {value}',
  'phone-plus-inside': '« + » au milieu de {value}',
  'phone-no-digits': 'aucun chiffre dans {value}',
  'phone-lost-zero': 'a perdu son 0 initial : {value} a {digits} chiffres ; {withZero} serait valide, mais le boîtier ne devine pas — mettez la colonne au format texte et exportez à nouveau',
  'phone-premium': 'numéro surtaxé ({value}) : le boîtier ne l’appelle pas',
  'phone-international-without-plus': 'numéro non valide (pays : {country}) ({value}) ; s’il s’agit du numéro international {international}, écrivez-le avec + ou 00',
  'phone-too-short': 'trop court ({digits} chiffres) : {value}',
  'phone-too-long': 'trop long ({digits} chiffres) : {value}',
  'phone-wrong-length': 'mauvais nombre de chiffres ({digits}) : {value}',
  'phone-unknown-country-code': 'indicatif de pays inconnu : {value}',
  'phone-not-a-number': 'pas un numéro de téléphone : {value}',
  'phone-invalid': 'numéro non valide : {value}',
  'phone-invalid-national': 'numéro non valide (pays : {country}) : {value}',
  'timezone-unknown': 'fuseau horaire inconnu « {value} » : utilisez un nom comme Europe/Paris ou America/Chicago',
  'consent-date': 'la date de consentement « {value} » n’est pas une date lisible (p. ex. 2024-03-01 ou 01/03/2024) ; gardée telle quelle',
  usedInstead: '{problem} ; {usedColumn} utilisé à la place',
};

const t = makeT({ en, fr });

/** A country code (FR) as the page's language names it (France), for the phone reasons. */
function countryName(code: string, lang: string): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** The reason of one rejected or warned row, in the page's language. */
export function rowIssueText(issue: Pick<RowIssue, 'reason'> & Partial<Pick<RowIssue, 'code' | 'params'>>, lang: string): string {
  const code = issue.code;
  if (!code || !(code in en) || code === 'usedInstead') return issue.reason;
  const { usedColumn, ...params } = issue.params ?? {};
  const vars: Record<string, string | number> = { ...params };
  if (typeof vars.country === 'string') vars.country = countryName(vars.country, lang);
  const problem = t(code as Key, vars);
  return usedColumn === undefined ? problem : t('usedInstead', { problem, usedColumn });
}

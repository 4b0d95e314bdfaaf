// A field's problem in the page's language: the box (and the page's own checks) say what kind of
// problem it is (`rule`) and its figures (`params`); the words are made here, in English and French.
// A problem without a rule (an older route, a schema check) keeps the box's words, made plain.
import type { ApiError, FieldProblem } from './api.ts';
import { FR_PHONE_FIELDS } from './error-messages.ts';
import { formatNumber, getLang, makeT } from './i18n.ts';
import { plainFieldMessage } from './schema-messages.ts';

export const t = makeT({
  en: {
    required: 'Required.',
    range: 'Give a number from {min} to {max}.',
    rangeUnit: 'Give a number from {min} to {max} {unit}.',
    time: 'Give a time as HH:MM, e.g. 09:30.',
    windowOrder: 'Must be after the start time ({from}).',
    weekdays: 'Tick at least one day.',
    windows: 'Add at least one calling window.',
    date: 'Give a date.',
    dateOrder: 'The last day ({to}) is before the first day ({from}).',
    key: 'Choose one key: 0 to 9, * or #.',
    keysDistinct: 'Key {key} is already used for another action; each action needs its own key.',
    phone: '"{phone}" is not a phone number; type it as it is dialled or in international format, with + and the country code (+33 4 78 00 00 00).',
    phoneMissing: 'A phone number is needed; type it as it is dialled or in international format (+33 4 78 00 00 00).',
    choice: 'Choose one of the choices offered.',
    recording: 'This recording no longer exists; choose another.',
    messageOrTts: 'Choose either a recording or personalised text-to-speech, not both.',
    voice: 'Choose one of the voices offered.',
    sellerMarketing: 'Marketing calls need the name of the business they are made for.',
    trunk: 'This line does not exist or is turned off; choose another.',
    trunks: 'Choose at least one line.',
    delay: 'Give a number of minutes (0 or more).',
    textLength: 'Too long: at most {max} characters.',
    tokens: 'Unknown fields {tokens}; the list has {known}.',
    list: 'This list no longer exists; choose another.',
    invalid: 'Not valid.',
    summary: '{n} fields to fix:',
    summaryOne: 'One field to fix:',
  },
  fr: {
    required: 'Obligatoire.',
    range: 'Indiquez un nombre de {min} à {max}.',
    rangeUnit: 'Indiquez un nombre de {min} à {max} {unit}.',
    time: 'Indiquez une heure au format HH:MM, par exemple 09:30.',
    windowOrder: 'Doit être après l’heure de début ({from}).',
    weekdays: 'Cochez au moins un jour.',
    windows: 'Ajoutez au moins une plage horaire.',
    date: 'Indiquez une date.',
    dateOrder: 'Le dernier jour ({to}) est avant le premier ({from}).',
    key: 'Choisissez une touche : 0 à 9, * ou #.',
    keysDistinct: 'La touche {key} sert déjà à une autre action ; chaque action a besoin de sa propre touche.',
    phone: '« {phone} » n’est pas un numéro de téléphone : tapez-le comme on le compose ou au format international, avec + et l’indicatif du pays (+33 4 78 00 00 00).',
    phoneMissing: 'Il manque un numéro de téléphone : tapez-le comme on le compose ou au format international (+33 4 78 00 00 00).',
    choice: 'Choisissez l’un des choix proposés.',
    recording: 'Cet enregistrement n’existe plus ; choisissez-en un autre.',
    messageOrTts: 'Choisissez un enregistrement ou la synthèse vocale personnalisée, pas les deux.',
    voice: 'Choisissez l’une des voix proposées.',
    sellerMarketing: 'Les appels de prospection ont besoin du nom de l’entreprise pour laquelle ils sont passés.',
    trunk: 'Cette ligne n’existe pas ou est désactivée ; choisissez-en une autre.',
    trunks: 'Choisissez au moins une ligne.',
    delay: 'Indiquez un nombre de minutes (0 ou plus).',
    textLength: 'Trop long : {max} caractères au plus.',
    tokens: 'Champs inconnus {tokens} ; la liste a {known}.',
    list: 'Cette liste n’existe plus ; choisissez-en une autre.',
    invalid: 'Non valide.',
    summary: '{n} champs à corriger :',
    summaryOne: 'Un champ à corriger :',
  },
});

const UNITS: Record<string, { en: string; fr: string }> = { s: { en: 's', fr: 's' }, min: { en: 'min', fr: 'min' } };

function num(v: string | number | undefined): string {
  return typeof v === 'number' ? formatNumber(v) : String(v ?? '');
}

/** The words for one problem, in the page's language. */
export function problemText(p: FieldProblem): string {
  const v = p.params ?? {};
  switch (p.rule) {
    case 'required': return t('required');
    case 'range': {
      const unit = typeof v.unit === 'string' ? UNITS[v.unit]?.[getLang()] ?? v.unit : '';
      return unit ? t('rangeUnit', { min: num(v.min), max: num(v.max), unit }) : t('range', { min: num(v.min), max: num(v.max) });
    }
    case 'time': return t('time');
    case 'window-order': return t('windowOrder', { from: String(v.from ?? '') });
    case 'weekdays': return t('weekdays');
    case 'windows': return t('windows');
    case 'date': return t('date');
    case 'date-order': return t('dateOrder', { from: String(v.from ?? ''), to: String(v.to ?? '') });
    case 'key': return t('key');
    case 'keys-distinct': return t('keysDistinct', { key: String(v.key ?? '') });
    case 'phone': return phoneText(p);
    case 'phone-missing': return phoneText(p);
    case 'choice': return t('choice');
    case 'recording': return t('recording');
    case 'message-or-tts': return t('messageOrTts');
    case 'voice': return t('voice');
    case 'seller-marketing': return t('sellerMarketing');
    case 'trunk': return t('trunk');
    case 'trunks': return t('trunks');
    case 'delay': return t('delay');
    case 'text-length': return t('textLength', { max: num(v.max) });
    case 'tokens': return t('tokens', { tokens: String(v.tokens ?? ''), known: String(v.known ?? '') });
    case 'list': return t('list');
    case 'invalid': return t('invalid');
    default: return p.message ? plainFieldMessage(p.message) : t('invalid');
  }
}

/**
 * A phone number: the box's English names the field and the country ("as dialled in France"); French
 * says the same from the field and the country code.
 */
function phoneText(p: FieldProblem): string {
  const v = p.params ?? {};
  if (getLang() !== 'fr') {
    if (p.message) return p.message;
    const what = EN_PHONE_FIELDS[p.key] ?? 'this field';
    const where = typeof v.country === 'string' && v.country ? `as dialled in ${countryIn('en', v.country)} or ` : '';
    const shown = p.rule === 'phone' ? `"${String(v.phone ?? '')}" is not a phone number` : 'a phone number is needed';
    return `${shown} for ${what}; type it ${where}in international format, with + and the country code (+33 4 78 00 00 00)`;
  }
  const field = FR_PHONE_FIELDS[p.key];
  const country = typeof v.country === 'string' && v.country ? countryIn('fr', v.country) : null;
  const tail = `tapez-le comme on le compose${country ? ` en ${country}` : ''} ou au format international, avec + et l’indicatif du pays (+33 4 78 00 00 00).`;
  return p.rule === 'phone'
    ? `« ${String(v.phone ?? '')} » n’est pas un numéro de téléphone${field ? ` pour ${field}` : ''} : ${tail}`
    : `Il manque un numéro de téléphone${field ? ` pour ${field}` : ''} : ${tail}`;
}

const EN_PHONE_FIELDS: Record<string, string> = {
  callerId: 'the caller ID', 'script.callbackNumber': 'the callback number', 'script.voicemail.callbackNumber': 'the voicemail message\'s callback number',
};

function countryIn(lang: 'en' | 'fr', cc: string): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'region' }).of(cc) ?? cc;
  } catch {
    return cc;
  }
}

/** The problems an error carries, else (an error naming one field) that field with the error's words. */
export function problemsOf(e: ApiError | null | undefined): FieldProblem[] {
  if (!e) return [];
  if (e.problems.length > 0) return e.problems;
  const key = typeof e.where.field === 'string' ? e.where.field : null;
  return key ? [{ key, message: e.serverMessage }] : [];
}

/** The DOM id of a form's field, so the summary links to it and Field wires its label. */
export function fieldId(form: string, key: string): string {
  return `${form}-${key.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
}

/** Orders problems as the form shows its fields (`order` lists key prefixes top to bottom). */
export function inFormOrder(problems: FieldProblem[], order: readonly string[]): FieldProblem[] {
  const rank = (k: string): number => {
    const i = order.findIndex((o) => k === o || k.startsWith(`${o}.`));
    return i < 0 ? order.length : i;
  };
  return problems.map((p, i) => ({ p, i })).sort((a, b) => rank(a.p.key) - rank(b.p.key) || a.i - b.i).map((x) => x.p);
}

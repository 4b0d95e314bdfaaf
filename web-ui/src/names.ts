// Names the box sends as codes (rule packs, national registries, call engines, text-to-speech voices),
// in the page's language. A code the page does not know is shown as the box names it, never dropped.
import { getLang, makeT } from './i18n.ts';

const en = {
  'pack.us': 'United States (TCPA / FCC)',
  'pack.ca': 'Canada (CRTC Unsolicited Telecommunications Rules)',
  'pack.fr': 'France (Consumer Code, CPCE)',
  'pack.uk': 'United Kingdom (PECR / Ofcom)',
  'pack.none': 'No jurisdiction (chosen on purpose; opt-outs only)',
  'registry.fr-bloctel': 'Bloctel (France)',
  'registry.us-national-dnc': 'National Do Not Call Registry (United States)',
  'registry.ca-dncl': 'National Do Not Call List (Canada)',
  'registry.uk-tps': 'Telephone Preference Service (United Kingdom)',
  'engine.embedded': 'built-in',
  'engine.drachtio': 'drachtio + FreeSWITCH',
  'source.none.script': 'the box always offers an opt-out key',
  'source.none.callerId': 'no jurisdiction chosen',
  'voice.female': '{language}, female voice {n}',
  'voice.male': '{language}, male voice {n}',
  'voice.variant': '{language}, voice {variant}',
  'actor.callee': 'the person called',
  'actor.gate': 'compliance check',
  'actor.system': 'the box',
  'actor.fleet': 'the fleet',
  'actor.staff': '{name}',
  'optOutReason.keypress': 'opt-out (key pressed)',
  'optOutReason.other': 'opt-out ({channel})',
};
type Key = keyof typeof en;

const fr: Record<Key, string> = {
  'pack.us': 'États-Unis (TCPA / FCC)',
  'pack.ca': 'Canada (Règles sur les télécommunications non sollicitées du CRTC)',
  'pack.fr': 'France (Code de la consommation, CPCE)',
  'pack.uk': 'Royaume-Uni (PECR / Ofcom)',
  'pack.none': 'Aucune juridiction (choisie exprès ; oppositions seulement)',
  'registry.fr-bloctel': 'Bloctel (France)',
  'registry.us-national-dnc': 'Registre national « Do Not Call » (États-Unis)',
  'registry.ca-dncl': 'Liste nationale de numéros de télécommunication exclus (Canada)',
  'registry.uk-tps': 'Telephone Preference Service (Royaume-Uni)',
  'engine.embedded': 'intégré',
  'engine.drachtio': 'drachtio + FreeSWITCH',
  'source.none.script': 'le boîtier propose toujours une touche d’opposition',
  'source.none.callerId': 'aucune juridiction choisie',
  'voice.female': '{language}, voix féminine {n}',
  'voice.male': '{language}, voix masculine {n}',
  'voice.variant': '{language}, voix {variant}',
  'actor.callee': 'la personne appelée',
  'actor.gate': 'contrôle de conformité',
  'actor.system': 'le boîtier',
  'actor.fleet': 'la flotte',
  'actor.staff': '{name}',
  'optOutReason.keypress': 'opposition (touche tapée)',
  'optOutReason.other': 'opposition ({channel})',
};

const t = makeT({ en, fr });
const known = (key: string): key is Key => key in en;

/** A rule pack's name; the box's own name (English) only for a pack this page does not know. */
export function packName(id: string | null | undefined, boxName?: string): string {
  if (!id) return boxName ?? '';
  const key = `pack.${id}`;
  return known(key) ? t(key) : (boxName ?? id);
}

/** A national do-not-call registry's name from its code (fr-bloctel, us-national-dnc, …). */
export function registryName(code: string): string {
  const key = `registry.${code}`;
  return known(key) ? t(key) : code;
}

/** The call engine (health.engine, settings.engine). */
export function engineName(code: string): string {
  const key = `engine.${code}`;
  return known(key) ? t(key) : code;
}

/**
 * Where a pack's rule comes from. Law citations (articles, regulations) are quoted as written; the
 * few sentences of the box's own packs are worded in the page's language.
 */
export function ruleSource(packId: string, rule: 'script' | 'callerId', source: string): string {
  const key = `source.${packId}.${rule}`;
  return known(key) ? t(key) : source;
}

/** Who did something, as the audit log and the do-not-call list name them ("staff:marie", "callee", "gate"). */
export function actorLabel(actor: string | null | undefined): string {
  if (!actor) return '';
  const staff = /^staff:(.+)$/.exec(actor);
  if (staff) return t('actor.staff', { name: staff[1]! });
  const key = `actor.${actor}`;
  return known(key) ? t(key) : actor;
}

/** The reason the box writes itself for an opt-out ("opt-out (keypress)"); a reason staff typed stays as typed. */
export function dncReason(reason: string | null | undefined): string {
  const own = /^opt-out \(([\w-]+)\)$/.exec(reason ?? '');
  if (!own) return reason ?? '';
  return own[1] === 'keypress' ? t('optOutReason.keypress') : t('optOutReason.other', { channel: own[1]! });
}

/** The text-to-speech voices offered (espeak-ng names: language, then +f/+m variants). */
export const VOICES = ['fr', 'fr+f2', 'fr-be', 'en', 'en-us', 'en+f3', 'de', 'es'] as const;

const capital = (s: string): string => s.charAt(0).toLocaleUpperCase(getLang()) + s.slice(1);

/** "fr+f2" → "French, female voice 2" / "Français, voix féminine 2"; "en-us" → "American English". */
export function voiceLabel(code: string): string {
  const [base = '', variant] = code.split('+');
  let language = base;
  try {
    language = new Intl.DisplayNames([getLang()], { type: 'language' }).of(base) ?? base;
  } catch {
    // an espeak name that is not a language tag: shown as it is
  }
  language = capital(language);
  if (!variant) return language;
  const m = /^([fm])(\d+)$/.exec(variant);
  if (!m) return t('voice.variant', { language, variant });
  return t(m[1] === 'f' ? 'voice.female' : 'voice.male', { language, n: m[2]! });
}

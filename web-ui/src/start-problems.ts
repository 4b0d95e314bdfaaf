// Why a campaign may not start, in the page's language. The box sends each problem with a stable code,
// an English message and its details (registry, age, caller ID…); French words come from the table below,
// filled from those details. English keeps the box's message, and so does a code the table does not know.
import type { StartProblem as BoxStartProblem, StartProblemCode } from '../../appliance/http/contract/compliance.ts';
import { fillTemplate, type Where } from './error-messages.ts';
import { getLang, type Lang } from './i18n.ts';
import { purposeLabel } from './messages.ts';

/** A problem as the page reads it: any code (a newer box may send one we do not know); no `blocking` means it blocks. */
export type StartProblem = Omit<BoxStartProblem, 'code' | 'blocking'> & { code: string; blocking?: boolean };

// `{name}` is filled from the problem's details; a `[...]` part shows only when every {name} in it is known.
// Typed by the box's code union, so a new code does not compile until it has its French words.
export const FR_START_PROBLEMS: Record<StartProblemCode, string> = {
  'no-compliance-pack': 'Aucun référentiel de conformité n’est choisi : choisissez-en un (ou « aucune ») dans Réglages › Règles appliquées, ou dans la campagne',
  'registry-missing': 'Aucune copie de la liste nationale d’opposition[ {registry}] n’est importée[ : sous le référentiel {pack}, les appels « {purpose} » doivent être filtrés avec elle] ; importez-en une (Conformité › Copies des listes nationales)',
  'registry-stale': 'La copie de la liste nationale d’opposition[ {registry}] est trop ancienne[ : téléchargée il y a {ageDays} jours][, le référentiel {pack} en permet au plus {maxAgeDays}] ; importez une copie récente (Conformité › Copies des listes nationales)',
  'caller-id-invalid': 'Le numéro présenté[ {callerId}] n’est pas un numéro valide que l’on peut rappeler',
  'caller-id-unverified': 'Le numéro présenté[ {callerId}] n’a pas été vérifié : lancez un appel de vérification et tapez sur le clavier du téléphone le code affiché (Conformité › Numéros présentés)',
  'caller-id-range': 'Le numéro présenté[ {callerId}] n’est pas dans les plages permises[ : sous le référentiel {pack}, les appels « {purpose} » doivent présenter un numéro commençant par {allowedPrefixes}]',
  'caller-id-forbidden': 'Le numéro présenté[ {callerId}] est dans une plage interdite[ par le référentiel {pack}][ ({forbiddenPrefix}…)]',
  'script-identification': 'Le message doit commencer par l’identité de l’appelant',
  'script-callback': 'Le message doit donner un numéro de rappel valide',
  'script-opt-out': 'Le message doit annoncer une touche d’opposition, et le menu à touches de la campagne doit la définir',
  'script-opt-out-late': 'La touche d’opposition est annoncée trop tard[ : au plus {withinSec} s après l’identification]',
  'script-voicemail': 'Le message de répondeur doit dire qui appelle et donner un numéro de rappel valide',
};

// The variants the box words differently: a number the box does not know at all, a campaign that declares
// nothing about its message, and a problem shown but not enforced (the campaign only dials the sandbox).
const FR_UNLISTED = 'Le numéro présenté[ {callerId}] ne fait pas partie des numéros du boîtier : ajoutez-le dans Conformité › Numéros présentés et vérifiez-le par un appel';
const FR_UNDECLARED = ' ; indiquez où le message le dit (étape « Contenu du message » de la campagne)';
const FR_SANDBOX = ' (non appliqué : la campagne n’appelle que le bac à sable ; sur une vraie ligne, le démarrage serait bloqué)';

const FR_NUMBER = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });

/** The details as a French sentence reads them: purpose in words, prefixes as a list, numbers French-style. */
function frenchVars(p: StartProblem): Where {
  const v: Where = {};
  for (const k of ['pack', 'registry', 'callerId', 'forbiddenPrefix'] as const) if (typeof p[k] === 'string') v[k] = p[k];
  for (const k of ['ageDays', 'maxAgeDays', 'withinSec'] as const) if (typeof p[k] === 'number') v[k] = FR_NUMBER.format(p[k]);
  if (typeof p.purpose === 'string') v.purpose = purposeLabel(p.purpose);
  if (Array.isArray(p.allowedPrefixes) && p.allowedPrefixes.length > 0) v.allowedPrefixes = p.allowedPrefixes.join(', ');
  return v;
}

/** The text to show for one start problem: French from the table, else (English, unknown code) the box's own. */
export function startProblemText(p: StartProblem, lang: Lang = getLang()): string {
  if (lang !== 'fr' || !Object.hasOwn(FR_START_PROBLEMS, p.code)) return p.message;
  const template = p.code === 'caller-id-unverified' && p.listed === false ? FR_UNLISTED : FR_START_PROBLEMS[p.code as StartProblemCode];
  const undeclared = p.code.startsWith('script-') && p.scriptDeclared === false ? FR_UNDECLARED : '';
  const sandbox = p.blocking === false ? FR_SANDBOX : '';
  return `${fillTemplate(template, frenchVars(p))}${undeclared}${sandbox}.`;
}

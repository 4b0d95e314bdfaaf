// The shell's own messages (navigation, language switch, banners) and the names of call outcomes, block and
// defer reasons, campaign statuses and purposes that several pages show. Pages keep the rest in their folder.
import type { HoldCode } from '../../appliance/http/contract/campaigns.ts';
import { makeT } from './i18n.ts';

const wordsEn = {
  loading: 'Loading…',
  cancel: 'Cancel',
  save: 'Save',
  delete: 'Delete',
  retry: 'Try again',
};

/** Words many pages use, translated once: page messages spread them into theirs. */
export const commonWords: { en: typeof wordsEn; fr: Record<keyof typeof wordsEn, string> } = {
  en: wordsEn,
  fr: {
    loading: 'Chargement…',
    cancel: 'Annuler',
    save: 'Enregistrer',
    delete: 'Supprimer',
    retry: 'Réessayer',
  },
};

const en = {
  ...commonWords.en,
  appName: 'Voice-broadcast box',
  skipToContent: 'Skip to content',
  mainNav: 'Main',
  menu: 'Menu',
  'nav.dashboard': 'Dashboard',
  'nav.lists': 'Lists',
  'nav.recordings': 'Recordings',
  'nav.campaigns': 'Campaigns',
  'nav.reports': 'Reports',
  'nav.compliance': 'Compliance',
  'nav.settings': 'Settings',
  language: 'Language',
  logout: 'Log out',
  loggedInAs: '{user} ({role})',
  'role.admin': 'admin',
  'role.operator': 'operator',
  'role.viewer': 'viewer',
  sandboxBanner: 'Sandbox: calls go to the simulated network, nobody is really called.',
  notFound: 'There is no page here.',
  forbidden: 'Your role cannot open this page.',
  'outcome.human': 'Answered by a person',
  'outcome.machine-message-left': 'Voicemail, message left',
  'outcome.machine-no-message': 'Voicemail, no message left',
  'outcome.confirmed': 'Confirmed (key pressed)',
  'outcome.opted-out': 'Opted out',
  'outcome.busy': 'Busy',
  'outcome.no-answer': 'No answer',
  'outcome.declined': 'Declined',
  'outcome.invalid-number': 'Invalid number',
  'outcome.trunk-failure': 'Trunk failure',
  'outcome.blocked-by-compliance': 'Blocked by compliance',
  'outcome.interrupted': 'Interrupted',
  'outcome.unknown': 'Unknown',
  'reason.consent-revoked': 'Consent revoked',
  'reason.dnc-internal': 'On the do-not-call list',
  'reason.dnc-registry': 'On a national do-not-call registry',
  'reason.frequency-cap': 'Called too often recently',
  'reason.no-compliance-pack': 'No compliance pack chosen',
  'reason.no-consent': 'No consent recorded',
  'reason.no-legal-window': 'No legal calling hours on any day',
  'reason.no-timezone': 'Time zone unknown',
  'reason.outside-legal-window': 'Outside legal calling hours now',
  'reason.public-holiday': 'Public holiday',
  'reason.refusal-cooldown': 'Refused recently',
  'reason.registry-missing': 'Waiting for a national registry copy the law requires',
  'reason.registry-stale': 'Waiting for a fresh national registry copy',
  'hold.clock-unsynchronised': 'Waiting for clock synchronisation: the system clock is not synchronised (NTP); no call is placed until it is.',
  'hold.clock-unconfirmed': 'Waiting for clock synchronisation: the system clock cannot be confirmed as synchronised (clock.requireSync is on); no call is placed until it is.',
  'reason.restricted-number': 'Restricted number (emergency, premium…)',
  'reason.seller-purpose': 'Not allowed for this seller or purpose',
  'status.draft': 'Draft',
  'status.running': 'Running',
  'status.paused': 'Paused',
  'status.stopped': 'Stopped',
  'status.completed': 'Completed',
  'purpose.emergency': 'Emergency',
  'purpose.informational': 'Informational',
  'purpose.transactional': 'Transactional',
  'purpose.healthcare': 'Healthcare',
  'purpose.political': 'Political',
  'purpose.marketing': 'Marketing',
};

type Key = keyof typeof en;

const fr: Record<Key, string> = {
  ...commonWords.fr,
  appName: 'Boîtier de diffusion vocale',
  skipToContent: 'Aller au contenu',
  mainNav: 'Principal',
  menu: 'Menu',
  'nav.dashboard': 'Tableau de bord',
  'nav.lists': 'Listes',
  'nav.recordings': 'Messages',
  'nav.campaigns': 'Campagnes',
  'nav.reports': 'Rapports',
  'nav.compliance': 'Conformité',
  'nav.settings': 'Réglages',
  language: 'Langue',
  logout: 'Se déconnecter',
  loggedInAs: '{user} ({role})',
  'role.admin': 'administrateur',
  'role.operator': 'opérateur',
  'role.viewer': 'lecteur',
  sandboxBanner: 'Bac à sable : les appels vont au réseau simulé, personne n’est vraiment appelé.',
  notFound: 'Il n’y a pas de page ici.',
  forbidden: 'Votre rôle ne permet pas d’ouvrir cette page.',
  'outcome.human': 'Décroché par une personne',
  'outcome.machine-message-left': 'Messagerie, message déposé',
  'outcome.machine-no-message': 'Messagerie, pas de message',
  'outcome.confirmed': 'Confirmé (touche)',
  'outcome.opted-out': 'Opposition',
  'outcome.busy': 'Occupé',
  'outcome.no-answer': 'Pas de réponse',
  'outcome.declined': 'Refusé',
  'outcome.invalid-number': 'Numéro invalide',
  'outcome.trunk-failure': 'Panne de ligne',
  'outcome.blocked-by-compliance': 'Bloqué par la conformité',
  'outcome.interrupted': 'Interrompu',
  'outcome.unknown': 'Inconnu',
  'reason.consent-revoked': 'Consentement retiré',
  'reason.dnc-internal': 'Sur la liste d’opposition',
  'reason.dnc-registry': 'Sur une liste nationale d’opposition',
  'reason.frequency-cap': 'Appelé trop souvent récemment',
  'reason.no-compliance-pack': 'Aucun référentiel de conformité choisi',
  'reason.no-consent': 'Aucun consentement enregistré',
  'reason.no-legal-window': 'Aucune plage horaire légale',
  'reason.no-timezone': 'Fuseau horaire inconnu',
  'reason.outside-legal-window': 'Hors des horaires légaux en ce moment',
  'reason.public-holiday': 'Jour férié',
  'reason.refusal-cooldown': 'A refusé récemment',
  'reason.registry-missing': 'En attente d’une copie de la liste nationale d’opposition exigée par la loi',
  'reason.registry-stale': 'En attente d’une copie récente de la liste nationale d’opposition',
  'hold.clock-unsynchronised': 'En attente de la synchronisation de l’horloge : l’horloge du système n’est pas synchronisée (NTP) ; aucun appel ne part tant qu’elle ne l’est pas.',
  'hold.clock-unconfirmed': 'En attente de la synchronisation de l’horloge : rien ne confirme que l’horloge du système est synchronisée (clock.requireSync est activé) ; aucun appel ne part tant que ce n’est pas confirmé.',
  'reason.restricted-number': 'Numéro restreint (urgence, surtaxé…)',
  'reason.seller-purpose': 'Non autorisé pour ce vendeur ou cet objet',
  'status.draft': 'Brouillon',
  'status.running': 'En cours',
  'status.paused': 'En pause',
  'status.stopped': 'Arrêtée',
  'status.completed': 'Terminée',
  'purpose.emergency': 'Urgence',
  'purpose.informational': 'Information',
  'purpose.transactional': 'Transactionnel',
  'purpose.healthcare': 'Santé',
  'purpose.political': 'Politique',
  'purpose.marketing': 'Prospection commerciale',
};

export type ShellKey = Key;
export const t = makeT<Key>({ en, fr });

function lookup(prefix: string, code: string): string {
  const key = `${prefix}.${code}`;
  return key in en ? t(key as Key) : code;
}

export const outcomeLabel = (code: string): string => lookup('outcome', code);
export const reasonLabel = (code: string): string => lookup('reason', code);
export const statusLabel = (code: string): string => lookup('status', code);
export const purposeLabel = (code: string): string => lookup('purpose', code);
// Typed by the box's codes: a new reason to hold calls does not compile until it has words here.
const HOLD_KEYS: Record<HoldCode, Key> = { 'clock-unsynchronised': 'hold.clock-unsynchronised', 'clock-unconfirmed': 'hold.clock-unconfirmed' };

/** Why a running campaign places no call: the box's code in the page's language, else its own words. */
export const holdText = (code: string | null | undefined, reason: string): string =>
  (code && Object.hasOwn(HOLD_KEYS, code) ? t(HOLD_KEYS[code as HoldCode]) : reason);

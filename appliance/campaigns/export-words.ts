// The words of the results export (CSV and XLSX) in English and French: column headers, contact states,
// call outcomes and block reasons as the web UI names them. Codes stay in their own columns.
export type ExportLang = 'en' | 'fr';

const en = {
  row: 'Row in the file',
  number: 'Number',
  name: 'Contact name',
  state: 'State',
  stateCode: 'State (code)',
  finalOutcome: 'Final outcome',
  finalOutcomeCode: 'Final outcome (code)',
  lastOutcome: 'Last call outcome',
  lastOutcomeCode: 'Last call outcome (code)',
  attempts: 'Attempts',
  firstCall: 'First call ({zone})',
  lastCall: 'Last call ({zone})',
  ringS: 'Ring time of the last call (s)',
  talkS: 'Talk time of the last call (s)',
  totalTalkS: 'Total talk time (s)',
  keys: 'Keys pressed',
  sipCode: 'Last SIP code',
  q850: 'Last Q.850 cause',
  blockReason: 'Blocked because',
  blockReasonCode: 'Blocked because (code)',
  sheet: 'Results',
  fileSuffix: 'results',
} as const;

type HeaderKey = keyof typeof en;

const fr: Record<HeaderKey, string> = {
  row: 'Ligne du fichier',
  number: 'Numéro',
  name: 'Nom du contact',
  state: 'État',
  stateCode: 'État (code)',
  finalOutcome: 'Résultat final',
  finalOutcomeCode: 'Résultat final (code)',
  lastOutcome: 'Résultat du dernier appel',
  lastOutcomeCode: 'Résultat du dernier appel (code)',
  attempts: 'Tentatives',
  firstCall: 'Premier appel ({zone})',
  lastCall: 'Dernier appel ({zone})',
  ringS: 'Sonnerie du dernier appel (s)',
  talkS: 'Conversation du dernier appel (s)',
  totalTalkS: 'Conversation totale (s)',
  keys: 'Touches tapées',
  sipCode: 'Dernier code SIP',
  q850: 'Dernière cause Q.850',
  blockReason: 'Bloqué car',
  blockReasonCode: 'Bloqué car (code)',
  sheet: 'Résultats',
  fileSuffix: 'résultats',
};

const outcomes: Record<ExportLang, Record<string, string>> = {
  en: {
    human: 'Answered by a person', 'machine-message-left': 'Voicemail, message left', 'machine-no-message': 'Voicemail, no message left',
    confirmed: 'Confirmed (key pressed)', 'opted-out': 'Opted out', busy: 'Busy', 'no-answer': 'No answer', declined: 'Declined',
    'invalid-number': 'Invalid number', 'trunk-failure': 'Trunk failure', 'blocked-by-compliance': 'Blocked by compliance', interrupted: 'Interrupted',
  },
  fr: {
    human: 'Décroché par une personne', 'machine-message-left': 'Messagerie, message déposé', 'machine-no-message': 'Messagerie, pas de message',
    confirmed: 'Confirmé (touche)', 'opted-out': 'Opposition', busy: 'Occupé', 'no-answer': 'Pas de réponse', declined: 'Refusé',
    'invalid-number': 'Numéro invalide', 'trunk-failure': 'Panne de ligne', 'blocked-by-compliance': 'Bloqué par la conformité', interrupted: 'Interrompu',
  },
};

const states: Record<ExportLang, Record<string, string>> = {
  en: { pending: 'Not called yet', calling: 'Being called', waiting: 'Waiting for a retry', done: 'Finished', blocked: 'Blocked', stopped: 'Stopped (campaign stopped)' },
  fr: { pending: 'Pas encore appelé', calling: 'En cours d’appel', waiting: 'En attente d’un nouvel essai', done: 'Terminé', blocked: 'Bloqué', stopped: 'Arrêté (campagne arrêtée)' },
};

const reasons: Record<ExportLang, Record<string, string>> = {
  en: {
    'consent-revoked': 'Consent revoked', 'dnc-internal': 'On the do-not-call list', 'dnc-registry': 'On a national do-not-call registry',
    'frequency-cap': 'Called too often recently', 'no-compliance-pack': 'No compliance pack chosen', 'no-consent': 'No consent recorded',
    'no-legal-window': 'No legal calling hours on any day', 'no-timezone': 'Time zone unknown', 'outside-legal-window': 'Outside legal calling hours',
    'public-holiday': 'Public holiday', 'refusal-cooldown': 'Refused recently', 'restricted-number': 'Restricted number (emergency, premium…)',
    'seller-purpose': 'Not allowed for this seller or purpose',
  },
  fr: {
    'consent-revoked': 'Consentement retiré', 'dnc-internal': 'Sur la liste d’opposition', 'dnc-registry': 'Sur une liste nationale d’opposition',
    'frequency-cap': 'Appelé trop souvent récemment', 'no-compliance-pack': 'Aucun référentiel de conformité choisi', 'no-consent': 'Aucun consentement enregistré',
    'no-legal-window': 'Aucune plage horaire légale', 'no-timezone': 'Fuseau horaire inconnu', 'outside-legal-window': 'Hors des horaires légaux',
    'public-holiday': 'Jour férié', 'refusal-cooldown': 'A refusé récemment', 'restricted-number': 'Numéro restreint (urgence, surtaxé…)',
    'seller-purpose': 'Non autorisé pour ce vendeur ou cet objet',
  },
};

export interface ExportWords {
  header(key: HeaderKey, zone?: string): string;
  outcome(code: string | null): string;
  state(code: string | null): string;
  reason(code: string | null): string;
}

/** The export's words in one language; an unknown code is shown as itself rather than dropped. */
export function exportWords(lang: ExportLang): ExportWords {
  const h = lang === 'fr' ? fr : en;
  const word = (table: Record<string, string>) => (code: string | null): string => (code === null ? '' : table[code] ?? code);
  return {
    header: (key, zone) => h[key].replace('{zone}', zone ?? ''),
    outcome: word(outcomes[lang]),
    state: word(states[lang]),
    reason: word(reasons[lang]),
  };
}

/** 'fr' when the query asks for it or the browser prefers French; English otherwise. */
export function exportLang(query: string | undefined, acceptLanguage: string | undefined): ExportLang {
  if (query === 'fr' || query === 'en') return query;
  const first = (acceptLanguage ?? '').split(',')[0]?.trim().slice(0, 2).toLowerCase();
  return first === 'fr' ? 'fr' : 'en';
}

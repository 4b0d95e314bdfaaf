// English and French: every string the console shows is a key of EN, and FR must have every key
// (the type says so, so a missing French word does not compile). The language comes from the
// switch (remembered), else the browser.
import { useEffect, useState } from 'preact/hooks';

const EN = {
  title: 'Fleet console',
  language: 'Français',
  languageLabel: 'Afficher en français',
  username: 'User name',
  password: 'Password',
  login: 'Log in',
  logout: 'Log out',
  loggedInAs: 'Signed in as {user} ({role})',
  navBoxes: 'Boxes',
  navAlerts: 'Alerts',
  navCommands: 'Commands',
  navRollouts: 'Configuration',
  navAudit: 'Audit',
  boxes: 'Boxes',
  noBoxes: 'No box has reported yet.',
  box: 'Box',
  state: 'State',
  online: 'online',
  offline: 'offline',
  version: 'Version',
  engine: 'Engine',
  clock: 'Clock',
  clockOk: 'synchronised',
  clockBad: 'not synchronised',
  trunks: 'Trunks',
  activeCalls: 'Active calls',
  runningCampaigns: 'Running campaigns',
  disk: 'Disk',
  cpuTemp: 'CPU temperature',
  unknown: '–',
  alerts: 'Open alerts',
  noAlerts: 'No open alert.',
  alertKind: 'Alert',
  openedAt: 'Since',
  detail: 'Detail',
  'alert.offline': 'Offline too long',
  'alert.trunk-down': 'Trunk down',
  'alert.clock-unsynchronised': 'Clock not synchronised',
  'alert.disk-full': 'Disk over 90 %',
  'alert.event-gap': 'Events missing',
  'alert.config-rejected': 'Configuration rejected',
  back: 'Back to the boxes',
  charts: 'Telemetry (last six hours)',
  chartCpu: 'CPU load (%)',
  chartTemp: 'CPU temperature (°C)',
  chartCalls: 'Active calls',
  noSamples: 'No sample yet.',
  events: 'Events',
  noEvents: 'No event yet.',
  seq: 'No.',
  type: 'Type',
  at: 'At',
  campaigns: 'Campaigns',
  groups: 'Groups',
  noGroups: 'No group yet.',
  groupName: 'Group name',
  groupBoxes: 'Boxes of the group',
  saveGroup: 'Save the group',
  groupSaved: 'Group {name} saved.',
  emergency: 'Emergency stop',
  emergencyHelp: 'Pauses every running campaign on every box of the group.',
  emergencyGroup: 'Group to stop',
  emergencyButton: 'Pause every campaign',
  emergencyConfirm: 'Pause every running campaign on the boxes of group {name}?',
  emergencySent: 'Emergency stop sent to {n} box(es).',
  commands: 'Commands and answers',
  noCommands: 'No command yet.',
  command: 'Command',
  answer: 'Answer',
  waiting: 'waiting for the box',
  answerOk: 'done',
  answerError: 'refused',
  paused: 'paused: {ids}',
  nothingRunning: 'no campaign was running',
  rollouts: 'Staged rollouts',
  rolloutHelp: 'One box first, then 10 % of the group, then all; the first rejection stops the rollout.',
  rolloutGroup: 'Group',
  rolloutSettings: 'Desired settings (JSON, merged into each box\'s settings)',
  rolloutStart: 'Start the rollout',
  rolloutStarted: 'Rollout {id} started (version {version}).',
  rolloutBadJson: 'The settings are not a JSON object: {reason}',
  noRollouts: 'No rollout yet.',
  rolloutState: 'State',
  'rollout.running': 'running (step {step})',
  'rollout.done': 'done',
  'rollout.stopped': 'stopped at {box}: {reason}',
  'rolloutBox.applied': 'applied',
  'rolloutBox.rejected': 'rejected',
  'rolloutBox.sent': 'sent, waiting',
  'rolloutBox.notSent': 'not sent',
  audit: 'Audit of console actions',
  actor: 'Who',
  action: 'What',
  target: 'On',
  outcome: 'Outcome',
  'outcome.ok': 'done',
  'outcome.refused': 'refused',
  loading: 'Loading…',
  'err.E_AUTH': 'Your session has ended; log in again.',
  'err.E_FORBIDDEN': 'Your role does not allow this.',
  'err.E_LOGIN': 'Wrong user name or password.',
  'err.E_LOGIN_LIMIT': 'Too many failed logins; wait a minute.',
  'err.E_INVALID': 'The request is not valid: {message}',
  'err.E_NOT_FOUND': 'Not found: {message}',
  'err.E_CONFLICT': 'Not now: {message}',
  'err.E_INTERNAL': 'The fleet manager failed; see its log.',
  'err.network': 'The fleet manager cannot be reached.',
} as const;

export type Key = keyof typeof EN;

const FR: Record<Key, string> = {
  title: 'Console de la flotte',
  language: 'English',
  languageLabel: 'Show in English',
  username: 'Nom d\'utilisateur',
  password: 'Mot de passe',
  login: 'Se connecter',
  logout: 'Se déconnecter',
  loggedInAs: 'Connecté : {user} ({role})',
  navBoxes: 'Boîtiers',
  navAlerts: 'Alertes',
  navCommands: 'Commandes',
  navRollouts: 'Configuration',
  navAudit: 'Journal',
  boxes: 'Boîtiers',
  noBoxes: 'Aucun boîtier ne s\'est encore manifesté.',
  box: 'Boîtier',
  state: 'État',
  online: 'en ligne',
  offline: 'hors ligne',
  version: 'Version',
  engine: 'Moteur',
  clock: 'Horloge',
  clockOk: 'synchronisée',
  clockBad: 'non synchronisée',
  trunks: 'Lignes',
  activeCalls: 'Appels en cours',
  runningCampaigns: 'Campagnes en cours',
  disk: 'Disque',
  cpuTemp: 'Température du processeur',
  unknown: '–',
  alerts: 'Alertes ouvertes',
  noAlerts: 'Aucune alerte ouverte.',
  alertKind: 'Alerte',
  openedAt: 'Depuis',
  detail: 'Détail',
  'alert.offline': 'Hors ligne trop longtemps',
  'alert.trunk-down': 'Ligne en panne',
  'alert.clock-unsynchronised': 'Horloge non synchronisée',
  'alert.disk-full': 'Disque plein à plus de 90 %',
  'alert.event-gap': 'Événements manquants',
  'alert.config-rejected': 'Configuration refusée',
  back: 'Retour aux boîtiers',
  charts: 'Télémesure (six dernières heures)',
  chartCpu: 'Charge du processeur (%)',
  chartTemp: 'Température du processeur (°C)',
  chartCalls: 'Appels en cours',
  noSamples: 'Aucune mesure pour l\'instant.',
  events: 'Événements',
  noEvents: 'Aucun événement pour l\'instant.',
  seq: 'N°',
  type: 'Type',
  at: 'Date',
  campaigns: 'Campagnes',
  groups: 'Groupes',
  noGroups: 'Aucun groupe pour l\'instant.',
  groupName: 'Nom du groupe',
  groupBoxes: 'Boîtiers du groupe',
  saveGroup: 'Enregistrer le groupe',
  groupSaved: 'Groupe {name} enregistré.',
  emergency: 'Arrêt d\'urgence',
  emergencyHelp: 'Met en pause toutes les campagnes en cours sur tous les boîtiers du groupe.',
  emergencyGroup: 'Groupe à arrêter',
  emergencyButton: 'Mettre en pause toutes les campagnes',
  emergencyConfirm: 'Mettre en pause toutes les campagnes en cours des boîtiers du groupe {name} ?',
  emergencySent: 'Arrêt d\'urgence envoyé à {n} boîtier(s).',
  commands: 'Commandes et réponses',
  noCommands: 'Aucune commande pour l\'instant.',
  command: 'Commande',
  answer: 'Réponse',
  waiting: 'en attente du boîtier',
  answerOk: 'fait',
  answerError: 'refusé',
  paused: 'en pause : {ids}',
  nothingRunning: 'aucune campagne n\'était en cours',
  rollouts: 'Déploiements progressifs',
  rolloutHelp: 'Un boîtier d\'abord, puis 10 % du groupe, puis tous ; le premier refus arrête le déploiement.',
  rolloutGroup: 'Groupe',
  rolloutSettings: 'Réglages souhaités (JSON, fusionnés dans les réglages de chaque boîtier)',
  rolloutStart: 'Lancer le déploiement',
  rolloutStarted: 'Déploiement {id} lancé (version {version}).',
  rolloutBadJson: 'Les réglages ne sont pas un objet JSON : {reason}',
  noRollouts: 'Aucun déploiement pour l\'instant.',
  rolloutState: 'État',
  'rollout.running': 'en cours (étape {step})',
  'rollout.done': 'terminé',
  'rollout.stopped': 'arrêté sur {box} : {reason}',
  'rolloutBox.applied': 'appliqué',
  'rolloutBox.rejected': 'refusé',
  'rolloutBox.sent': 'envoyé, en attente',
  'rolloutBox.notSent': 'pas envoyé',
  audit: 'Journal des actions de la console',
  actor: 'Qui',
  action: 'Quoi',
  target: 'Sur',
  outcome: 'Résultat',
  'outcome.ok': 'fait',
  'outcome.refused': 'refusé',
  loading: 'Chargement…',
  'err.E_AUTH': 'Votre session a pris fin ; reconnectez-vous.',
  'err.E_FORBIDDEN': 'Votre rôle ne permet pas cela.',
  'err.E_LOGIN': 'Nom d\'utilisateur ou mot de passe incorrect.',
  'err.E_LOGIN_LIMIT': 'Trop d\'échecs de connexion ; attendez une minute.',
  'err.E_INVALID': 'La demande n\'est pas valable : {message}',
  'err.E_NOT_FOUND': 'Introuvable : {message}',
  'err.E_CONFLICT': 'Pas maintenant : {message}',
  'err.E_INTERNAL': 'Le gestionnaire de flotte a échoué ; voir son journal.',
  'err.network': 'Le gestionnaire de flotte est injoignable.',
};

export type Lang = 'en' | 'fr';
const KEY = 'fleet.lang';

function initial(): Lang {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === 'en' || saved === 'fr') return saved;
  } catch { /* storage blocked: use the browser's language */ }
  return (navigator.languages ?? [navigator.language]).some((l) => l.toLowerCase().startsWith('fr')) ? 'fr' : 'en';
}

let lang: Lang = initial();
const listeners = new Set<() => void>();

export function setLang(l: Lang): void {
  lang = l;
  try { localStorage.setItem(KEY, l); } catch { /* applied, not remembered */ }
  document.documentElement.lang = l;
  for (const f of listeners) f();
}

export const getLang = (): Lang => lang;

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const text = lang === 'fr' ? FR[key] : EN[key];
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

/** Whether a dynamic key (an alert kind, an error code) has words. */
export const hasKey = (k: string): k is Key => k in EN;

/** Re-renders the caller when the language changes. */
export function useLang(): Lang {
  const [, set] = useState(0);
  useEffect(() => {
    const f = (): void => set((n) => n + 1);
    listeners.add(f);
    document.documentElement.lang = lang;
    return () => { listeners.delete(f); };
  }, []);
  return lang;
}

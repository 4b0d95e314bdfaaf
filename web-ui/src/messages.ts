// The shell's own messages: navigation, language switch, banners. Pages keep theirs in their folder.
import { makeT } from './i18n.ts';

const en = {
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
  loading: 'Loading…',
  cancel: 'Cancel',
  save: 'Save',
  delete: 'Delete',
  retry: 'Try again',
};

type Key = keyof typeof en;

const fr: Record<Key, string> = {
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
  loading: 'Chargement…',
  cancel: 'Annuler',
  save: 'Enregistrer',
  delete: 'Supprimer',
  retry: 'Réessayer',
};

export type ShellKey = Key;
export const t = makeT<Key>({ en, fr });

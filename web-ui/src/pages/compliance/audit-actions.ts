// The audit log's actions in the page's language. The log keeps its stable codes (they are what the hash
// chain and the fleet read); the page shows the words, with the code beside them. An action this page
// does not know yet is shown as its code.
import { makeT } from '../../i18n.ts';

const en = {
  'audit.keyed': 'Audit key set',
  'callerid.add': 'Caller ID added',
  'callerid.relabel': 'Caller ID renamed',
  'callerid.remove': 'Caller ID removed',
  'callerid.verify-start': 'Caller ID check started',
  'callerid.verified': 'Caller ID verified',
  'callerid.verify-failed': 'Caller ID check failed',
  'callerid.verify-expired': 'Caller ID check expired',
  'campaign.create': 'Campaign created',
  'campaign.update': 'Campaign changed',
  'campaign.duplicate': 'Campaign duplicated',
  'campaign.delete': 'Campaign deleted',
  'campaign.start': 'Campaign started',
  'campaign.pause': 'Campaign paused',
  'campaign.resume': 'Campaign resumed',
  'campaign.stop': 'Campaign stopped',
  'consent.record': 'Consent recorded',
  'consent.revoke': 'Consent withdrawn',
  'dnc.add': 'Added to the do-not-call list',
  'dnc.import': 'Do-not-call numbers imported',
  'dnc.optout': 'Opt-out during a call',
  'dnc.remove': 'Removed from the do-not-call list',
  'gate.allow': 'Call allowed by the rules',
  'gate.block': 'Call blocked by the rules',
  'list.import': 'List imported',
  'list.delete': 'List deleted',
  'recording.upload': 'Recording uploaded',
  'recording.tts': 'Recording made from text',
  'recording.rename': 'Recording renamed',
  'recording.delete': 'Recording deleted',
  'registry.import': 'National registry copy imported',
  'settings.update': 'Settings changed',
  'settings.desired': 'Settings pushed by the fleet',
  'trunk.test-call': 'Trunk test call',
  'user.add': 'User added',
  'user.update': 'User changed',
  'user.password': 'Password changed',
  'user.delete': 'User deleted',
  refused: 'Refused attempt: {action}',
};
type Key = keyof typeof en;

const fr: Record<Key, string> = {
  'audit.keyed': 'Clé d’audit définie',
  'callerid.add': 'Numéro présenté ajouté',
  'callerid.relabel': 'Numéro présenté renommé',
  'callerid.remove': 'Numéro présenté retiré',
  'callerid.verify-start': 'Vérification d’un numéro présenté lancée',
  'callerid.verified': 'Numéro présenté vérifié',
  'callerid.verify-failed': 'Vérification d’un numéro présenté échouée',
  'callerid.verify-expired': 'Vérification d’un numéro présenté expirée',
  'campaign.create': 'Campagne créée',
  'campaign.update': 'Campagne modifiée',
  'campaign.duplicate': 'Campagne dupliquée',
  'campaign.delete': 'Campagne supprimée',
  'campaign.start': 'Campagne démarrée',
  'campaign.pause': 'Campagne mise en pause',
  'campaign.resume': 'Campagne reprise',
  'campaign.stop': 'Campagne arrêtée',
  'consent.record': 'Consentement enregistré',
  'consent.revoke': 'Consentement retiré',
  'dnc.add': 'Ajouté à la liste d’opposition',
  'dnc.import': 'Numéros d’opposition importés',
  'dnc.optout': 'Opposition pendant un appel',
  'dnc.remove': 'Retiré de la liste d’opposition',
  'gate.allow': 'Appel permis par les règles',
  'gate.block': 'Appel bloqué par les règles',
  'list.import': 'Liste importée',
  'list.delete': 'Liste supprimée',
  'recording.upload': 'Message envoyé',
  'recording.tts': 'Message créé par synthèse vocale',
  'recording.rename': 'Message renommé',
  'recording.delete': 'Message supprimé',
  'registry.import': 'Copie d’une liste nationale importée',
  'settings.update': 'Réglages modifiés',
  'settings.desired': 'Réglages envoyés par la flotte',
  'trunk.test-call': 'Appel de test sur une ligne',
  'user.add': 'Utilisateur ajouté',
  'user.update': 'Utilisateur modifié',
  'user.password': 'Mot de passe changé',
  'user.delete': 'Utilisateur supprimé',
  refused: 'Tentative refusée : {action}',
};

const t = makeT({ en, fr });
const known = (k: string): k is Key => k in en && k !== 'refused';

/** "campaign.start" → "Campaign started"; "campaign.start-refused" → "Refused attempt: Campaign started". */
export function auditActionLabel(code: string): string {
  const refused = /^(.+)-refused$/.exec(code);
  const base = refused ? refused[1]! : code;
  if (!known(base)) return code;
  return refused ? t('refused', { action: t(base) }) : t(base);
}

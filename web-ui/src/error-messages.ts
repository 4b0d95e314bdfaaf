// The box's errors in the page's language. The box answers an English message with a stable code and a
// `where` object; French text comes from the table below, filled from `where`. English keeps the box's words.
import type { ErrorCode } from '../../appliance/http/contract/errors.ts';
import type { StartProblemCode } from '../../appliance/http/contract/compliance.ts';
import { getLang, type Lang } from './i18n.ts';

export type Where = Record<string, string | number>;

// `{name}` is filled from where; a `[...]` part shows only when every {name} inside it is known.
// Typed by the server's registry, so a new code does not compile until it has its French words.
export const FR_BY_CODE: Record<ErrorCode, string> = {
  E_CONFIG_INVALID: 'Réglage non valide[ : {key}].',
  E_CONFIG_WRITE: 'Les réglages n’ont pas pu être enregistrés[ ({file})].',
  E_STORE_MIGRATION: 'La mise à jour de la base de données a échoué[ (migration {migration})].',
  E_STORE_LOCKED: 'Le dossier d’état est utilisé par une autre instance[ (pid {pid})].',
  E_USAGE: 'Commande mal utilisée[ : option --{option}].',
  E_NOT_FOUND: 'Introuvable[ : message « {recording} »][ : liste {list}][ : campagne {campaign}][ : identifiant d’appelant {callerId}][ : vérification {verification}][ : utilisateur « {username} »].',
  E_TRUNK_UNKNOWN: 'Ligne inconnue : choisissez une ligne activée, ou configurez une ligne par défaut.',
  E_TRUNK_AUTH: 'L’opérateur a refusé nos identifiants.',
  E_TRUNK_DOWN: 'Ligne indisponible.',
  E_TRUNK_BUSY: 'Tous les canaux de la ligne sont occupés.',
  E_DIAL_TARGET: 'Impossible d’appeler cette cible : donnez un numéro E.164 (+33612345678) ou une adresse sip:.',
  E_CALL_ENDED: 'L’appel est terminé.',
  E_SIP_TRANSPORT: 'Panne du transport SIP.',
  E_RTP_PORTS: 'Aucun port RTP libre.',
  E_SDP: 'Description de média (SDP) inutilisable reçue de l’autre côté.',
  E_PROMPT: 'Enregistrement inutilisable[ (option --{option})].',
  E_IMPORT_FILE: 'Le fichier de contacts est vide ou illisible[ (ligne {row})] : envoyez un fichier CSV ou Excel (.xlsx) qui contient des contacts.',
  E_IMPORT_ROW: 'Ligne non valide dans le fichier de contacts[ : ligne {row}][, colonne « {column} »][, champ {field}].',
  E_IMPORT_MAPPING: 'Correspondance des colonnes non valide[ : la colonne « {column} » n’est pas dans le fichier][ : pays « {country} » inconnu, donnez un code à deux lettres comme FR][ : champ {field}][ : champ {key}].',
  E_LIST_EXISTS: 'Une liste de contacts porte déjà ce nom[ (« {list} »)] : choisissez-en un autre ou supprimez-la d’abord.',
  E_LIST_IN_USE: 'Une campagne utilise cette liste : arrêtez-la ou supprimez-la d’abord.',
  E_CAMPAIGN_STATE: 'La campagne ne peut pas faire cela dans son état actuel.',
  E_CAMPAIGN_IN_USE: 'Cette campagne ne peut pas être supprimée : elle est en cours, ou a déjà passé des appels (gardés comme preuve pour la conformité).',
  E_CAMPAIGN_INVALID: 'Campagne non valide[ : champ {field}].',
  E_COMPLIANCE: 'Bloqué par les règles de conformité[ : {reason}].',
  E_CALLER_ID: 'Identifiant d’appelant non autorisé (non vérifié, non valide, hors plage ou utilisé par une campagne)[ : {callerId}].',
  E_VERIFICATION: 'La vérification de l’identifiant d’appelant ne peut pas avoir lieu.',
  E_AUTH: 'Vous n’êtes pas connecté, ou votre session a expiré : reconnectez-vous.',
  E_FORBIDDEN: 'Action non autorisée.',
  E_REQUEST_INVALID: 'Demande non valide[ : champ {field}][ : champ {key}][ : en-tête {header}].',
  E_TOO_LARGE: 'Fichier trop volumineux[ (limite : {limitMb} Mo)] : découpez-le en fichiers plus petits.',
  E_RATE_LIMITED: 'Trop d’essais[ : réessayez dans {retryAfterSec} s].',
  E_FLEET_COMMAND: 'Commande de flotte non valide[ : champ {field}].',
  E_CLOCK_UNSYNCED: 'L’horloge du système n’est pas synchronisée.',
  E_FLEET_CONFIG: 'Configuration souhaitée non valide[ : champ {field}].',
  E_TOOL_MISSING: 'Il manque au boîtier un programme pour cela[ ({tool})] : installez le paquet Debian[ « {package} » (sudo apt-get install -y {package})].',
  E_IMPORT_EMPTY: 'Aucun contact à importer[ de « {file} »] : aucune liste n’a été créée.',
  E_TLS_CERTIFICATE: 'Certificat ou clé privée inutilisable[ (champ {field})].',
  E_RECORDING_TOKENS: 'Un enregistrement est le même pour tous les contacts : il lirait à voix haute le nom des champs entre accolades[ ({tokens})]. Pour un message personnalisé par contact, choisissez « Synthèse vocale, personnalisée par contact » dans le formulaire de la campagne.',
  // flows (issue 15)
  E_FLOW_INVALID: 'Scénario d’appel non valide[ : champ {field}].',
  // WebRTC legs (issue 16, media/webrtc)
  E_WEBRTC_SDP: 'Description de session WebRTC inutilisable : le navigateur doit proposer de l’audio G.711 (PCMU ou PCMA) chiffré (DTLS-SRTP).',
  E_WEBRTC_CONNECT: 'Le son WebRTC n’a pas pu s’établir avec le navigateur (ICE ou DTLS).',
  E_SOFTPHONE_OFF: 'Votre téléphone du navigateur ne prend pas d’appels[ ({user})] : cliquez sur « Prendre les appels » dans l’en-tête, puis réessayez.',
  E_CALL_NOT_ANSWERED: 'Cet appel n’est pas encore décroché : écoutez-le une fois qu’il l’est.',
  E_LISTEN_IN_OFF: 'L’écoute des appels est désactivée dans les réglages (staff.listenIn) : un administrateur peut l’activer.',
};

// `CODE:key` wins over `CODE` when the error's where has that key; also the codes the page makes itself.
const FR_BY_WHERE: Record<string, string> = {
  'E_CAMPAIGN_INVALID:phone': '« {phone} » n’est pas un numéro de téléphone[ pour {fieldFr}] : tapez-le comme on le compose[ en {countryFr}] ou au format international, avec + et l’indicatif du pays (+33 4 78 00 00 00).',
  'E_CAMPAIGN_INVALID:missingPhone': 'Il manque un numéro de téléphone[ pour {fieldFr}] : tapez-le comme on le compose[ en {countryFr}] ou au format international, avec + et l’indicatif du pays (+33 4 78 00 00 00).',
  'E_CAMPAIGN_INVALID:count': 'Campagne non valide ({count} à corriger) :',
  'E_CAMPAIGN_INVALID:emptyList': 'La liste de contacts de la campagne « {emptyList} » ne contient aucun contact : la campagne n’a pas démarré et reste un brouillon.',
  'E_IMPORT_EMPTY:headerOnly': 'Le fichier « {file} » n’a qu’une ligne d’en-tête, sans aucun contact dessous : aucune liste n’a été créée. Ajoutez les contacts sous l’en-tête (une ligne par contact), puis importez-le à nouveau.',
  'E_IMPORT_EMPTY:firstRejectedRow': 'Aucune des {rows} lignes du fichier « {file} » n’a de numéro de téléphone utilisable (première refusée : ligne {firstRejectedRow}, colonne « {column} ») : aucune liste n’a été créée. Vérifiez la colonne choisie pour le téléphone et le pays.',
  'E_TLS_CERTIFICATE:installed': 'Le boîtier sert déjà son propre certificat : aucun certificat n’est installé.',
  'E_TLS_CERTIFICATE:https': 'Le HTTPS est désactivé dans les réglages (http.tls.enabled) : le boîtier ne sert aucun certificat.',
  'E_CONFIG_INVALID:file': 'Le fichier de réglages {file} n’est pas valide.',
  'E_NOT_FOUND:uploadId': 'Ce fichier envoyé n’est plus là (déjà importé, expiré après une heure ou envoyé par un autre utilisateur) : envoyez-le à nouveau.',
  'E_CAMPAIGN_STATE:locked': 'Cette campagne a démarré : son objet, son référentiel, son vendeur, son numéro présenté et ses lignes ne peuvent plus changer (seuls les plages horaires, le rythme, les rappels et les messages le peuvent) ; dupliquez-la pour en faire un nouveau brouillon.',
  'E_CAMPAIGN_STATE:editState': 'Seule une campagne en brouillon ou en pause peut être modifiée : mettez-la en pause d’abord.',
  'E_CAMPAIGN_STATE:recording': 'Le message « {recording} » est utilisé par une campagne qui n’est pas terminée.',
  'E_CALLER_ID:reason': 'Identifiant d’appelant non autorisé[ ({callerId})] : {reason}.',
  'E_AUTH:field': 'Identifiant ou mot de passe incorrect.',
  'E_FORBIDDEN:role': 'Il faut le rôle {role} pour cela.',
  'E_FORBIDDEN:header': 'Demande refusée (en-tête {header}) : rechargez la page.',
  'E_HTTP:status': 'Le boîtier a répondu {status}.',
  E_NETWORK: 'Le boîtier ne répond pas ; vérifiez le réseau.',
  E_INTERNAL: 'Un problème est survenu sur le boîtier ; les détails sont dans son journal.',
};

// Why a campaign may not start (where.reason of E_COMPLIANCE and E_CALLER_ID), typed by the box's codes.
const FR_REASONS: Record<StartProblemCode, string> = {
  'no-compliance-pack': 'aucun référentiel de conformité choisi',
  'registry-missing': 'aucune copie importée de la liste nationale d’opposition',
  'registry-stale': 'la copie de la liste nationale d’opposition est trop ancienne',
  'caller-id-invalid': 'numéro non valide',
  'caller-id-unverified': 'numéro non vérifié',
  'caller-id-range': 'numéro hors des plages permises',
  'caller-id-forbidden': 'numéro dans une plage interdite',
  'script-identification': 'le message ne dit pas qui appelle',
  'script-callback': 'le message ne donne pas de numéro de rappel',
  'script-opt-out': 'le message n’annonce pas la touche d’opposition',
  'script-opt-out-late': 'le message annonce la touche d’opposition trop tard',
  'script-voicemail': 'le message laissé sur messagerie ne dit pas qui appelle',
};

const FR_ROLES: Record<string, string> = { admin: 'administrateur', operator: 'opérateur', viewer: 'lecteur' };

const own = (table: Record<string, string>, key: string): string | undefined => (Object.hasOwn(table, key) ? table[key] : undefined);

export const FR_PHONE_FIELDS: Record<string, string> = {
  callerId: 'le numéro présenté', 'script.callbackNumber': 'le numéro de rappel', 'script.voicemail.callbackNumber': 'le numéro de rappel du message de messagerie',
};

/** "France" as the French write it after "en" (a country name; the preposition is kept simple). */
function frenchCountry(cc: string): string {
  try {
    return new Intl.DisplayNames(['fr'], { type: 'region' }).of(cc) ?? cc;
  } catch {
    return cc;
  }
}

/** Fills `{name}` from vars; drops a `[...]` part when one of its names is unknown. */
export function fillTemplate(text: string, vars: Where): string {
  const known = (s: string): boolean => [...s.matchAll(/\{(\w+)\}/g)].every((m) => Object.hasOwn(vars, m[1]!));
  return text
    .replace(/\[([^\]]*)\]/g, (_all, part: string) => (known(part) ? part : ''))
    .replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(vars, name) ? String(vars[name]) : whole));
}

/** The where values as a person reads them in French: field paths without "body.", reasons and roles in words. */
function frenchVars(where: Where): Where {
  const v: Where = { ...where };
  for (const k of ['field', 'key']) if (typeof v[k] === 'string') v[k] = (v[k] as string).replace(/^(body|querystring|params)\./, '');
  if (typeof v.reason === 'string') v.reason = own(FR_REASONS, v.reason) ?? v.reason;
  if (typeof v.role === 'string') v.role = own(FR_ROLES, v.role) ?? v.role;
  if (typeof v.field === 'string' && Object.hasOwn(FR_PHONE_FIELDS, v.field)) v.fieldFr = FR_PHONE_FIELDS[v.field]!;
  if (typeof v.country === 'string' && /^[A-Z]{2}$/.test(v.country)) v.countryFr = frenchCountry(v.country);
  if (typeof v.limitBytes === 'number') v.limitMb = Math.round(v.limitBytes / 1024 / 1024);
  return v;
}

/** The text to show for an error from the box: in French from the table, else (English, unknown code) the box's own. */
export function errorMessage(code: string, serverMessage: string, where: Where = {}, lang: Lang = getLang()): string {
  if (lang !== 'fr') return serverMessage;
  const byWhere = Object.keys(where).map((k) => own(FR_BY_WHERE, `${code}:${k}`)).find((s) => s !== undefined);
  const text = byWhere ?? own(FR_BY_WHERE, code) ?? own(FR_BY_CODE, code);
  return text === undefined ? serverMessage : fillTemplate(text, frenchVars(where));
}

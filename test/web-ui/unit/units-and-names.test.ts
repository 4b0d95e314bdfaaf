// The page's words for what the box sends as numbers and codes, in English and French: durations with
// their units, sizes in GB/Go, voice, pack, registry and engine names, actors, and the reasons an
// imported row was refused (from the box's code and values, not its English sentence).
import test from 'ava';
import { formatBytes, formatDuration, setLang } from '../../../web-ui/src/i18n.ts';
import { actorLabel, dncReason, engineName, packName, registryName, ruleSource, voiceLabel } from '../../../web-ui/src/names.ts';
import { rowIssueText } from '../../../web-ui/src/pages/lists/row-issues.ts';
import { auditActionLabel } from '../../../web-ui/src/pages/compliance/audit-actions.ts';

// Intl and formatDuration keep a number with its unit by a no-break space (narrow in French).
const nb = (s: string): string => s.replace(/[\u00a0\u202f]/g, ' ');

// One language at a time: the module keeps the page's language.
test.serial('durations carry their units, never a bare 1:15', (t) => {
  setLang('en');
  t.deepEqual([0, 45, 60, 75, 3599, 3600, 4500, 4530, 86_400, 97_200, 200_000].map((s) => nb(formatDuration(s))),
    ['0 s', '45 s', '1 min', '1 min 15 s', '59 min 59 s', '1 h', '1 h 15 min', '1 h 16 min', '1 d', '1 d 3 h', '2 d 8 h']);
  setLang('fr');
  t.deepEqual([45, 75, 4500, 97_200].map((s) => nb(formatDuration(s))), ['45 s', '1 min 15 s', '1 h 15 min', '1 j 3 h']);
  // A number and its unit never part at a line break.
  t.is(formatDuration(75), '1\u00a0min 15\u00a0s');
});

test.serial('sizes in the language\'s units: 2.5 GB, 2,5 Go', (t) => {
  setLang('en');
  t.deepEqual([2.5e9, 512e6, 12e3].map((n) => nb(formatBytes(n))), ['2.5 GB', '512 MB', '12 kB']);
  setLang('fr');
  t.deepEqual([2.5e9, 512e6, 12e3, 1.2e12].map((n) => nb(formatBytes(n))), ['2,5 Go', '512 Mo', '12 ko', '1,2 To']);
});

test.serial('voices, packs, registries, engines and actors are named, not shown as codes', (t) => {
  setLang('fr');
  t.is(voiceLabel('fr+f2'), 'Français, voix féminine 2');
  t.is(voiceLabel('en-us'), 'Anglais américain');
  t.is(voiceLabel('fr-be+m3'), 'Français (Belgique), voix masculine 3');
  t.is(packName('none'), 'Aucune juridiction (choisie exprès ; oppositions seulement)');
  t.is(packName('xx', 'Somewhere (its own name)'), 'Somewhere (its own name)', 'a pack the page does not know keeps the box\'s name');
  t.is(registryName('fr-bloctel'), 'Bloctel (France)');
  t.is(engineName('embedded'), 'intégré');
  t.is(ruleSource('none', 'script', 'the box always offers an opt-out key'), 'le boîtier propose toujours une touche d’opposition');
  t.is(ruleSource('fr', 'script', 'Code de la consommation art. L.221-16'), 'Code de la consommation art. L.221-16', 'a citation is quoted as written');
  t.is(actorLabel('staff:marie'), 'marie');
  t.is(actorLabel('callee'), 'la personne appelée');
  t.is(dncReason('opt-out (keypress)'), 'opposition (touche tapée)');
  t.is(dncReason('asked on the phone'), 'asked on the phone', 'what staff typed stays as typed');
  setLang('en');
  t.is(voiceLabel('fr+f2'), 'French, female voice 2');
  t.is(packName('fr'), 'France (Consumer Code, CPCE)');
  t.is(engineName('embedded'), 'built-in');
  t.is(actorLabel('gate'), 'compliance check');
});

test.serial('a refused row is worded from its code and values; an unknown code keeps the box\'s sentence', (t) => {
  const letters = { reason: 'contains letters (not a number)', code: 'phone-letters', params: { value: 'not a number' } };
  const intl = { reason: 'not a valid FR number (41791234567); …', code: 'phone-international-without-plus', params: { value: '41791234567', country: 'FR', international: '+41791234567' } };
  const second = { reason: 'empty…; used Mobile instead', code: 'phone-too-short', params: { value: '123', digits: 3, usedColumn: 'Mobile' } };
  setLang('fr');
  t.is(rowIssueText(letters, 'fr'), 'contient des lettres (not a number)');
  t.is(rowIssueText(intl, 'fr'), 'numéro non valide (pays : France) (41791234567) ; s’il s’agit du numéro international +41791234567, écrivez-le avec + ou 00');
  t.is(rowIssueText(second, 'fr'), 'trop court (3 chiffres) : 123 ; Mobile utilisé à la place');
  t.is(rowIssueText({ reason: 'a reason from a newer box', code: 'phone-new-thing', params: {} }, 'fr'), 'a reason from a newer box');
  setLang('en');
  t.is(rowIssueText(letters, 'en'), 'contains letters (not a number)');
  t.is(rowIssueText(intl, 'en'), 'not a valid number (country: France) (41791234567); if it is the international number +41791234567, write it with + or 00');
});

test.serial('audit actions are worded; a refused one says so; an unknown one stays its code', (t) => {
  setLang('fr');
  t.is(auditActionLabel('campaign.start'), 'Campagne démarrée');
  t.is(auditActionLabel('dnc.remove-refused'), 'Tentative refusée : Retiré de la liste d’opposition');
  t.is(auditActionLabel('flow.publish'), 'flow.publish');
  setLang('en');
  t.is(auditActionLabel('gate.block'), 'Call blocked by the rules');
});

// A French page says why a campaign may not start in French: every start-problem code the box can send
// has French words, filled from the problem's details; English keeps the box's message; unknown codes too.
import test from 'ava';
import { FR_START_PROBLEMS, startProblemText, type StartProblem } from '../../../web-ui/src/start-problems.ts';
import { purposeLabel } from '../../../web-ui/src/messages.ts';
import { checkCallerId } from '../../../appliance/compliance/caller-id.ts';
import { checkScript } from '../../../appliance/compliance/script-check.ts';
import { PACKS } from '../../../appliance/compliance/packs.ts';

// Every detail the box may send, so each template can be filled in full.
const DETAILS = {
  pack: 'fr', purpose: 'marketing', registry: 'fr-bloctel', ageDays: 41, maxAgeDays: 30, callerId: '+33612345678',
  listed: true, allowedPrefixes: ['+33162', '+33163'], forbiddenPrefix: '+3389', withinSec: 2, scriptDeclared: true,
} as const;

const fr = (p: Partial<StartProblem> & { code: string }): string => startProblemText({ message: 'english words', ...p }, 'fr');

test('every start-problem code has French words, filled in full from the details', (t) => {
  for (const code of Object.keys(FR_START_PROBLEMS)) {
    const full = fr({ code, ...DETAILS, allowedPrefixes: [...DETAILS.allowedPrefixes] });
    t.not(full, 'english words', code);
    t.notRegex(full, /[{}[\]]/, code);
    t.regex(full, /\.$/, code);
    // Without details (an older box) the sentence still reads, with no placeholder left.
    t.notRegex(fr({ code }), /[{}[\]]/, code);
  }
});

test('the details appear in the French words', (t) => {
  const marketing = purposeLabel('marketing');
  t.is(fr({ code: 'registry-stale', ...DETAILS, allowedPrefixes: [] }),
    'La copie de la liste nationale d’opposition fr-bloctel est trop ancienne : téléchargée il y a 41 jours, le référentiel fr en permet au plus 30 ; importez une copie récente (Conformité › Copies des listes nationales).');
  t.is(fr({ code: 'registry-missing', registry: 'fr-bloctel', pack: 'fr', purpose: 'marketing' }),
    `Aucune copie de la liste nationale d’opposition fr-bloctel n’est importée : sous le référentiel fr, les appels « ${marketing} » doivent être filtrés avec elle ; importez-en une (Conformité › Copies des listes nationales).`);
  t.is(fr({ code: 'caller-id-range', callerId: '+33612345678', pack: 'fr', purpose: 'marketing', allowedPrefixes: ['+33162', '+33163'] }),
    `Le numéro présenté +33612345678 n’est pas dans les plages permises : sous le référentiel fr, les appels « ${marketing} » doivent présenter un numéro commençant par +33162, +33163.`);
  t.is(fr({ code: 'script-opt-out-late', withinSec: 2.5 }), 'La touche d’opposition est annoncée trop tard : au plus 2,5 s après l’identification.');
  t.is(fr({ code: 'caller-id-forbidden', callerId: '+19005550100', pack: 'us', forbiddenPrefix: '+1900' }),
    'Le numéro présenté +19005550100 est dans une plage interdite par le référentiel us (+1900…).');
});

test('the variants: a number the box does not know, no script declared, a sandbox-only warning', (t) => {
  t.regex(fr({ code: 'caller-id-unverified', callerId: '+33162000000', listed: true }), /^Le numéro présenté \+33162000000 n’a pas été vérifié : lancez un appel de vérification/);
  t.regex(fr({ code: 'caller-id-unverified', callerId: '+33162000000', listed: false }), /^Le numéro présenté \+33162000000 ne fait pas partie des numéros du boîtier : ajoutez-le/);
  t.is(fr({ code: 'script-callback', scriptDeclared: false }),
    'Le message doit donner un numéro de rappel valide ; indiquez où le message le dit (étape « Contenu du message » de la campagne).');
  t.regex(fr({ code: 'script-callback', scriptDeclared: true, blocking: false }), /^Le message doit donner un numéro de rappel valide \(non appliqué : la campagne n’appelle que le bac à sable.*serait bloqué\)\.$/);
  t.notRegex(fr({ code: 'script-callback', blocking: true }), /bac à sable/);
});

test('the problems the box’s checks make read in French with their details', (t) => {
  const ids = checkCallerId(PACKS.fr, { callerId: '+33142000000', purpose: 'marketing', verified: false });
  t.deepEqual(ids.map((p) => p.code), ['caller-id-unverified', 'caller-id-range']);
  for (const p of ids) t.regex(fr({ ...p, pack: 'fr', purpose: 'marketing' }), /^Le numéro présenté \+33142000000 /);
  t.regex(fr({ ...ids[1]!, pack: 'fr', purpose: 'marketing' }), /commençant par \+33162, \+33163, .*\+33949\.$/);
  const late = checkScript(PACKS.us, { purpose: 'informational', optOutKey: '2', hasVoicemail: false,
    script: { identificationEndsMs: 3000, callbackNumber: '+12025550123', optOutAnnouncedMs: 9000, voicemail: null } });
  t.deepEqual(late.map((p) => p.code), ['script-opt-out-late']);
  t.is(fr(late[0]!), 'La touche d’opposition est annoncée trop tard : au plus 2 s après l’identification.');
});

test('English keeps the box message; an unknown code keeps it in French too', (t) => {
  const p = { code: 'registry-stale', message: 'the fr-bloctel copy was downloaded 41 days ago', ...DETAILS, allowedPrefixes: [] };
  t.is(startProblemText(p, 'en'), 'the fr-bloctel copy was downloaded 41 days ago');
  t.is(startProblemText({ code: 'something-new', message: 'a new problem' }, 'fr'), 'a new problem');
  t.is(startProblemText({ code: 'toString', message: 'odd' }, 'fr'), 'odd');
});

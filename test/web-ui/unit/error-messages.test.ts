// The page shows the box's errors in its language: every code the box can send has French words, filled
// from the error's `where`; English keeps the box's own message; unknown codes fall back to it.
import test from 'ava';
import { ERRORS } from '../../../core/errors.ts';
import { errorMessage, fillTemplate, FR_BY_CODE } from '../../../web-ui/src/error-messages.ts';
import { ApiError } from '../../../web-ui/src/api.ts';

test('every code in the box registry has a French message', (t) => {
  for (const code of Object.keys(ERRORS)) {
    const fr = (FR_BY_CODE as Record<string, string>)[code];
    t.true(typeof fr === 'string' && fr.trim().length > 0, code);
    t.not(errorMessage(code, 'english words', {}, 'fr'), 'english words', code);
    // No placeholder is left unfilled when the box sends no details.
    t.notRegex(errorMessage(code, 'x', {}, 'fr'), /[{}[\]]/, code);
  }
});

test('French messages are filled from where; English keeps the box message', (t) => {
  t.is(errorMessage('E_IMPORT_FILE', 'bad.csv, row 4: Invalid Closing Quote', { file: 'bad.csv', row: 4 }, 'fr'),
    'Le fichier de contacts est vide ou illisible (ligne 4) : envoyez un fichier CSV ou Excel (.xlsx) qui contient des contacts.');
  t.is(errorMessage('E_IMPORT_FILE', 'The uploaded file is empty.', { file: 'empty.csv' }, 'en'), 'The uploaded file is empty.');
  t.is(errorMessage('E_CONFIG_INVALID', 'setting sip.port: must be <= 65535', { key: 'sip.port' }, 'fr'), 'Réglage non valide : sip.port.');
  t.is(errorMessage('E_REQUEST_INVALID', 'body.name is required', { key: 'body.name' }, 'fr'), 'Demande non valide : champ name.');
  t.is(errorMessage('E_COMPLIANCE', 'campaign 3 cannot start: …', { campaign: 3, reason: 'registry-stale' }, 'fr'),
    'Bloqué par les règles de conformité : la copie de la liste nationale d’opposition est trop ancienne.');
  t.is(errorMessage('E_CALLER_ID', 'campaign 3 cannot start: …', { campaign: 3, reason: 'caller-id-unverified', callerId: '+33612345678' }, 'fr'),
    'Identifiant d’appelant non autorisé (+33612345678) : numéro non vérifié.');
  t.is(errorMessage('E_RATE_LIMITED', 'Too many failed logins; try again in 30 s.', { retryAfterSec: 30 }, 'fr'), 'Trop d’essais : réessayez dans 30 s.');
  t.is(errorMessage('E_FORBIDDEN', 'This needs the admin role', { role: 'admin' }, 'fr'), 'Il faut le rôle administrateur pour cela.');
  t.is(errorMessage('E_TOO_LARGE', 'The file is larger than the 50 MB limit', { limitBytes: 50 * 1024 * 1024 }, 'fr'),
    'Fichier trop volumineux (limite : 50 Mo) : découpez-le en fichiers plus petits.');
  t.is(errorMessage('E_AUTH', 'Wrong username or password.', { field: 'password' }, 'fr'), 'Identifiant ou mot de passe incorrect.');
});

test('unknown codes and the page’s own errors keep their message', (t) => {
  t.is(errorMessage('E_SOMETHING_NEW', 'a new problem', { x: 1 }, 'fr'), 'a new problem');
  t.is(errorMessage('E_FORM', 'Fill in the name.', {}, 'fr'), 'Fill in the name.');
  t.is(errorMessage('toString', 'odd', {}, 'fr'), 'odd');
  t.is(errorMessage('E_HTTP', 'TypeError: boom', {}, 'fr'), 'TypeError: boom');
  t.is(errorMessage('E_HTTP', 'The box answered 502.', { status: 502 }, 'fr'), 'Le boîtier a répondu 502.');
});

test('optional parts show only when all their values are known', (t) => {
  t.is(fillTemplate('A[ b {x}][ c {y}].', { y: 2 }), 'A c 2.');
  t.is(fillTemplate('A[ {x} and {y}].', { x: 1 }), 'A.');
  t.is(fillTemplate('{constructor}', {}), '{constructor}');
});

test('an ApiError keeps the box words and its field copy follows the message', (t) => {
  const e = new ApiError(401, 'E_AUTH', 'Wrong username or password.', { password: 'Wrong username or password.', name: 'must be <= 5' }, { field: 'password' });
  t.is(e.serverMessage, 'Wrong username or password.');
  t.is(e.message, 'Wrong username or password.'); // Node has no page language: English
  t.is(e.field('password'), e.message);
  t.is(e.field('name'), 'must be at most 5');
});

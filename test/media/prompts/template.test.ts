import test from 'ava';
import { localeForVoice, renderTemplate, templateTokens, unknownTokens } from '../../../media/prompts/template.ts';

test('tokens are listed once each, in order', (t) => {
  t.deepEqual(templateTokens('Hi {first_name}, {appointment_date}. Bye {first_name}! {not a token} {}'), ['first_name', 'appointment_date']);
  t.deepEqual(unknownTokens('Hi {first_name} {x}', ['first_name']), ['x']);
});

test('values are spoken naturally: dates in the voice language, numbers localised, empty fields vanish', (t) => {
  t.is(renderTemplate('On {appointment_date}', { appointment_date: '2025-12-24' }, { locale: 'fr-FR' }), 'On mercredi 24 décembre 2025');
  t.is(renderTemplate('Owed {amount}', { amount: 1234.5 }, { locale: 'en-GB' }), 'Owed 1,234.5');
  t.is(renderTemplate('Hello {first_name}, bye', { first_name: null }), 'Hello , bye');
  // An ISO-looking value in a field that is not a date stays as written.
  t.is(renderTemplate('Ref {code}', { code: '2025-12-24' }), 'Ref 2025-12-24');
  // (ICU versions differ on commas; the words and the Paris wall-clock time are what matter.)
  t.regex(renderTemplate('At {visit_time}', { visit_time: new Date(Date.UTC(2025, 0, 2, 9, 5)) }, { locale: 'en-GB', timeZone: 'Europe/Paris' }), /^At Thursday,? 2 January 2025,? at 10:05$/);
});

test('control characters in contact fields cannot reach the synthesiser', (t) => {
  t.is(renderTemplate('Hi {first_name}', { first_name: 'Ann\u0000\u001b[31m' }), 'Hi Ann [31m');
});

test('the locale follows the espeak-ng voice', (t) => {
  t.is(localeForVoice('fr+f2'), 'fr-FR');
  t.is(localeForVoice('en-us'), 'en-US');
  t.is(localeForVoice('en'), 'en-GB');
  t.is(localeForVoice('fr-be'), 'fr-BE');
});

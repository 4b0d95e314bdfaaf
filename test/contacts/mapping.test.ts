// Suggested column mappings from English and French headers, and a user's mapping checked.
import test from 'ava';
import { parseMapping, resolveMapping, suggestMapping } from '../../appliance/contacts/mapping.ts';

test('French headers', (t) => {
  t.deepEqual(suggestMapping(['Civilité', 'NOM', 'Prénom', 'Tél. portable', 'Téléphone fixe', 'N° client', 'Fax', 'Fuseau horaire',
    'Date du consentement', 'Origine consentement', 'Vendeur consentement', 'Finalité du consentement']), {
    phone: ['Tél. portable', 'Téléphone fixe'],
    firstName: 'Prénom',
    lastName: 'NOM',
    timezone: 'Fuseau horaire',
    consent: { date: 'Date du consentement', source: 'Origine consentement', seller: 'Vendeur consentement', purpose: 'Finalité du consentement' },
  });
  t.deepEqual(suggestMapping(['Nom', 'Portable', 'Ville']), { phone: ['Portable'], name: 'Nom' });
  t.deepEqual(suggestMapping(['Nom et prénom', 'GSM', 'Numéro']), { phone: ['GSM', 'Numéro'], name: 'Nom et prénom' });
});

test('English headers', (t) => {
  t.deepEqual(suggestMapping(['First Name', 'Last Name', 'Mobile Phone', 'Home phone', 'Phone Type', 'Time Zone', 'Opt-in date', 'Consent source', 'Email']), {
    phone: ['Mobile Phone', 'Home phone'],
    firstName: 'First Name',
    lastName: 'Last Name',
    timezone: 'Time Zone',
    consent: { date: 'Opt-in date', source: 'Consent source' },
  });
  t.deepEqual(suggestMapping(['Full name', 'Cell', 'Customer number']), { phone: ['Cell'], name: 'Full name' });
  t.deepEqual(suggestMapping(['Company', 'City']), { phone: [] });
});

test('resolving: columns by header (case-insensitive), every other column kept as a field', (t) => {
  const headers = ['Nom', 'Tel', 'TZ', 'Consent date', 'Ville'];
  const r = resolveMapping({ phone: ['tel'], name: 'Nom', timezone: 'TZ', consent: { date: 'Consent date' } }, headers);
  t.deepEqual(r.phone, [1]);
  t.is(r.timezone, 2);
  t.deepEqual(r.consent, [['date', 3]]);
  t.deepEqual(r.fields, [['Nom', 0], ['Ville', 4]]);
  t.deepEqual(resolveMapping({ phone: ['Tel'], fields: ['Ville'] }, headers).fields, [['Ville', 4]]);
  t.throws(() => resolveMapping({ phone: ['Tel'], lastName: 'Surname' }, headers), { message: /the last name column "Surname" is not in the file/ });
  t.throws(() => parseMapping({ phone: 'Tel', consent: { when: 'x' } }), { message: /mapping field "consent.when": unknown/ });
  t.deepEqual(parseMapping({ phone: 'Tel' }), { phone: ['Tel'] });
});

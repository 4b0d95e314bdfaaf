// France: Code de la consommation (L.223-1, D.223-9, L.221-16), Code des postes et des
// communications électroniques (L.34-5, D.98-8), ARCEP décision 2022-1583. Two regimes: until
// 2026-08-10 the Bloctel opposition list (opt-out); from 2026-08-11, L.223-1 as rewritten by loi
// 2025-594 art. 13 (consent required, Bloctel no longer governs). SOURCES.md says what each rule takes.
import type { PackDefinition } from '../pack-types.ts';
import { NON_EMERGENCY, WEEKDAYS } from './common.ts';

export const FR_REGIME_CHANGE = '2026-08-11';

const FR_ZONES: Record<string, string> = {
  'Europe/Paris': 'FR', 'America/Guadeloupe': 'GP', 'America/Martinique': 'MQ', 'Indian/Reunion': 'RE', 'America/Cayenne': 'GF',
  'Indian/Mayotte': 'YT', 'America/Miquelon': 'PM', 'America/St_Barthelemy': 'BL', 'America/Marigot': 'MF', 'Pacific/Noumea': 'NC', 'Pacific/Tahiti': 'PF',
};

export const FR: PackDefinition = {
  id: 'fr', name: 'France (Code de la consommation, CPCE)', revision: 'fr-2026.12-1', verified: false,
  legalZone: 'Europe/Paris',
  holidayCalendars: FR_ZONES, holidayDefault: 'FR',
  windows: [{
    id: 'fr-d223-9-hours', purposes: NON_EMERGENCY, windows: [{ days: WEEKDAYS, from: '10:00', to: '13:00' }, { days: WEEKDAYS, from: '14:00', to: '20:00' }],
    noPublicHolidays: true, statutory: true, inForce: { from: '2023-03-01' }, source: 'Code de la consommation art. D.223-9 al. 1 (décret 2022-1313; in force 2023-03-01)',
  }],
  caps: [{ id: 'fr-d223-9-4-per-30', purposes: NON_EMERGENCY, max: 4, periodDays: 30, counts: 'attempts', inForce: { from: '2023-03-01' }, source: 'Code de la consommation art. D.223-9 al. 3 (décret 2022-1313; in force 2023-03-01)' }],
  refusal: [{ id: 'fr-d223-9-refusal-60', purposes: NON_EMERGENCY, days: 60, inForce: { from: '2023-03-01' }, source: 'Code de la consommation art. D.223-9 al. 3 (décret 2022-1313; in force 2023-03-01)' }],
  consent: [
    { id: 'fr-l34-5-automated', purposes: ['marketing', 'political'], match: 'seller-purpose', kinds: ['written', 'express'], source: 'CPCE art. L.34-5 al. 1' },
    {
      id: 'fr-l223-1-consent', purposes: ['marketing'], match: 'seller-purpose', kinds: ['written', 'express'], inForce: { from: FR_REGIME_CHANGE },
      liftedBy: [{ kinds: ['existing-relationship'], samePurpose: false, source: 'Code de la consommation art. L.223-1 al. 4 (loi 2025-594): contract in progress' }],
      source: 'Code de la consommation art. L.223-1 al. 1-3 as rewritten by loi 2025-594 art. 13 (in force 2026-08-11, art. 13 III)',
    },
  ],
  registries: [{
    name: 'fr-bloctel', purposes: ['marketing'], maxAgeDays: 30, inForce: { until: FR_REGIME_CHANGE },
    liftedBy: [{ kinds: ['existing-relationship'], samePurpose: false, source: 'Code de la consommation art. L.223-1 al. 2 (version before 2026-08-11): contract in progress related to the call' }],
    source: 'Code de la consommation art. L.223-1 al. 2 and al. 4 1° (version before 2026-08-11: scrub at least monthly)',
  }],
  restricted: [{ id: 'fr-emergency', numbers: ['+3315', '+3317', '+3318', '+33112', '+33114', '+33115', '+33119', '+33116*', '+333114'], source: 'CPCE art. D.98-8' }],
  revocation: [{ id: 'fr-withdrawal-at-once', deadline: { days: 0, businessDays: false }, scope: 'purpose', source: 'RGPD art. 7(3); Code de la consommation art. L.223-1 al. 2 (version from 2026-08-11: consent revocable)' }],
  exemptPurposes: ['emergency'],
  internalDncRetentionDays: 3 * 365, // CNIL: keep opposition data at least 3 years
  callerId: {
    mustBeValid: true,
    ranges: { purposes: ['marketing', 'political'], prefixes: ['+33162', '+33163', '+33270', '+33271', '+33377', '+33378', '+33424', '+33425', '+33568', '+33569', '+33948', '+33949'] },
    forbiddenPrefixes: ['+336', '+337', '+3389'],
    source: 'ARCEP décision 2022-1583',
  },
  script: { identificationAtStart: true, callbackNumber: true, optOut: true, optOutWithinMs: null, voicemailIdentification: true, source: 'Code de la consommation art. L.221-16; CPCE art. L.34-5' },
};

// United States: TCPA (47 U.S.C. 227), FCC rules 47 CFR 64.1200, 64.1601, 64.1604, FTC TSR 16 CFR 310.
// SOURCES.md says what each rule takes from its text.
import type { PackDefinition } from '../pack-types.ts';
import { ALL_DAYS, EBR_DAYS, NON_EMERGENCY } from './common.ts';

export const US: PackDefinition = {
  id: 'us', name: 'United States (TCPA / FCC)', revision: 'us-2026.12-1', verified: false,
  legalZone: 'America/New_York',
  holidayCalendars: {}, holidayDefault: null,
  windows: [{ id: 'us-hours', purposes: NON_EMERGENCY, windows: [{ days: ALL_DAYS, from: '08:00', to: '21:00' }], noPublicHolidays: false, statutory: true, source: '47 CFR 64.1200(c)(1)' }],
  caps: [
    { id: 'us-exempt-3-per-30', purposes: ['informational', 'transactional', 'political'], lineTypes: ['fixed'], max: 3, periodDays: 30, counts: 'attempts', unlessConsent: true, inForce: { from: '2023-07-20' }, source: '47 CFR 64.1200(a)(3)(ii)-(iv) (FCC 20-186, FCC 22-100; in force 2023-07-20)' },
    { id: 'us-hipaa-1-per-day', purposes: ['healthcare'], max: 1, periodDays: 1, counts: 'attempts', inForce: { from: '2023-07-20' }, source: '47 CFR 64.1200(a)(3)(v) (FCC 20-186; in force 2023-07-20)' },
    { id: 'us-hipaa-3-per-week', purposes: ['healthcare'], max: 3, periodDays: 7, counts: 'attempts', inForce: { from: '2023-07-20' }, source: '47 CFR 64.1200(a)(3)(v) (FCC 20-186; in force 2023-07-20)' },
  ],
  refusal: [],
  consent: [
    { id: 'us-pewc-marketing', purposes: ['marketing'], match: 'seller-purpose', kinds: ['written'], source: '47 CFR 64.1200(a)(2), (a)(3)(i) and (f)(9)' },
    { id: 'us-wireless-prior-consent', purposes: ['informational', 'transactional', 'political'], lineTypes: ['mobile'], match: 'prior', kinds: ['written', 'express'], source: '47 U.S.C. 227(b)(1)(A)(iii); 47 CFR 64.1200(a)(1)' },
  ],
  registries: [{
    name: 'us-national-dnc', purposes: ['marketing'], maxAgeDays: 31,
    liftedBy: [
      { kinds: ['written'], samePurpose: true, source: '47 CFR 64.1200(c)(2)(ii)' },
      { kinds: ['existing-relationship'], samePurpose: false, maxAgeDays: EBR_DAYS, source: '47 CFR 64.1200(f)(5) and (f)(15)(ii)' },
    ],
    source: '47 CFR 64.1200(c)(2), (c)(2)(i)(D); 16 CFR 310.4(b)(3)(iv)',
  }],
  restricted: [{ id: 'us-emergency', numbers: ['+1911', '+1988', '+1800222122*'], source: '47 CFR 64.1200(a)(1)(i)-(ii)' }],
  revocation: [
    { id: 'us-revocation-30-days', inForce: { until: '2025-04-11' }, deadline: { days: 30, businessDays: false }, scope: 'purpose', source: '47 CFR 64.1200(d)(3) (before FCC 24-24)' },
    { id: 'us-revocation-10-business-days', inForce: { from: '2025-04-11', until: '2027-01-31' }, deadline: { days: 10, businessDays: true }, scope: 'purpose', source: '47 CFR 64.1200(a)(10), (a)(12), (d)(3) (FCC 24-24; in force 2025-04-11)' },
    { id: 'us-revoke-all', inForce: { from: '2027-01-31' }, deadline: { days: 10, businessDays: true }, scope: 'seller', source: '47 CFR 64.1200(a)(10) "revoke all" (FCC 24-24; deferred by the FCC Consumer and Governmental Affairs Bureau, DA 25-312 and its extension, to 2027-01-31)' },
  ],
  exemptPurposes: ['emergency'],
  internalDncRetentionDays: 5 * 365,
  callerId: { mustBeValid: true, forbiddenPrefixes: ['+1900', '+1976'], source: '47 CFR 64.1601(e), 64.1604' },
  script: { identificationAtStart: true, callbackNumber: true, optOut: true, optOutWithinMs: 2000, voicemailIdentification: true, source: '47 CFR 64.1200(b)(1)-(3)' },
};

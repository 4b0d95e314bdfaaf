// United Kingdom: Privacy and Electronic Communications Regulations 2003 (PECR), Ofcom General Conditions.
// SOURCES.md says what each rule takes from its text.
import type { PackDefinition } from '../pack-types.ts';
import { ALL_DAYS, NON_EMERGENCY } from './common.ts';

export const UK: PackDefinition = {
  id: 'uk', name: 'United Kingdom (PECR / Ofcom)', revision: 'uk-2026.12-1', verified: false,
  legalZone: 'Europe/London',
  holidayCalendars: {}, holidayDefault: null,
  windows: [{ id: 'uk-hours', purposes: NON_EMERGENCY, windows: [{ days: ALL_DAYS, from: '08:00', to: '21:00' }], noPublicHolidays: false, statutory: false, source: 'No statutory hours in PECR; conservative default after the Ofcom persistent-misuse statement' }],
  caps: [],
  refusal: [],
  consent: [{ id: 'uk-pecr-19', purposes: ['marketing', 'political'], match: 'seller-purpose', kinds: ['written', 'express'], source: 'PECR reg 19' }],
  registries: [{
    name: 'uk-tps', purposes: ['marketing'], maxAgeDays: 28,
    liftedBy: [{ kinds: ['written', 'express'], samePurpose: true, source: 'PECR reg 21(4)' }],
    source: 'PECR reg 21(1)(b) and reg 26 (TPS); ICO direct marketing guidance: screen within 28 days',
  }],
  restricted: [{ id: 'uk-emergency', numbers: ['+44999', '+44112', '+44111', '+44116*'], source: 'Ofcom General Conditions A3' }],
  revocation: [{ id: 'uk-withdrawal-at-once', deadline: { days: 0, businessDays: false }, scope: 'purpose', source: 'UK GDPR art. 7(3); PECR reg 19(2)' }],
  exemptPurposes: ['emergency'],
  internalDncRetentionDays: 3 * 365,
  callerId: { mustBeValid: true, forbiddenPrefixes: ['+449', '+4470'], source: 'Ofcom General Condition C6' },
  script: { identificationAtStart: true, callbackNumber: true, optOut: true, optOutWithinMs: null, voicemailIdentification: true, source: 'PECR reg 24' },
};

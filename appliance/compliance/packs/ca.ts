// Canada: CRTC Unsolicited Telecommunications Rules (UTR), Telecommunications Act s.41.
// SOURCES.md says what each rule takes from its text.
import type { PackDefinition } from '../pack-types.ts';
import { EBR_DAYS, NON_EMERGENCY, WEEKDAYS } from './common.ts';

export const CA: PackDefinition = {
  id: 'ca', name: 'Canada (CRTC Unsolicited Telecommunications Rules)', revision: 'ca-2026.12-1', verified: false,
  legalZone: 'America/Toronto',
  holidayCalendars: {}, holidayDefault: null,
  windows: [{ id: 'ca-hours', purposes: NON_EMERGENCY, windows: [{ days: WEEKDAYS, from: '09:00', to: '21:30' }, { days: [6, 7], from: '10:00', to: '18:00' }], noPublicHolidays: false, statutory: true, source: 'CRTC UTR Part IV (ADAD Rules) s.4(f)' }],
  caps: [],
  refusal: [],
  consent: [{ id: 'ca-adad-solicitation', purposes: ['marketing'], match: 'seller-purpose', kinds: ['written', 'express'], source: 'CRTC UTR Part IV (ADAD Rules) s.2' }],
  registries: [{
    name: 'ca-dncl', purposes: ['marketing'], maxAgeDays: 31,
    liftedBy: [
      { kinds: ['written', 'express'], samePurpose: true, source: 'CRTC UTR Part II (National DNCL Rules): express consent' },
      { kinds: ['existing-relationship'], samePurpose: false, maxAgeDays: EBR_DAYS, source: 'Telecommunications Act s.41.7 (existing business relationship exemption)' },
    ],
    source: 'CRTC UTR Part II (National DNCL Rules); Telecom Decision CRTC 2007-48',
  }],
  restricted: [{ id: 'ca-emergency-health', numbers: ['+1911', '+1988', '+1811'], source: 'CRTC UTR Part IV (ADAD Rules) s.4(d)' }],
  revocation: [{ id: 'ca-internal-dnc-14-days', deadline: { days: 14, businessDays: false }, scope: 'purpose', source: 'CRTC UTR Part III (Telemarketing Rules): do-not-call requests processed within 14 days' }],
  exemptPurposes: ['emergency'],
  internalDncRetentionDays: 3 * 365,
  callerId: { mustBeValid: true, forbiddenPrefixes: ['+1900', '+1976'], source: 'CRTC UTR Part IV s.4(e); Part III' },
  script: { identificationAtStart: true, callbackNumber: true, optOut: false, optOutWithinMs: null, voicemailIdentification: true, source: 'CRTC UTR Part IV (ADAD Rules) s.4(b)-(c)' },
};

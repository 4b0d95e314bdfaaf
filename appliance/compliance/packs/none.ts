// Permissive: only opt-outs; chosen explicitly, never a default.
import type { PackDefinition } from '../pack-types.ts';

export const NONE: PackDefinition = {
  id: 'none', name: 'No jurisdiction (explicitly chosen; opt-outs only)', revision: 'none-1', verified: true,
  legalZone: 'UTC',
  holidayCalendars: {}, holidayDefault: null,
  windows: [], caps: [], refusal: [], consent: [], registries: [], restricted: [], revocation: [],
  exemptPurposes: [], internalDncRetentionDays: 3 * 365,
  callerId: { mustBeValid: false, forbiddenPrefixes: [], source: 'no jurisdiction chosen' },
  script: { identificationAtStart: false, callbackNumber: false, optOut: true, optOutWithinMs: null, voicemailIdentification: false, source: 'the box always offers an opt-out key' },
};

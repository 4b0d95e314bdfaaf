// How a call ended, as the domain, the reports and the API name it (DESIGN.md, "Outcomes"). In a module
// of its own, with no imports, so the API contract (and through it the web UI) can read it.
export const OUTCOMES = [
  'human',
  'machine-message-left',
  'machine-no-message',
  'confirmed',
  'opted-out',
  'busy',
  'no-answer',
  'declined',
  'invalid-number',
  'trunk-failure',
  'blocked-by-compliance',
  'interrupted',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

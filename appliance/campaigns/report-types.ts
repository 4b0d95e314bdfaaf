// The shapes of a campaign's report and its outcomes-over-time chart, with no imports so the web UI can
// read them with `import type` (appliance/campaigns/reports.ts, report-timeline.ts compute them).

export interface CampaignReport {
  campaignId: number;
  contacts: number;
  byState: Record<string, number>;
  /** Final outcome per contact (done or blocked). */
  byFinalOutcome: Record<string, number>;
  /** Every attempt's outcome. */
  byAttemptOutcome: Record<string, number>;
  attempts: number;
  answeredContacts: number;
  /** Contacts answered (person or machine) / contacts attempted. */
  answerRate: number;
  /** Contacts with a final state / all contacts. */
  completionRate: number;
  avgTalkMs: number;
  avgRingMs: number;
  keys: Record<string, number>;
  blockedReasons: Record<string, number>;
  /**
   * Answering-machine detection checked against ground truth: a key pressed during the call means a
   * person answered. `agreement` = calls with a key that AMD had called "human" / calls with a key.
   */
  amdAgreement: { callsWithKeys: number; detectedHuman: number; detectedMachine: number; agreement: number | null };
}

export interface CampaignTimeline {
  campaignId: number;
  /** Width of one bucket in milliseconds. */
  bucketMs: number;
  /** Start of each bucket (epoch ms), ascending, without gaps between the first and last. */
  buckets: number[];
  /** Attempts per outcome, one count per bucket (same length as `buckets`). */
  series: Record<string, number[]>;
}

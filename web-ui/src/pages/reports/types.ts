// The report API's shapes (appliance/campaigns/reports.ts, report-timeline.ts).
export interface Report {
  campaignId: number;
  contacts: number;
  byState: Record<string, number>;
  byFinalOutcome: Record<string, number>;
  byAttemptOutcome: Record<string, number>;
  attempts: number;
  answeredContacts: number;
  answerRate: number;
  completionRate: number;
  avgTalkMs: number;
  avgRingMs: number;
  keys: Record<string, number>;
  blockedReasons: Record<string, number>;
  amdAgreement: { callsWithKeys: number; detectedHuman: number; detectedMachine: number; agreement: number | null };
}

export interface Timeline {
  campaignId: number;
  bucketMs: number;
  buckets: number[];
  series: Record<string, number[]>;
}

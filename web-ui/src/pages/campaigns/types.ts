// The shapes of the campaign API as this page reads them (see appliance/http/routes/campaigns.ts).
import type { StartProblem } from '../../start-problems.ts';

export type CampaignStatus = 'draft' | 'running' | 'paused' | 'stopped' | 'completed';

export interface DailyWindow {
  days: number[];
  from: string;
  to: string;
}

export interface RetryRule {
  delayMs: number | 'next-day';
  maxRetries: number;
  backoff?: number;
  uncounted?: boolean;
}

export interface CampaignConfig {
  purpose: string;
  message: string | null;
  tts: { text: string; voice: string; rate?: number } | null;
  voicemail: string | null;
  menu: { confirm?: string; repeat?: string; optOut?: string };
  menuPrompt: string | null;
  callerId: string;
  trunks: string[];
  schedule: { startDate: string | null; endDate: string | null; windows: DailyWindow[] };
  maxConcurrent: number;
  cps: number;
  ringTimeoutMs: number;
  maxAttempts: number;
  retry: Record<string, RetryRule>;
  amd: boolean;
  pack?: string;
  seller?: string;
  script?: ScriptDeclaration;
}

/** Where the message carries what the pack requires; times in ms from its start, null when it does not say it. */
export interface ScriptDeclaration {
  identificationEndsMs: number | null;
  callbackNumber: string | null;
  optOutAnnouncedMs: number | null;
  voicemail: { identification: boolean; callbackNumber: string | null } | null;
}

/** What GET /api/compliance/packs says of each pack's script rule (the rest of a pack is not read here). */
export interface PackScriptRule {
  identificationAtStart: boolean;
  callbackNumber: boolean;
  optOut: boolean;
  optOutWithinMs: number | null;
  voicemailIdentification: boolean;
  source: string;
}

export interface PackSummary {
  id: string;
  name: string;
  exemptPurposes: string[];
  script?: PackScriptRule;
}

export interface PacksResponse {
  current: string | null;
  packs: PackSummary[];
}

export interface Counters {
  contacts: number;
  pending: number;
  waiting: number;
  calling: number;
  done: number;
  blocked: number;
  stopped: number;
  active: number;
}

export interface CampaignView {
  id: number;
  name: string;
  listId: number;
  status: CampaignStatus;
  config: CampaignConfig;
  createdAt?: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  counters: Counters;
  etaMs: number | null;
  /** A running campaign placing no calls, and why (e.g. waiting for clock synchronisation). */
  waitingReason?: string | null;
  /** The same as a stable code (see holdText). */
  waitingCode?: string | null;
}

/** What the 'campaign.counters' live event carries. */
export type CountersEvent = Pick<CampaignView, 'id' | 'name' | 'status' | 'counters' | 'etaMs' | 'waitingReason' | 'waitingCode'>;

export interface CampaignOptions {
  trunks: Array<{ name: string; kind: string; enabled: boolean; channels: number }>;
  defaultTrunk: string | null;
  callerIds: Array<{ number: string; label: string; verified: boolean }>;
  purposes: string[];
  country: string;
  defaults: Omit<CampaignConfig, 'message' | 'tts' | 'callerId' | 'trunks'>;
}

export interface ListSummary {
  id: number;
  name: string;
  contacts: number;
  country: string;
}

export interface RecordingSummary {
  id: string;
  name: string;
  durationMs: number;
}

/** A reason the campaign may not start, with the details its French words are filled from (start-problems.ts). */
export type { StartProblem };

export interface Preflight {
  campaignId: number;
  pack: string | null;
  packVersion: string | null;
  purpose: string;
  contacts: number;
  callable: number;
  callableNow: number;
  deferred: Record<string, number>;
  blocked: Record<string, number>;
  startProblems: StartProblem[];
  at: string;
}

export function isCountersEvent(v: unknown): v is CountersEvent {
  const o = v as CountersEvent | null;
  return !!o && typeof o.id === 'number' && typeof o.status === 'string' && !!o.counters && typeof o.counters.contacts === 'number';
}

export interface Estimate {
  contacts: number;
  etaMs: number;
  channels: number;
  meanCallMs: number;
  measured: boolean;
}

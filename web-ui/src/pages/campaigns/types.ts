// The shapes of the campaign API as this page reads them (see appliance/http/routes/campaigns.ts).
import type { StartProblem } from '../../start-problems.ts';

// The campaign model's own types (appliance/campaigns/model.ts), read as the API sends them.
export type { CampaignConfig, CampaignStatus, DailyWindow, RetryRule } from '../../../../appliance/campaigns/model.ts';
export type { ScriptDeclaration } from '../../../../appliance/compliance/script-check.ts';
import type { PreflightReport } from '../../../../appliance/compliance/preflight.ts';
import type { CampaignConfig, CampaignStatus } from '../../../../appliance/campaigns/model.ts';

/** What GET /api/compliance/packs says of each pack's script rule (the rest of a pack is not read here). */
export type { ScriptRule as PackScriptRule } from '../../../../appliance/compliance/packs.ts';
import type { ScriptRule as PackScriptRule } from '../../../../appliance/compliance/packs.ts';

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
  /** A running campaign with no call to place now: why and until when (see waitText). */
  waitingFor?: { code: 'outside-window' | 'retry' | 'deferred'; at: number | null; zone: string | null } | null;
  boxTimeZone?: string;
  /** When the first contact waiting for a retry may be called again. */
  nextRetryAt?: number | null;
  /** Running, but every line of the campaign is down (or turned off): which, since when, why. */
  trunksDown?: Array<{ name: string; health: string; lastError: string | null; since: number }> | null;
  /** Paused: who paused it (`staff:<user>`, `fleet:<command id>`, `cli`) and when. */
  paused?: { by: string | null; at: number | null } | null;
}

/** What the 'campaign.counters' live event carries. */
export type CountersEvent = Pick<CampaignView, 'id' | 'name' | 'status' | 'counters' | 'etaMs' | 'waitingReason' | 'waitingCode' | 'waitingFor' | 'nextRetryAt' | 'trunksDown' | 'paused' | 'boxTimeZone'>;

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

/** The box's preflight report, its start problems read as this page reads them (any code). */
export type Preflight = Omit<PreflightReport, 'startProblems'> & { startProblems: StartProblem[] };

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

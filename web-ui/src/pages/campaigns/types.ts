// The shapes of the campaign API as this page reads them (see appliance/http/routes/campaigns.ts).
import type { StartProblem } from '../../start-problems.ts';

// The campaign API's shapes from the API contract (`import type`: erased at build, nothing of the server in the bundle).
export type {
  CampaignConfig, CampaignOptions, CampaignStatus, CampaignView, Counters, CountersEvent, Estimate, RetryRule,
} from '../../../../appliance/http/contract/campaigns.ts';
export type { DailyWindow } from '../../../../appliance/http/contract/common.ts';
export type { PacksReply as PacksResponse, PackSummary, ScriptDeclaration, ScriptRule as PackScriptRule } from '../../../../appliance/http/contract/compliance.ts';
export type { ListSummary } from '../../../../appliance/http/contract/lists.ts';
export type { Recording as RecordingSummary } from '../../../../appliance/http/contract/recordings.ts';
import type { CountersEvent } from '../../../../appliance/http/contract/campaigns.ts';
import type { PreflightReport } from '../../../../appliance/http/contract/compliance.ts';

/** A reason the campaign may not start, with the details its French words are filled from (start-problems.ts). */
export type { StartProblem };

/** The box's preflight report, its start problems read as this page reads them (any code). */
export type Preflight = Omit<PreflightReport, 'startProblems'> & { startProblems: StartProblem[] };

export function isCountersEvent(v: unknown): v is CountersEvent {
  const o = v as CountersEvent | null;
  return !!o && typeof o.id === 'number' && typeof o.status === 'string' && !!o.counters && typeof o.counters.contacts === 'number';
}

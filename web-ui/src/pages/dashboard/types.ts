// What the dashboard reads: GET /api/health, /api/system, /api/campaigns, /api/provisioning, from the API
// contract (`import type`: erased at build, nothing of the server in the bundle).
export type { Health, Provisioning, SystemHealth, ToolStatus, TrunkHealth as Trunk } from '../../../../appliance/http/contract/health.ts';

/** A campaign as the list and the 'campaign.counters' live event give it. */
export type { CountersEvent as CampaignBrief } from '../campaigns/types.ts';

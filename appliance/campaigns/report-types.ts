// The shapes of a campaign's report and its outcomes-over-time chart (appliance/campaigns/reports.ts and
// report-timeline.ts compute them) are written once in the API contract.
export type { CampaignReport, CampaignTimeline } from '../http/contract/campaigns.ts';

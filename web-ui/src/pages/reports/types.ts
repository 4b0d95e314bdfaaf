// The report API's shapes, read from the server's types-only module (`import type` is erased at build:
// nothing of the server ends up in the bundle).
export type { CampaignReport as Report, CampaignTimeline as Timeline } from '../../../../appliance/campaigns/report-types.ts';

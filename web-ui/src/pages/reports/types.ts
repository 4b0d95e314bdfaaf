// The report API's shapes, from the API contract (`import type` is erased at build: nothing of the server
// ends up in the bundle).
export type { CampaignReport as Report, CampaignTimeline as Timeline } from '../../../../appliance/http/contract/campaigns.ts';
export type { CampaignAnswers as Answers } from '../../../../appliance/http/contract/campaigns.ts';

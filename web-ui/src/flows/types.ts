// The call flow's shapes from the API contract (`import type`: erased at build, nothing of the server in the bundle).
export type { BrowserWalkReply, FlowTemplateName, TrialCallee, TrialStep, TryFlowReply, WireFlow, WirePrompt, WireStep } from '../../../appliance/http/contract/flows.ts';

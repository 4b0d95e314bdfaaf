// "Call my browser" (issue 16): the box rings the user's own browser softphone and, once answered, runs a
// campaign's flow on that call exactly as a callee would hear it: the message with the tokens of the
// list's first contact (or of a made-up test contact when the list is empty), menus, questions and spoken
// answers, driven from the softphone's keypad. It needs no phone line (a test of a campaign without a
// trunk). It is a test, not a call to a contact: no attempt, no answer, no recording and no opt-out is
// written; pressing the opt-out key is reported with what a real call would have done. The action that
// starts it (flow.callBrowser) is audited.
import type { CallEngine, PromptRef } from '../../core/call-port.ts';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { BrowserWalkReply } from '../http/contract/flows.ts';
import type { CampaignConfig } from '../campaigns/model.ts';
import { flowOf } from '../campaigns/model.ts';
import { runFlowCall } from './runner.ts';
import { flowPromptsFor, trialFlowEnv, trialSteps } from './trial.ts';

const RING_TIMEOUT_MS = 30_000;
/** The header that carries the page's token, so the page answers this call by itself. */
export const BOX_REQUEST_HEADER = 'X-Box-Request';

/** Fills the tokens when the campaign's list has no contact yet. */
export const TEST_CONTACT: Readonly<Record<string, string>> = { name: 'Alex Martin', first_name: 'Alex', last_name: 'Martin' };

export interface BrowserWalkDeps {
  engine: Partial<Pick<CallEngine, 'dialStaff' | 'staffEndpoints'>>;
  campaign: (id: number) => { id: number; name: string; listId: number; config: CampaignConfig };
  firstContact: (listId: number) => { fields: Record<string, string>; zones: string[] } | null;
  /** May this user take calls (the settings' takeCalls)? */
  mayTakeCalls: (user: string) => boolean;
  recording: (id: string) => PromptRef;
  render: (item: { text: string; voice: string; rate?: number; fields: Record<string, string>; timeZone?: string }) => Promise<PromptRef>;
  now: () => number;
  logger: Logger;
}

export class BrowserWalk {
  constructor(private readonly deps: BrowserWalkDeps) {}

  /**
   * Checks synchronously what can be refused (campaign, the user's softphone), so a refusal is audited,
   * then rings the browser; the report resolves when the call has ended.
   */
  start(campaignId: number, user: string, request?: string): { report: Promise<BrowserWalkReply> } {
    const campaign = this.deps.campaign(campaignId);
    const dialStaff = this.deps.engine.dialStaff;
    if (!dialStaff) throw new AppError('E_SOFTPHONE_OFF', 'this box\'s call engine rings no browser softphone', { user });
    if (!this.deps.mayTakeCalls(user)) {
      throw new AppError('E_SOFTPHONE_OFF', `user "${user}" is not allowed to take calls: an admin turns "takes calls" on for them first`, { user });
    }
    const browser = (this.deps.engine.staffEndpoints?.() ?? []).find((e) => e.user === user && e.kind === 'browser');
    if (!browser) throw new AppError('E_SOFTPHONE_OFF', 'your browser softphone is not taking calls: press "Take calls" in the header, then try again', { user });
    if (browser.busy) throw new AppError('E_SOFTPHONE_OFF', 'your browser softphone is on a call: hang up first', { user });
    return { report: this.run(campaign, user, request, dialStaff) };
  }

  private async run(campaign: { id: number; name: string; listId: number; config: CampaignConfig }, user: string, request: string | undefined, dialStaff: NonNullable<CallEngine['dialStaff']>): Promise<BrowserWalkReply> {
    const cfg = campaign.config;
    const flow = flowOf(cfg);
    const sample = this.deps.firstContact(campaign.listId);
    const contact = sample ?? { fields: { ...TEST_CONTACT }, zones: [] };
    const prompts = await flowPromptsFor(this.deps, cfg, flow, contact);
    this.deps.logger.info({ campaignId: campaign.id, user }, 'call my browser: ringing the softphone');
    const call = dialStaff.call(this.deps.engine, {
      user, display: campaign.name, ringTimeoutMs: RING_TIMEOUT_MS, tag: `walk-c${campaign.id}`,
      headers: {
        // The softphone's card says which campaign this is; the token lets the page answer it by itself.
        'X-Contact-Card': encodeURIComponent(JSON.stringify({ name: contact.fields.name || TEST_CONTACT.name, source: campaign.name })),
        ...(request ? { [BOX_REQUEST_HEADER]: request } : {}),
      },
    });
    // A test keeps no spoken answer; a transfer step takes its fallback (no contact to hand over).
    const { ended, flow: r, outcome } = await runFlowCall(call, flow, trialFlowEnv(this.deps.now, cfg, prompts, contact), { amd: false }, (e) => this.deps.logger.warn({ campaignId: campaign.id, err: (e as Error).message }, 'call my browser: flow failed'));
    const notes = [...(r?.notes ?? [])];
    if (flow.steps.some((s) => s.verb === 'transfer')) notes.push('a transfer step takes its fallback in a test call: nobody is handed a contact');
    return {
      campaignId: campaign.id, user, contact: sample ? 'sample' : 'test', outcome,
      keys: r?.dtmf ?? '', steps: r ? trialSteps(flow, r, ended) : [], answers: r ? { ...r.answers } : {},
      callback: r?.callback ? { label: r.callback.label, at: r.callback.at } : null, talkMs: Math.round(ended.durations.talkMs),
      optedOut: outcome === 'opted-out', notes,
    };
  }
}

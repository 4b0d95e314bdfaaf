// "Try it": a campaign's flow run on one real call through the engine to the sandbox trunk (the simulated
// public network), as its first contact would hear it, and the path the simulated callee took, step by
// step, with the keys pressed and the answers kept. Nothing is written to the campaign: no attempt, no
// answer, no opt-out (the callee is not a person); the try is audited by its action (flow.try).
import type { CallEngine, CallEnded, PromptRef } from '../../core/call-port.ts';
import { AppError } from '../../core/errors.ts';
import { formatSandboxMenu, SANDBOX_MENU_HEADER } from '../../core/sandbox-menu.ts';
import type { Logger } from '../../core/log.ts';
import type { TrialCallee, TrialStep, TryFlowReply } from '../http/contract/flows.ts';
import type { CampaignConfig } from '../campaigns/model.ts';
import { flowOf } from '../campaigns/model.ts';
import { callbackSlot } from './callback-slot.ts';
import { allPrompts, edges, promptKey, type Flow, type FlowPrompt, type FlowStep } from './model.ts';
import { runFlowCall, type FlowResult } from './runner.ts';
import type { FlowEnv } from './session.ts';

const RING_TIMEOUT_MS = 30_000;

/** The sandbox as the box sees it: its trunk, and a number its population answers as the callee asked for. */
export interface TrialSandbox {
  trunk: string;
  /** `chosen` false: the sandbox runs elsewhere and its own mix decides who answers. */
  number: (callee: TrialCallee) => { number: string; chosen: boolean };
}

export interface FlowTrialDeps {
  engine: Pick<CallEngine, 'dial'>;
  /** The enabled sandbox trunk; null when the box has none (a try never reaches a real network). */
  sandbox: () => TrialSandbox | null;
  campaign: (id: number) => { id: number; listId: number; config: CampaignConfig };
  /** The list's first contact (tokens of the personalised texts, time zones of the callback slots). */
  firstContact: (listId: number) => { fields: Record<string, string>; zones: string[] } | null;
  /** A recording of the library. */
  recording: (id: string) => PromptRef;
  /** Text-to-speech with the contact's fields, rendered (or taken from the cache) before the call. */
  render: (item: { text: string; voice: string; rate?: number; fields: Record<string, string>; timeZone?: string }) => Promise<PromptRef>;
  now: () => number;
  logger: Logger;
}

type TrialMenu = { confirm?: string; repeat?: string; optOut?: string };

/**
 * What the sandbox's presser is told to press (the X-Sandbox-Menu header): a message-menu flow's own
 * keys; otherwise the first key of the flow's first choice as "confirm", and the opt-out key. The try sends
 * the whole flow with them (the header's `flow=` part, core/sandbox-flow.ts), so the simulated person
 * answers every question; these keys are for a sandbox that reads only the menu part.
 */
export function trialMenu(flow: Flow, cfg: Pick<CampaignConfig, 'menu'>): TrialMenu {
  if (flow.template === 'message-menu') return { ...cfg.menu };
  const out: TrialMenu = cfg.menu.optOut ? { optOut: cfg.menu.optOut } : {};
  for (const s of flow.steps) {
    let key: string | undefined;
    if (s.verb === 'menu') key = Object.keys(s.options)[0];
    else if (s.verb === 'callback') key = s.options[0]?.key;
    else if (s.verb === 'gather' && s.maxDigits === 1) key = s.validate?.kind === 'range' ? String(Math.min(9, Math.max(0, s.validate.max))) : '1';
    if (key !== undefined) {
      out.confirm = key;
      break;
    }
  }
  return out;
}

/** The path of a finished run as steps: the branch each took, the key that chose it, the answer it kept. */
export function trialSteps(flow: Flow, r: FlowResult, ended: Pick<CallEnded, 'endedBy'>): TrialStep[] {
  const byId = new Map(flow.steps.map((s) => [s.id, s]));
  return r.path.map((id, i): TrialStep => {
    const s = byId.get(id)!;
    const next = r.path[i + 1];
    const name = 'name' in s && typeof s.name === 'string' ? s.name : null;
    const answer = name !== null ? (r.answers[name] ?? null) : null;
    let via: string;
    if (next !== undefined) {
      const ways = edges(s).filter((e) => e.to === next);
      // A gather or callback whose next and onFail are one step: an answer means it was given.
      via = (ways.find((e) => e.field === (answer !== null ? 'next' : 'onFail')) ?? ways[0])?.field ?? 'next';
    } else if (r.outcome === 'opted-out') via = 'opt-out';
    else if (s.verb === 'hangup' || ended.endedBy === 'local') via = 'end';
    else via = 'hung-up';
    return { id, verb: s.verb, key: keyOf(s, via, answer), via, name, answer, spokenMs: s.verb === 'record' ? (r.recordings.find((x) => x.name === name)?.ms ?? null) : null };
  });
}

function keyOf(s: FlowStep, via: string, answer: string | null): string | null {
  if (s.verb === 'menu' && via.startsWith('options.')) return via.slice('options.'.length);
  if (s.verb === 'callback' && answer !== null) return s.options.find((o) => o.label === answer)?.key ?? null;
  return null;
}

export class FlowTrial {
  constructor(private readonly deps: FlowTrialDeps) {}

  /**
   * Checks synchronously what can be refused (campaign, sandbox), then places the call; the report
   * resolves when the call has ended.
   */
  start(campaignId: number, callee: TrialCallee): { trunk: string; report: Promise<TryFlowReply> } {
    const campaign = this.deps.campaign(campaignId);
    const sandbox = this.deps.sandbox();
    if (!sandbox) {
      throw new AppError('E_TRUNK_UNKNOWN', 'no sandbox trunk is enabled on this box: "try it" calls only the simulated network (enable the trunk "sandbox" in the settings)', { trunk: 'sandbox' });
    }
    return { trunk: sandbox.trunk, report: this.run(campaign, sandbox, callee) };
  }

  private async run(campaign: { id: number; listId: number; config: CampaignConfig }, sandbox: TrialSandbox, callee: TrialCallee): Promise<TryFlowReply> {
    const cfg = campaign.config;
    const flow = flowOf(cfg);
    const contact = this.deps.firstContact(campaign.listId) ?? { fields: {}, zones: [] };
    const prompts = await flowPromptsFor(this.deps, cfg, flow, contact);
    const { number, chosen } = sandbox.number(callee);
    // The menu keys for a sandbox that reads only them, and the whole flow (its `flow=` part) so the
    // simulated person answers every question of it, as the dialer tells the sandbox for a campaign call.
    const menu = formatSandboxMenu(trialMenu(flow, cfg), flow);
    const amd = cfg.amd && cfg.voicemail !== null;
    this.deps.logger.info({ campaignId: campaign.id, callee, trunk: sandbox.trunk }, 'flow try: calling the sandbox');
    const call = this.deps.engine.dial({ to: number, from: cfg.callerId, trunk: sandbox.trunk, ringTimeoutMs: RING_TIMEOUT_MS, amd, tag: `try-c${campaign.id}`, ...(menu ? { headers: { [SANDBOX_MENU_HEADER]: menu } } : {}) });
    // A try keeps no spoken answer: the simulated callee's words are not the campaign's results.
    const { ended, flow: r, outcome } = await runFlowCall(call, flow, trialFlowEnv(this.deps.now, cfg, prompts, contact), { amd, ...(cfg.voicemail ? { voicemail: this.deps.recording(cfg.voicemail) } : {}) },
    (e) => this.deps.logger.warn({ campaignId: campaign.id, err: (e as Error).message }, 'flow try failed'));
    return {
      campaignId: campaign.id, trunk: sandbox.trunk, callee, calleeChosen: chosen, outcome, sipCode: ended.sipCode, amd: r?.amd ?? null,
      keys: r?.dtmf ?? '', steps: r ? trialSteps(flow, r, ended) : [], answers: r ? { ...r.answers } : {},
      callback: r?.callback ? { label: r.callback.label, at: r.callback.at } : null, talkMs: Math.round(ended.durations.talkMs), notes: r?.notes ?? [],
    };
  }
}

/**
 * How a trial call (a try against the sandbox, a walk on the user's browser) runs its flow: the prompts
 * resolved beforehand, the campaign's opt-out key and callback hours, and no spoken answer kept.
 */
export function trialFlowEnv(now: () => number, cfg: CampaignConfig, prompts: Map<string, PromptRef>, contact: { zones: string[] }): FlowEnv {
  return {
    prompt: (p: FlowPrompt) => prompts.get(promptKey(p)) ?? prompts.get('m')!,
    ...(cfg.menu.optOut ? { optOutKey: cfg.menu.optOut } : {}),
    now,
    slot: (o) => callbackSlot(o, now(), contact.zones, cfg.schedule),
    recordFile: () => null,
  };
}

/** Every prompt of the flow for one contact, resolved before the call (as the dialer does). */
export async function flowPromptsFor(deps: Pick<FlowTrialDeps, 'recording' | 'render'>, cfg: CampaignConfig, flow: Flow, contact: { fields: Record<string, string>; zones: string[] }): Promise<Map<string, PromptRef>> {
  const tts = cfg.tts ?? { text: '', voice: 'en' };
  const render = (text: string): Promise<PromptRef> => deps.render({
    text, voice: tts.voice, ...(tts.rate ? { rate: tts.rate } : {}), fields: contact.fields, ...(contact.zones[0] ? { timeZone: contact.zones[0] } : {}),
  });
  const map = new Map<string, PromptRef>();
  map.set('m', cfg.message ? deps.recording(cfg.message) : await render(tts.text));
  for (const p of allPrompts(flow)) {
    const key = promptKey(p);
    if (map.has(key)) continue;
    if ('recording' in p) map.set(key, deps.recording(p.recording));
    else if ('tts' in p) map.set(key, await render(p.tts));
  }
  return map;
}

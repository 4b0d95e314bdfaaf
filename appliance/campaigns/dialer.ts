// The dialer: picks due contacts of running campaigns, checks the calling window and the compliance
// gate at dial time, paces per trunk and per campaign (channels + a cps cap that holds in every
// one-second window), writes the attempt intent before the INVITE, runs the script on the call
// port and records the outcome with the retry decision in one transaction.
import { formatSandboxMenu, SANDBOX_MENU_HEADER } from '../../core/sandbox-menu.ts';
import type { DialHold, DialPermission } from '../system/clock.ts';
import type { TimerClock } from '../../core/time.ts';
import type { Call, CallEngine, Outcome, PromptRef } from '../../core/call-port.ts';
import type { Db } from '../store/db.ts';
import type { Logger } from '../../core/log.ts';
import { hashNumber } from '../../core/log.ts';
import { CampaignsRepo, type AttemptResult, type CampaignRow, type DueContact } from '../store/campaigns-repo.ts';
import { appendEvent } from '../store/outbox-repo.ts';
import { recordOptOut } from '../compliance/opt-out.ts';
import { flowOf } from './model.ts';
import { runFlowCall, type FlowResult } from '../flows/runner.ts';
import { allPrompts, promptKey, type FlowPrompt } from '../flows/model.ts';
import { callbackSlot } from '../flows/callback-slot.ts';
import { saveFlowRecord } from '../store/answers-repo.ts';
import type { TransferRecord, TransferRequest } from '../flows/session.ts';
import type { TransferContext } from '../staff/transfer.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { decideRetry } from './retry-policy.ts';
import { isInsideWindow, nextOpening } from './schedule.ts';
import { CircuitBreaker, SlidingRateLimiter } from './pacing.ts';
import { WalSync } from '../store/wal-sync.ts';

/** Longest one dialer tick handles contacts for one campaign before it yields to the event loop, in ms. */
const TICK_BUDGET_MS = 8;

export interface GateVerdict {
  allow: boolean;
  /** Reason code when refused (shown in reports). */
  reason?: string;
  /** Refused for now only: try again at this time (e.g. a frequency cap or a holiday). */
  retryAt?: number;
}

/** The compliance gate at dial time (appliance/compliance plugs in here). */
export type DialGate = (c: { campaign: CampaignRow; contact: DueContact; now: number }) => GateVerdict;

export interface TrunkLimits {
  channels: number;
  cps: number;
  /** The trunk is the sandbox (simulated network): its INVITEs tell the campaign's menu keys. */
  sandbox?: boolean;
}

export interface DialerDeps {
  db: Db;
  engine: CallEngine;
  logger: Logger;
  /** Resolve a recording id to its pre-encoded files. */
  prompt: (id: string) => PromptRef;
  trunkLimits: (name: string) => TrunkLimits | null;
  /**
   * The personalised message of a contact (campaigns with `tts`): ready from the cache, or not yet
   * (the contact waits; rendering goes on in the background), or impossible (the contact is blocked).
   */
  personalPrompt?: (campaign: CampaignRow, contact: DueContact) => { prompt: PromptRef } | { waitMs: number } | { error: string };
  /** A flow step's text rendered for a contact (`{"tts": ...}` prompts), on the same terms as personalPrompt. */
  textPrompt?: (campaign: CampaignRow, contact: DueContact, text: string) => { prompt: PromptRef } | { waitMs: number } | { error: string };
  /** The state folder: spoken answers are kept in answers/c<campaign>/ under it; absent = no recording. */
  answersRoot?: string;
  /**
   * The compliance gate, asked for every contact just before its call. Required: a dialer cannot be
   * built without one (a campaign with no rules to follow uses the `none` pack, which still honours
   * opt-outs and the box's do-not-call list).
   */
  gate: DialGate;
  /** Box-wide precondition checked before placing calls (e.g. a synchronised clock); contacts stay pending while refused. Required. */
  canDial: () => DialPermission;
  /** The loop's time and timers (systemTimerClock in the box). */
  clock: TimerClock;
  /** Called whenever counters of a campaign change (live feed). */
  onProgress?: (campaignId: number) => void;
  /** Longest the loop sleeps when nothing is due (ms). */
  idleMs?: number;
  /**
   * Group commit (the box sets it): the ledger's writes are committed without their own fsync and made
   * durable by one fsync of the WAL in the thread pool before a call is dialled (appliance/store/wal-sync.ts).
   * Off, each commit is FULL on the event loop and a call is dialled in the same turn as its intent (unit
   * tests that drive the dialer with a fake clock, where a real fsync's time never passes).
   */
  groupCommit?: boolean;
  /** Transfers to a person (appliance/staff/transfer.ts); absent = a flow's transfer takes its fallback. */
  transfer?: TransferPort;
  /** The live calls staff may see and listen to (issue 16): each call placed is added until it has ended. */
  liveCalls?: { add(call: Call, info: { kind: 'campaign'; campaignId: number; campaignName: string; numberTail: string; since: number }): () => void };
}

/** What a flow's `transfer` step needs of the box: the staff side, or the organisation's own numbers. */
export interface TransferPort {
  transfer(callee: Call, req: TransferRequest, ctx: TransferContext): Promise<TransferRecord>;
}

interface ActiveCall {
  call: Call;
  campaignId: number;
  trunk: string;
}

export class Dialer {
  private readonly repo: CampaignsRepo;
  private readonly now: () => number;
  private readonly active = new Map<number, ActiveCall>();
  private readonly perCampaign = new Map<number, number>();
  private readonly perTrunk = new Map<string, number>();
  private readonly trunkLimiters = new Map<string, SlidingRateLimiter>();
  private readonly campaignLimiters = new Map<number, SlidingRateLimiter>();
  private readonly breakers = new Map<string, CircuitBreaker>();
  private timer: unknown = null;
  private running = false;
  private ticking = false;
  private readonly settled = new Set<Promise<void>>();
  private held: DialHold | null = null;
  /**
   * The ledger writes of a tick (the gate's audit entries, the intents, postponements) are committed
   * without their own fsync and made durable by one fsync of the WAL in the thread pool; a call is
   * dialled only once its intent is on disk. A FULL commit per contact held the event loop (and every
   * live call's media) for the fsync's duration, tens of ms on a busy disk.
   */
  private readonly wal: WalSync;
  private readonly totalChanges: () => number;
  /** Calls whose intent is written and which wait for the WAL's fsync to be dialled. */
  private awaitingDial = 0;

  constructor(private readonly deps: DialerDeps) {
    this.repo = new CampaignsRepo(deps.db);
    this.now = () => deps.clock.now();
    this.wal = new WalSync(deps.db, deps.groupCommit === true);
    const changes = deps.db.prepare('SELECT total_changes()').pluck();
    this.totalChanges = () => changes.get() as number;
  }

  get activeCalls(): number {
    return this.active.size + this.awaitingDial;
  }

  /** Why no call is being placed right now (running campaigns show it), or null. */
  get hold(): DialHold | null {
    return this.held;
  }

  activeFor(campaignId: number): number {
    return this.perCampaign.get(campaignId) ?? 0;
  }

  /** Reconcile attempts left open by a crash, then start the loop. */
  async start(): Promise<void> {
    this.reconcile();
    this.running = true;
    this.schedule(0);
  }

  /** Stop taking new work; let calls in progress finish for up to drainMs, then hang them up. */
  async stop(drainMs = 10_000): Promise<void> {
    this.running = false;
    if (this.timer !== null) this.deps.clock.clear(this.timer);
    this.timer = null;
    const all = Promise.all([...this.settled]);
    const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), drainMs).unref())]);
    if (timedOut) {
      for (const a of this.active.values()) await a.call.hangup('shutdown').catch(() => undefined);
      await Promise.race([Promise.all([...this.settled]), new Promise((r) => setTimeout(r, 3000).unref())]);
    }
  }

  /** Wake the loop now (a campaign started or resumed). */
  kick(): void {
    if (this.running) this.schedule(0);
  }

  /** After a crash: every intent without a final state becomes 'interrupted' and waits for its retry. */
  reconcile(): number {
    const open = this.repo.openAttempts();
    const now = this.now();
    for (const a of open) {
      let campaign: CampaignRow;
      try {
        campaign = this.repo.get(a.campaignId);
      } catch {
        continue;
      }
      const progress = this.repo.contactProgress(a.campaignId, a.contactId);
      const decision = decideRetry('interrupted', { ...progress, attempts: progress.attempts + 1 }, campaign.config.retry, campaign.config.maxAttempts, now);
      this.repo.finishAttempt(a.id, emptyResult('interrupted', 'reconciled at boot: no final state was recorded'), decision, now, (db) => {
        appendEvent(db, 'attempt.outcome', { campaignId: a.campaignId, contactId: a.contactId, attemptId: a.id, outcome: 'interrupted' }, now);
      });
    }
    if (open.length > 0) this.deps.logger.warn({ count: open.length }, 'reconciled interrupted attempts from before the restart');
    return open.length;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    if (this.timer !== null) this.deps.clock.clear(this.timer);
    this.timer = this.deps.clock.schedule(() => {
      this.timer = null;
      this.tick();
    }, ms);
  }

  private limiter<K>(map: Map<K, SlidingRateLimiter>, key: K, cps: number): SlidingRateLimiter {
    let l = map.get(key);
    if (!l) {
      l = new SlidingRateLimiter(cps);
      map.set(key, l);
    }
    l.setRate(cps);
    return l;
  }

  private breaker(trunk: string): CircuitBreaker {
    let b = this.breakers.get(trunk);
    if (!b) {
      b = new CircuitBreaker();
      this.breakers.set(trunk, b);
    }
    return b;
  }

  private tick(): void {
    if (!this.running || this.ticking) return;
    this.ticking = true;
    let wake = this.deps.idleMs ?? 500;
    try {
      const permission = this.deps.canDial();
      const held = permission.ok ? null : { code: permission.code, reason: permission.reason };
      if (held?.reason !== this.held?.reason) {
        this.held = held;
        for (const c of this.repo.byStatus('running')) this.deps.onProgress?.(c.id);
      }
      const before = this.totalChanges();
      for (const campaign of held === null ? this.repo.byStatus('running') : []) {
        wake = Math.min(wake, this.wal.relaxed(() => this.tickCampaign(campaign)));
      }
      // Postponements, blocks and a completion written relaxed reach the disk too (placed calls wait for it).
      if (this.totalChanges() !== before) this.syncLater();
    } catch (e) {
      this.deps.logger.error({ err: (e as Error).message }, 'dialer tick failed');
    } finally {
      this.ticking = false;
    }
    this.schedule(Math.max(1, wake));
  }

  /** Returns how soon this campaign wants the loop back (ms). */
  private tickCampaign(campaign: CampaignRow): number {
    const cfg = campaign.config;
    const now = this.now();
    const idle = this.deps.idleMs ?? 500;
    const free = cfg.maxConcurrent - this.activeFor(campaign.id);
    if (free <= 0) return idle;
    const campLimiter = this.limiter(this.campaignLimiters, campaign.id, cfg.cps);
    if (campLimiter.available(now) <= 0) return campLimiter.waitMs(now);
    const due = this.repo.due(campaign.id, now, Math.max(free, 1) * 2);
    if (due.length === 0) {
      this.maybeComplete(campaign);
      const next = this.repo.nextDueAt(campaign.id);
      return next === null ? idle : Math.min(idle, Math.max(1, next - now));
    }
    let placed = 0;
    const began = performance.now();
    for (const contact of due) {
      if (placed >= free) break;
      // Each contact handled is a durable commit (an intent, a postponement); a burst of them (a start at
      // a high cps) would hold the event loop that carries the live calls' media: past the budget, the
      // rest waits for the next tick, a millisecond away, with I/O and timers run in between.
      if (performance.now() - began > TICK_BUDGET_MS) return 1;
      const t = this.now();
      if (!isInsideWindow(t, contact.zones, cfg.schedule)) {
        const at = nextOpening(t, contact.zones, cfg.schedule);
        if (at === null) {
          this.repo.block(campaign.id, contact.contactId, 'outside-schedule', t, (db) => appendEvent(db, 'attempt.outcome', { campaignId: campaign.id, contactId: contact.contactId, outcome: 'blocked-by-compliance', reason: 'outside-schedule' }, t));
        } else {
          this.repo.postpone(campaign.id, contact.contactId, at);
        }
        continue;
      }
      const v = this.deps.gate({ campaign, contact, now: t });
      if (!v.allow) {
        if (v.retryAt !== undefined) this.repo.postpone(campaign.id, contact.contactId, v.retryAt);
        else this.repo.block(campaign.id, contact.contactId, v.reason ?? 'blocked', t, (db) => appendEvent(db, 'attempt.outcome', { campaignId: campaign.id, contactId: contact.contactId, outcome: 'blocked-by-compliance', reason: v.reason }, t));
        this.deps.onProgress?.(campaign.id);
        continue;
      }
      let message: PromptRef;
      if (cfg.message !== null) {
        message = this.deps.prompt(cfg.message);
      } else {
        const p = this.deps.personalPrompt?.(campaign, contact) ?? { error: 'personalised messages are not available' };
        if ('waitMs' in p) {
          this.repo.postpone(campaign.id, contact.contactId, t + p.waitMs);
          continue;
        }
        if ('error' in p) {
          this.repo.block(campaign.id, contact.contactId, 'message-render-failed', t, (db) => appendEvent(db, 'attempt.outcome', { campaignId: campaign.id, contactId: contact.contactId, outcome: 'blocked-by-compliance', reason: 'message-render-failed' }, t));
          this.deps.logger.warn({ campaignId: campaign.id, contactId: contact.contactId, err: p.error }, 'personalised message could not be rendered');
          continue;
        }
        message = p.prompt;
      }
      const prompts = this.flowPrompts(campaign, contact, message);
      if ('waitMs' in prompts) {
        this.repo.postpone(campaign.id, contact.contactId, t + prompts.waitMs);
        continue;
      }
      if ('error' in prompts) {
        this.repo.block(campaign.id, contact.contactId, 'message-render-failed', t, (db) => appendEvent(db, 'attempt.outcome', { campaignId: campaign.id, contactId: contact.contactId, outcome: 'blocked-by-compliance', reason: 'message-render-failed' }, t));
        this.deps.logger.warn({ campaignId: campaign.id, contactId: contact.contactId, err: prompts.error }, 'a prompt of the flow could not be rendered');
        continue;
      }
      const trunk = this.pickTrunk(cfg.trunks, t);
      if (!trunk) return 20;
      if (!campLimiter.tryTake(t)) return campLimiter.waitMs(t);
      this.limiter(this.trunkLimiters, trunk.name, trunk.limits.cps).tryTake(t);
      this.place(campaign, contact, trunk.name, t, prompts.prompts);
      placed++;
    }
    return placed > 0 ? 1 : Math.min(idle, campLimiter.waitMs(this.now()) || idle);
  }

  private pickTrunk(names: string[], now: number): { name: string; limits: TrunkLimits } | null {
    for (const name of names) {
      const limits = this.deps.trunkLimits(name);
      if (!limits) continue;
      if ((this.perTrunk.get(name) ?? 0) >= limits.channels) continue;
      if (this.breaker(name).isOpen(now)) continue;
      if (this.limiter(this.trunkLimiters, name, limits.cps).available(now) <= 0) continue;
      return { name, limits };
    }
    return null;
  }

  /** Every prompt of the campaign's flow for this contact, resolved before the call (never rendered during it). */
  private flowPrompts(campaign: CampaignRow, contact: DueContact, message: PromptRef): { prompts: Map<string, PromptRef> } | { waitMs: number } | { error: string } {
    const map = new Map<string, PromptRef>([['m', message]]);
    for (const p of allPrompts(flowOf(campaign.config))) {
      const key = promptKey(p);
      if (map.has(key)) continue;
      if ('recording' in p) map.set(key, this.deps.prompt(p.recording));
      else if ('tts' in p) {
        const r = this.deps.textPrompt?.(campaign, contact, p.tts) ?? { error: 'text-to-speech prompts are not available' };
        if (!('prompt' in r)) return r;
        map.set(key, r.prompt);
      }
    }
    return { prompts: map };
  }

  /** An fsync of the WAL for relaxed writes nobody waits on; a failure is logged (the next FULL commit syncs them). */
  private syncLater(): void {
    this.wal.sync().catch((e: unknown) => this.deps.logger.error({ err: (e as Error).message }, 'syncing the ledger to disk failed'));
  }

  private place(campaign: CampaignRow, contact: DueContact, trunk: string, now: number, prompts: Map<string, PromptRef>): void {
    const cfg = campaign.config;
    // Only the simulated network learns the menu keys and the flow, so its people answer what this campaign asks.
    const menu = this.deps.trunkLimits(trunk)?.sandbox ? formatSandboxMenu(cfg.menu, flowOf(cfg)) : '';
    const attemptId = this.repo.beginAttempt({ campaignId: campaign.id, contactId: contact.contactId, e164: contact.e164, trunk, callerId: cfg.callerId, now });
    // The call's channel and pacing are taken now; the INVITE leaves once the intent is on disk.
    this.perCampaign.set(campaign.id, this.activeFor(campaign.id) + 1);
    this.perTrunk.set(trunk, (this.perTrunk.get(trunk) ?? 0) + 1);
    this.awaitingDial++;
    let unlist: (() => void) | undefined;
    const dial = (): Call | null => {
      if (!this.running) {
        this.finish(campaign, contact, attemptId, emptyResult('interrupted', 'the box stopped before the call was placed'));
        return null;
      }
      let call: Call;
      try {
        call = this.deps.engine.dial({ to: contact.e164, from: cfg.callerId, trunk, ringTimeoutMs: cfg.ringTimeoutMs, amd: cfg.amd && cfg.voicemail !== null, tag: `a${attemptId}`, ...(menu ? { headers: { [SANDBOX_MENU_HEADER]: menu } } : {}) });
      } catch (e) {
        this.deps.logger.error({ attemptId, err: (e as Error).message }, 'dial refused by the engine');
        this.finish(campaign, contact, attemptId, { ...emptyResult('trunk-failure', (e as Error).message) });
        return null;
      }
      this.active.set(attemptId, { call, campaignId: campaign.id, trunk });
      this.deps.onProgress?.(campaign.id);
      unlist = this.deps.liveCalls?.add(call, { kind: 'campaign', campaignId: campaign.id, campaignName: campaign.name, numberTail: contact.e164.replace(/\D/g, '').slice(-4), since: now });
      return call;
    };
    const proceed = (): Promise<void> | undefined => {
      this.awaitingDial--;
      const call = dial();
      return call ? this.follow(campaign, contact, attemptId, call, prompts) : undefined;
    };
    const notSynced = (e: unknown): void => {
      // Not on disk: no call may leave on this intent. It ends as interrupted (retried as the campaign's rules say).
      this.awaitingDial--;
      this.deps.logger.error({ attemptId, err: (e as Error).message }, 'the attempt could not be synced to disk; the call was not placed');
      this.finish(campaign, contact, attemptId, emptyResult('interrupted', `not placed: the ledger could not be synced to disk (${(e as Error).message})`));
    };
    // Without group commit the intent's commit was FULL: the call leaves in this turn, as it always did.
    let placed: Promise<void | undefined>;
    if (this.wal.usable) placed = this.wal.sync().then(proceed, notSynced);
    else {
      try {
        placed = Promise.resolve(proceed());
      } catch (e) {
        placed = Promise.reject(e);
      }
    }
    const settled = placed.catch((e: unknown) => {
      this.deps.logger.error({ attemptId, err: (e as Error).message }, 'call handling failed');
    }).finally(() => {
      unlist?.();
      this.active.delete(attemptId);
      this.perCampaign.set(campaign.id, Math.max(0, this.activeFor(campaign.id) - 1));
      this.perTrunk.set(trunk, Math.max(0, (this.perTrunk.get(trunk) ?? 1) - 1));
      this.settled.delete(settled);
      this.kick();
    });
    this.settled.add(settled);
  }

  private async follow(campaign: CampaignRow, contact: DueContact, attemptId: number, call: Call, prompts: Map<string, PromptRef>): Promise<void> {
    const cfg = campaign.config;
    const root = this.deps.answersRoot;
    const { ended, flow: r, outcome } = await runFlowCall(call, flowOf(cfg), {
      prompt: (p: FlowPrompt) => prompts.get(promptKey(p)) ?? prompts.get('m')!,
      ...(cfg.menu.optOut ? { optOutKey: cfg.menu.optOut } : {}),
      now: this.now,
      slot: (o) => callbackSlot(o, this.now(), contact.zones, cfg.schedule),
      recordFile: (name) => {
        if (!root) return null;
        const dir = join(root, 'answers', `c${campaign.id}`);
        mkdirSync(dir, { recursive: true });
        return join(dir, `a${attemptId}-${name}.wav`);
      },
      ...(this.deps.transfer ? { transfer: (c: Call, req: TransferRequest) => this.deps.transfer!.transfer(c, req, {
        actor: `campaign:${campaign.id}`, campaignId: campaign.id, name: contact.fields.name?.trim() || null, number: contact.e164,
        source: `campaign ${campaign.name}`, callerId: cfg.callerId, trunk: this.active.get(attemptId)?.trunk ?? cfg.trunks[0]!, tag: `a${attemptId}`,
      }) } : {}),
    }, { amd: cfg.amd && cfg.voicemail !== null, ...(cfg.voicemail ? { voicemail: this.deps.prompt(cfg.voicemail) } : {}) },
    (e) => this.deps.logger.error({ attemptId, err: (e as Error).message }, 'flow failed'));
    this.breaker(this.active.get(attemptId)?.trunk ?? '').record(outcome !== 'trunk-failure', this.now());
    this.finish(campaign, contact, attemptId, {
      outcome,
      sipCode: ended.sipCode,
      q850: ended.q850,
      dtmf: r?.dtmf ?? '',
      amd: r?.amd ?? null,
      setupMs: ended.durations.setupMs,
      ringMs: ended.durations.ringMs,
      talkMs: ended.durations.talkMs,
      messageMs: r?.messagePlayedMs ?? 0,
      // What the network played when a SIT or an in-band busy tone decided the outcome.
      ...(ended.inband ? { detail: ended.reason ?? ended.inband.kind } : {}),
      transfer: r?.transfer ?? null,
    }, r && r.path.length > 0 ? r : null);
  }

  private finish(campaign: CampaignRow, contact: DueContact, attemptId: number, result: AttemptResult, flow: FlowResult | null = null): void {
    const now = this.now();
    const progress = this.repo.contactProgress(campaign.id, contact.contactId);
    let decision = decideRetry(result.outcome, { ...progress, attempts: progress.attempts + 1 }, campaign.config.retry, campaign.config.maxAttempts, now);
    // A callback the callee chose is the contact's next attempt, at that time (within maxAttempts).
    const callback = flow?.callback;
    if (callback && (result.outcome === 'human' || result.outcome === 'confirmed')) {
      decision = progress.attempts + 1 >= campaign.config.maxAttempts
        ? { kind: 'final', outcome: result.outcome, counted: true }
        : { kind: 'retry', at: callback.at, counted: true, retries: progress.retries };
    }
    // An opt-out is the callee's own request: its commit keeps its fsync. Other outcomes are written
    // relaxed and synced in the thread pool just after (a kill -9 loses nothing either way).
    const optOut = result.outcome === 'opted-out';
    const write = (f: () => void): void => (optOut ? f() : this.wal.relaxed(f));
    write(() => this.repo.finishAttempt(attemptId, result, decision, now, (db) => {
      if (flow) {
        const root = this.deps.answersRoot ?? '';
        const files = Object.fromEntries(flow.recordings.map((x) => [x.name, { file: root ? x.file.slice(root.length).replace(/^[\\/]+/, '') : x.file, ms: x.ms }]));
        saveFlowRecord(db, { attemptId, campaignId: campaign.id, contactId: contact.contactId, path: flow.path, answers: flow.answers, files });
      }
      appendEvent(db, 'attempt.outcome', {
        campaignId: campaign.id, contactId: contact.contactId, attemptId, outcome: result.outcome, sipCode: result.sipCode, q850: result.q850,
        dtmf: result.dtmf, final: decision.kind === 'final', numberHash: hashNumber(contact.e164),
      }, now);
      // The opt-out takes effect in the same transaction as the attempt that recorded it: across every
      // campaign on the box at once, and as a fleet event for the other boxes.
      if (result.outcome === 'opted-out') {
        recordOptOut(db, { e164: contact.e164, campaignId: campaign.id, channel: 'keypress', ...(campaign.config.menu.optOut ? { digit: campaign.config.menu.optOut } : {}), now });
      }
    }));
    if (!optOut) this.syncLater();
    this.deps.onProgress?.(campaign.id);
  }

  private maybeComplete(campaign: CampaignRow): void {
    if (this.activeFor(campaign.id) > 0) return;
    // A start still copying the list has contacts to come.
    if (this.repo.isStarting(campaign.id)) return;
    const r = this.repo.remaining(campaign.id);
    if (r.pending + r.waiting + r.calling > 0) return;
    const now = this.now();
    this.repo.setStatus(campaign.id, 'completed', now, (db) => appendEvent(db, 'campaign.state', { campaignId: campaign.id, status: 'completed' }, now));
    this.deps.logger.info({ campaignId: campaign.id }, 'campaign completed');
    this.deps.onProgress?.(campaign.id);
  }
}

function emptyResult(outcome: Outcome, detail: string): AttemptResult {
  return { outcome, sipCode: null, q850: null, dtmf: '', amd: null, setupMs: 0, ringMs: 0, talkMs: 0, messageMs: 0, detail };
}

// The transfer of a callee to a person (issue 16), against the call port only: ring a staff group's
// available members (all at once, or the one idle longest first, then the next) or one of the
// organisation's own numbers through a trunk; the callee hears music or a message meanwhile, and the
// opt-out key still works; the first to answer hears the whisper, then the two calls are bridged. Nobody
// answering within the wait stops the ringing and the music at once, and the flow's fallback runs.
// An external number not on the organisation's list is refused here too (not only at validation), with
// an audit entry: handing callees to a third party's call centre is the Rising Eagle case.
import type { Call, CallEngine, PromptRef, StaffEndpoint } from '../../core/call-port.ts';
import type { Logger } from '../../core/log.ts';
import { hashNumber } from '../../core/log.ts';
import type { Settings } from '../../core/settings-types.ts';
import type { Db } from '../store/db.ts';
import { appendAudit } from '../store/compliance-audit-repo.ts';
import { isExternalTarget, type TransferStep } from '../flows/model.ts';
import type { TransferRecord, TransferRequest } from '../flows/session.ts';
import { takesCalls } from './directory.ts';
import { contactCard, displayName, whisperText, type TransferSubject } from './whisper.ts';

/** Ringing one member of a `longest-idle` group lasts this long before the next is tried. */
export const RING_EACH_MS = 15_000;
/** The whisper waits this long for its text-to-speech; without it the call is connected unannounced. */
const WHISPER_RENDER_MS = 4000;

export interface TransferDeps {
  engine: Pick<CallEngine, 'dial'> & Partial<Pick<CallEngine, 'dialStaff' | 'staffEndpoints'>>;
  settings: () => Pick<Settings, 'staff' | 'users'>;
  /** The audit log (a refused external transfer is written there). */
  db: Db;
  logger: Logger;
  now: () => number;
  /** The box's hold music (appliance/staff/hold-music.ts). */
  holdMusic: () => PromptRef;
  /** Text-to-speech for the whisper; null or absent: connected without one. */
  speak?: (text: string) => Promise<PromptRef | null>;
}

/** Who and what the transfer is for (the dialer or the inbound flow gives it per call). */
export interface TransferContext extends TransferSubject {
  /** Written as the audit entry's actor for a refusal: `campaign:<id>` or `inbound`. */
  actor: string;
  campaignId: number | null;
  /** Caller ID and trunk for a transfer to an external number. */
  callerId: string;
  trunk?: string;
  tag?: string;
}

interface Leg {
  call: Call;
  takenBy: string;
}

/** Members of a group in the order they are rung: one wave for ring-all, one member per wave otherwise. */
export function ringWaves(members: readonly string[], strategy: 'ring-all' | 'longest-idle', idleSince: (user: string) => number): string[][] {
  if (members.length === 0) return [];
  if (strategy === 'ring-all') return [[...members]];
  return [...members].sort((a, b) => idleSince(a) - idleSince(b) || a.localeCompare(b)).map((m) => [m]);
}

export class TransferService {
  /** When each user's last transferred call ended (their idle time starts there). */
  private readonly lastEnded = new Map<string, number>();

  constructor(private readonly deps: TransferDeps) {}

  /** Available members of a group: users who take calls, with a registered endpoint that is not busy. */
  available(group: string): { members: string[]; strategy: 'ring-all' | 'longest-idle' } | null {
    const s = this.deps.settings();
    const g = s.staff.groups.find((x) => x.name === group);
    if (!g) return null;
    const endpoints: StaffEndpoint[] = this.deps.engine.staffEndpoints?.() ?? [];
    const members = g.members.filter((m) => takesCalls(s.users.find((u) => u.username === m)) &&
      endpoints.some((e) => e.user === m) && !endpoints.some((e) => e.user === m && e.busy));
    return { members, strategy: g.strategy };
  }

  /** Since when a user has been idle: their last transferred call's end, or their endpoint's registration. */
  private idleSince(user: string): number {
    const since = Math.min(...(this.deps.engine.staffEndpoints?.() ?? []).filter((e) => e.user === user).map((e) => e.since), Number.MAX_SAFE_INTEGER);
    return this.lastEnded.get(user) ?? since;
  }

  private refuse(ctx: TransferContext, step: TransferStep, reason: string): TransferRecord {
    appendAudit(this.deps.db, {
      actor: ctx.actor, action: 'transfer.refused', subject: `number:${hashNumber(step.to)}`,
      details: { reason, step: step.id, campaignId: ctx.campaignId }, now: this.deps.now(),
    });
    this.deps.logger.warn({ step: step.id, campaignId: ctx.campaignId, to: hashNumber(step.to), reason }, 'transfer refused');
    return { outcome: 'refused', waitMs: 0, talkMs: 0, takenBy: null };
  }

  async transfer(callee: Call, req: TransferRequest, ctx: TransferContext): Promise<TransferRecord> {
    const { step } = req;
    const started = this.deps.now();
    let waves: Array<Array<() => Leg>>;
    if (isExternalTarget(step.to)) {
      // Checked again at run time: a flow stored before the list changed, or one that slipped past validation.
      if (!this.deps.settings().staff.transferNumbers.includes(step.to)) return this.refuse(ctx, step, 'not-an-own-number');
      waves = [[() => ({
        call: this.deps.engine.dial({ to: step.to, from: ctx.callerId, ...(ctx.trunk ? { trunk: ctx.trunk } : {}), ringTimeoutMs: step.waitMs, ...(ctx.tag ? { tag: `${ctx.tag}-x` } : {}) }),
        takenBy: `external:${hashNumber(step.to)}`,
      })]];
    } else {
      const group = this.available(step.to);
      if (!group) return this.refuse(ctx, step, 'no-such-group');
      const dialStaff = this.deps.engine.dialStaff?.bind(this.deps.engine);
      if (group.members.length === 0 || !dialStaff) return { outcome: 'no-staff', waitMs: 0, talkMs: 0, takenBy: null };
      const headers = { 'X-Contact-Card': contactCard(ctx, req.answers) };
      waves = ringWaves(group.members, step.strategy ?? group.strategy, (u) => this.idleSince(u)).map((wave) => wave.map((user) => () => ({
        call: dialStaff({ user, display: displayName(ctx), headers, ...(ctx.tag ? { tag: `${ctx.tag}-${user}` } : {}) }),
        takenBy: user,
      })));
    }
    const whisper = step.whisper !== false && this.deps.speak ? withTimeout(this.deps.speak(whisperText(ctx, req.answers)).catch(() => null), WHISPER_RENDER_MS) : Promise.resolve(null);

    // Over when the wait runs out, the callee hangs up or opts out, or the flow stops.
    const over = new AbortController();
    const deadline = setTimeout(() => over.abort('wait'), step.waitMs);
    const onEnded = (): void => over.abort('hangup');
    callee.once('ended', onEnded);
    const onStop = (): void => over.abort('hangup');
    req.signal?.addEventListener('abort', onStop, { once: true });
    const hold = new AbortController();
    let optedOut = false;
    const music = this.hold(callee, req.hold ?? this.deps.holdMusic(), req.optOutKey, hold.signal, () => {
      optedOut = true;
      over.abort('opt-out');
    });
    try {
      let taken: Leg | null = null;
      for (const wave of waves) {
        if (over.signal.aborted) break;
        const left = step.waitMs - (this.deps.now() - started);
        taken = await ringFirst(wave, waves.length > 1 ? Math.min(RING_EACH_MS, left) : left, over.signal, this.deps.logger);
        if (taken) break;
      }
      // Someone answered: the wait is over, whatever the whisper and the conversation take.
      clearTimeout(deadline);
      const waitMs = this.deps.now() - started;
      if (!taken) {
        const outcome = optedOut ? 'opted-out' : over.signal.reason === 'hangup' || callee.state === 'ended' ? 'caller-hung-up' : 'no-answer';
        return { outcome, waitMs, talkMs: 0, takenBy: null };
      }
      return await this.connect(callee, taken, whisper, hold, music, waitMs, over.signal);
    } finally {
      clearTimeout(deadline);
      callee.off('ended', onEnded);
      req.signal?.removeEventListener('abort', onStop);
      hold.abort();
      await music;
    }
  }

  /** The callee's music, again and again until stopped; the opt-out key stops it and the transfer. */
  private async hold(callee: Call, prompt: PromptRef, optOutKey: string | undefined, stop: AbortSignal, onOptOut: () => void): Promise<void> {
    while (!stop.aborted && callee.state !== 'ended') {
      const r = await callee.play(prompt, { bargeIn: Boolean(optOutKey), signal: stop }).catch(() => null);
      if (!r) return;
      if (optOutKey && r.interruptedBy === optOutKey) {
        onOptOut();
        return;
      }
      // Another key is not a reason to stop waiting; a prompt that played nothing would spin.
      if (!r.completed && !r.interruptedBy) return;
      if (r.playedMs === 0 && !r.interruptedBy) return;
    }
  }

  /** The staff member hears the whisper (the callee still hears the music), then the two are bridged. */
  private async connect(callee: Call, leg: Leg, whisper: Promise<PromptRef | null>, hold: AbortController, music: Promise<void>, waitMs: number, over: AbortSignal): Promise<TransferRecord> {
    const staff = leg.call;
    try {
      const said = await whisper;
      if (said && staff.state !== 'ended' && !over.aborted) await staff.play(said, { signal: over });
      hold.abort();
      await music;
      if (callee.state === 'ended' || over.aborted) return { outcome: 'caller-hung-up', waitMs, talkMs: 0, takenBy: leg.takenBy };
      if (staff.state === 'ended') return { outcome: 'no-answer', waitMs, talkMs: 0, takenBy: null };
      if (!callee.bridge) {
        this.deps.logger.error({ takenBy: leg.takenBy }, 'transfer: this engine cannot bridge calls');
        return { outcome: 'failed', waitMs, talkMs: 0, takenBy: null };
      }
      const from = this.deps.now();
      const bridge = callee.bridge(staff);
      await bridge.done;
      return { outcome: 'connected', waitMs, talkMs: this.deps.now() - from, takenBy: leg.takenBy };
    } finally {
      if (staff.state !== 'ended') await staff.hangup('transfer-over').catch(() => undefined);
      if (!leg.takenBy.startsWith('external:')) this.lastEnded.set(leg.takenBy, this.deps.now());
    }
  }
}

/** Rings every leg of a wave; the first to answer is kept, the others are hung up. Null when none answered in time. */
async function ringFirst(wave: Array<() => Leg>, ms: number, over: AbortSignal, logger: Logger): Promise<Leg | null> {
  if (ms <= 0) return null;
  const legs: Leg[] = [];
  for (const make of wave) {
    try {
      legs.push(make());
    } catch (e) {
      logger.warn({ err: (e as Error).message }, 'transfer: a leg could not be placed');
    }
  }
  if (legs.length === 0) return null;
  const winner = await new Promise<Leg | null>((resolve) => {
    let open = legs.length;
    let settled = false;
    const cleanups: Array<() => void> = [];
    const finish = (leg: Leg | null): void => {
      if (settled) return;
      settled = true;
      for (const c of cleanups) c();
      resolve(leg);
    };
    const timer = setTimeout(() => finish(null), ms);
    cleanups.push(() => clearTimeout(timer));
    const onOver = (): void => finish(null);
    over.addEventListener('abort', onOver, { once: true });
    cleanups.push(() => over.removeEventListener('abort', onOver));
    for (const leg of legs) {
      if (leg.call.state === 'answered') {
        finish(leg);
        return;
      }
      const onAnswered = (): void => finish(leg);
      const onEnded = (): void => {
        open -= 1;
        if (open === 0) finish(null);
      };
      leg.call.once('answered', onAnswered);
      leg.call.once('ended', onEnded);
      cleanups.push(() => {
        leg.call.off('answered', onAnswered);
        leg.call.off('ended', onEnded);
      });
    }
    if (over.aborted) finish(null);
  });
  // The others stop ringing now, but their ends are not awaited: a ringing leg's hangup waits for the
  // phone to answer the CANCEL, and a slow desk phone must not hold up the callee's fallback or bridge.
  for (const l of legs) {
    if (l !== winner && l.call.state !== 'ended') void l.call.hangup('transfer-taken-or-over').catch((e: unknown) => logger.warn({ err: (e as Error).message }, 'transfer: a ringing leg could not be hung up'));
  }
  return winner;
}

function withTimeout<T>(p: Promise<T | null>, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(null), ms);
    void p.then((v) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

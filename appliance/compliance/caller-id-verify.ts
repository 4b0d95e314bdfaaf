// Caller-ID verification: the box calls the number through its call engine, asks for the 6-digit code
// shown in the web UI, and when the callee types it on the keypad marks the number verified in the
// settings (one atomic settings change) and writes an audit entry. Only a person who can answer that
// line can make the box present it. Verifications live in memory: a restart ends those in progress.
import { randomInt, randomUUID } from 'node:crypto';
import type { Call, CallEngine, PromptRef } from '../../core/call-port.ts';
import type { Settings } from '../../core/settings-types.ts';
import type { Db } from '../store/db.ts';
import type { Logger } from '../../core/log.ts';
import { maskNumber } from '../../core/log.ts';
import { AppError } from '../../core/errors.ts';
import { appendAudit } from '../store/compliance-audit-repo.ts';

export type VerificationState = 'calling' | 'waiting-for-code' | 'verified' | 'failed' | 'expired';

/** Why a verification failed: the call's outcome when it was not answered, else what the callee did. */
export type VerificationFailure = 'busy' | 'no-answer' | 'declined' | 'invalid-number' | 'trunk-failure' | 'hung-up' | 'no-code' | 'wrong-code' | 'removed' | 'superseded' | 'stopped' | 'error';

export interface VerificationView {
  id: string;
  number: string;
  /** Shown in the UI; the callee types it on the phone's keypad. */
  code: string;
  state: VerificationState;
  reason: VerificationFailure | null;
  /** Codes typed that were wrong (the callee gets up to `tries`). */
  wrongCodes: number;
  startedAt: string;
  expiresAt: string;
  endedAt: string | null;
}

export interface VerificationPrompts {
  /** "Type the code shown on your screen, then press hash." */
  ask: PromptRef;
  /** "That code is not right; try again." */
  wrong: PromptRef;
  /** "Your number is verified. Goodbye." */
  done: PromptRef;
}

export interface CallerIdVerifierDeps {
  engine: Pick<CallEngine, 'dial'>;
  settings: () => Settings;
  /** The settings store's atomic update (validated whole, written with fsync). */
  updateSettings: (change: (draft: Settings) => void) => Promise<Settings>;
  db: Db;
  prompts: () => Promise<VerificationPrompts>;
  logger: Logger;
  now?: () => number;
  /** Seeded in tests; default a uniform random 6-digit code. */
  code?: () => string;
  /** After this the verification expires (its call is ended). Default 5 minutes. */
  ttlMs?: number;
  ringTimeoutMs?: number;
  /** Time allowed for each key. Default 15 s. */
  keyTimeoutMs?: number;
  /** Codes the callee may type before the verification fails. Default 3. */
  tries?: number;
}

interface Verification extends VerificationView {
  actor: string;
  call: Call | null;
  timer: NodeJS.Timeout | null;
}

const ACTIVE: VerificationState[] = ['calling', 'waiting-for-code'];
const KEEP_MS = 60 * 60_000;
const CODE_LENGTH = 6;

export class CallerIdVerifier {
  readonly name = 'caller-id-verifier';
  private readonly items = new Map<string, Verification>();
  private readonly now: () => number;

  constructor(private readonly deps: CallerIdVerifierDeps) {
    this.now = deps.now ?? Date.now;
  }

  async start(): Promise<void> {}

  /** Ends the calls in progress; their verifications fail with 'stopped'. */
  async stop(): Promise<void> {
    for (const v of this.items.values()) if (ACTIVE.includes(v.state)) this.finish(v, 'failed', 'stopped');
  }

  /** Start a verification call to a caller ID of the settings; answers at once (the call goes on). */
  begin(number: string, opts: { actor: string; trunk?: string }): VerificationView {
    const s = this.deps.settings();
    if (!s.callerIds.some((c) => c.number === number)) throw new AppError('E_NOT_FOUND', `${number} is not one of the box's caller IDs; add it first`, { callerId: number });
    const trunk = opts.trunk ?? s.defaultTrunk;
    if (!trunk || !s.trunks.some((t) => t.name === trunk && t.enabled)) {
      throw new AppError('E_TRUNK_UNKNOWN', trunk ? `no enabled trunk named "${trunk}" to place the verification call` : 'no default trunk to place the verification call: configure a trunk or name one', { option: 'trunk' });
    }
    this.prune();
    for (const old of this.items.values()) if (old.number === number && ACTIVE.includes(old.state)) this.finish(old, 'failed', 'superseded');
    const now = this.now();
    const ttl = this.deps.ttlMs ?? 5 * 60_000;
    const v: Verification = {
      id: randomUUID(), number, code: this.deps.code?.() ?? String(randomInt(0, 10 ** CODE_LENGTH)).padStart(CODE_LENGTH, '0'),
      state: 'calling', reason: null, wrongCodes: 0, startedAt: new Date(now).toISOString(), expiresAt: new Date(now + ttl).toISOString(), endedAt: null,
      actor: opts.actor, call: null, timer: null,
    };
    if (!/^\d{6}$/.test(v.code)) throw new Error('verification code must be 6 digits');
    v.timer = setTimeout(() => { if (ACTIVE.includes(v.state)) this.finish(v, 'expired', null); }, ttl);
    v.timer.unref();
    this.items.set(v.id, v);
    appendAudit(this.deps.db, { actor: opts.actor, action: 'callerid.verify-start', subject: number, details: { verification: v.id, trunk }, now });
    this.run(v, trunk).catch((e: unknown) => {
      this.deps.logger.error({ verification: v.id, err: (e as Error).message }, 'caller-ID verification failed');
      if (ACTIVE.includes(v.state)) this.finish(v, 'failed', 'error');
    });
    return this.view(v);
  }

  get(id: string): VerificationView {
    const v = this.items.get(id);
    if (!v) throw new AppError('E_NOT_FOUND', `no verification ${id} (verifications are kept for an hour, and not across a restart)`, { verification: id });
    // A clock moved ahead (tests, or a stalled timer) still ends it.
    if (ACTIVE.includes(v.state) && this.now() > Date.parse(v.expiresAt)) this.finish(v, 'expired', null);
    return this.view(v);
  }

  private view(v: Verification): VerificationView {
    return { id: v.id, number: v.number, code: v.code, state: v.state, reason: v.reason, wrongCodes: v.wrongCodes, startedAt: v.startedAt, expiresAt: v.expiresAt, endedAt: v.endedAt };
  }

  private prune(): void {
    const cutoff = this.now() - KEEP_MS;
    for (const [id, v] of this.items) if (!ACTIVE.includes(v.state) && Date.parse(v.startedAt) < cutoff) this.items.delete(id);
  }

  private finish(v: Verification, state: 'verified' | 'failed' | 'expired', reason: VerificationFailure | null): void {
    if (!ACTIVE.includes(v.state)) return;
    v.state = state;
    v.reason = reason;
    v.endedAt = new Date(this.now()).toISOString();
    if (v.timer) clearTimeout(v.timer);
    if (state !== 'verified') {
      appendAudit(this.deps.db, { actor: v.actor, action: state === 'expired' ? 'callerid.verify-expired' : 'callerid.verify-failed', subject: v.number, details: { verification: v.id, reason, wrongCodes: v.wrongCodes }, now: this.now() });
      if (v.call && v.call.state !== 'ended') void v.call.hangup(`verification ${state}`).catch(() => undefined);
    }
    this.deps.logger.info({ verification: v.id, number: maskNumber(v.number), state, reason }, 'caller-ID verification ended');
  }

  private async run(v: Verification, trunk: string): Promise<void> {
    const prompts = await this.deps.prompts();
    if (!ACTIVE.includes(v.state)) return;
    // The call goes to the number's own line, so presenting that number misleads nobody.
    const call = this.deps.engine.dial({ to: v.number, from: v.number, trunk, ringTimeoutMs: this.deps.ringTimeoutMs ?? 45_000, tag: `verify-${v.id}` });
    v.call = call;
    let typed = '';
    let onKey: ((complete: boolean) => void) | null = null;
    call.on('dtmf', ({ digit }) => {
      if (digit !== '#') typed += digit;
      onKey?.(digit === '#' || typed.length >= CODE_LENGTH);
    });
    const answered = await new Promise<boolean>((resolve) => {
      call.once('answered', () => resolve(true));
      void call.done.then(() => resolve(false));
    });
    if (!answered) {
      const o = (await call.done).outcome;
      this.finish(v, 'failed', o === 'busy' || o === 'no-answer' || o === 'declined' || o === 'invalid-number' ? o : 'trunk-failure');
      return;
    }
    if (!ACTIVE.includes(v.state)) return void call.hangup('verification over');
    v.state = 'waiting-for-code';
    const keyTimeout = this.deps.keyTimeoutMs ?? 15_000;
    // Six keys or '#' end a code; each key gives the callee keyTimeout more for the next one.
    const code = (): Promise<void> => new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => { clearTimeout(timer); onKey = null; call.off('ended', done); resolve(); };
      const arm = (): void => { clearTimeout(timer); timer = setTimeout(done, keyTimeout); };
      onKey = (complete) => (complete ? done() : arm());
      call.once('ended', done);
      if (typed.length >= CODE_LENGTH) done();
      else arm();
    });
    const tries = this.deps.tries ?? 3;
    const hungUp = (): boolean => call.state === 'ended';
    const over = (): boolean => hungUp() || !ACTIVE.includes(v.state);
    for (let attempt = 1; attempt <= tries && !over(); attempt++) {
      if (typed.length === 0) await call.play(prompts.ask, { bargeIn: true });
      await code();
      if (over()) break;
      if (typed === '') continue;
      if (typed.slice(0, CODE_LENGTH) === v.code) {
        if (await this.markVerified(v)) await call.play(prompts.done);
        await call.hangup('verification over');
        return;
      }
      v.wrongCodes++;
      typed = '';
      if (attempt < tries) await call.play(prompts.wrong, { bargeIn: true });
    }
    const reason: VerificationFailure = v.wrongCodes > 0 ? 'wrong-code' : hungUp() ? 'hung-up' : 'no-code';
    if (ACTIVE.includes(v.state)) this.finish(v, 'failed', reason);
  }

  /** The settings change and its audit entry; false when the number was removed meanwhile. */
  private async markVerified(v: Verification): Promise<boolean> {
    let found = false;
    await this.deps.updateSettings((d) => {
      const c = d.callerIds.find((x) => x.number === v.number);
      if (c) { c.verified = true; found = true; }
    });
    if (!found) {
      this.finish(v, 'failed', 'removed');
      return false;
    }
    appendAudit(this.deps.db, { actor: v.actor, action: 'callerid.verified', subject: v.number, details: { verification: v.id, by: 'keypad code' }, now: this.now() });
    v.state = 'verified';
    v.endedAt = new Date(this.now()).toISOString();
    if (v.timer) clearTimeout(v.timer);
    this.deps.logger.info({ verification: v.id, number: maskNumber(v.number) }, 'caller ID verified');
    return true;
  }
}

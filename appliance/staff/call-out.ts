// Staff calling out through the box (issue 16): a registered desk phone or a logged-in browser softphone
// dials a number; the engine hands over the ringing staff leg ('staff-call') and this decides. Refused
// (403 with the reason as the phrase) unless `staff.outboundCalls` is on; when on, the number goes through
// the campaigns' compliance gate (pack in force, verified caller ID, registry copies, do-not-call lists,
// consents, caps, legal calling hours) exactly as a campaign call would, and only then out through the
// trunk, bridged to the staff leg once answered. Every call, placed or refused, is audited with who dialled
// it and the number's hash (never the number); logs show it truncated.
import type { CallEngine, CallEnded, StaffCallOut } from '../../core/call-port.ts';
import { hashNumber, type Logger } from '../../core/log.ts';
import type { Settings } from '../../core/settings-types.ts';
import type { Purpose } from '../campaigns/model.ts';
import { numberFromText } from '../compliance/dnc-file.ts';
import { createNumberGate, type NumberVerdict } from '../compliance/gate.ts';
import { dncHash } from '../compliance/number-hash.ts';
import { appendAudit } from '../store/compliance-audit-repo.ts';
import type { Db } from '../store/db.ts';
import { takesCalls } from './directory.ts';

/**
 * The purpose a staff member's own call is judged under: a person calling a person about the
 * organisation's business, not marketing; the pack's hours and lists hold as for any campaign.
 */
export const STAFF_CALL_PURPOSE: Purpose = 'informational';

export interface StaffCallOutDeps {
  engine: Pick<CallEngine, 'on' | 'off' | 'dial'>;
  settings: () => Settings;
  db: Db;
  logger: Logger;
  now: () => number;
  /** How long the far end may ring; default 60 s. */
  ringTimeoutMs?: number;
}

/** Why a staff call was not placed: the SIP answer to the phone, and the code the audit log keeps. */
export interface StaffCallRefusal {
  sip: number;
  phrase: string;
  reason: string;
  rule?: string;
}

/** What the decision needs to place the call. */
export interface StaffCallPlan {
  e164: string;
  callerId: string;
  trunk: string;
  packVersion: string;
}

const PHRASES: Record<string, string> = {
  'outbound-off': 'Forbidden (staff calls out are off)',
  'not-a-staff-user': 'Forbidden (this user does not take calls)',
  'not-a-number': 'Address Incomplete (not a phone number)',
  'no-trunk': 'Forbidden (no telephone line to call out on)',
  'no-caller-id': 'Forbidden (no verified caller ID)',
  'no-compliance-pack': 'Forbidden (no compliance rules chosen)',
  'caller-id-unverified': 'Forbidden (caller ID not verified)',
  'registry-missing': 'Forbidden (do-not-call registry copy missing)',
  'registry-stale': 'Forbidden (do-not-call registry copy too old)',
  'dnc-internal': 'Forbidden (number on the do-not-call list)',
  'dnc-registry': 'Forbidden (number on a do-not-call registry)',
  'no-consent': 'Forbidden (no consent on record)',
  'consent-revoked': 'Forbidden (consent revoked)',
  'refusal-cooldown': 'Forbidden (this person refused calls recently)',
  'frequency-cap': 'Forbidden (called too often already)',
  'outside-legal-window': 'Forbidden (outside the legal calling hours)',
  'public-holiday': 'Forbidden (public holiday: no calls)',
  'no-legal-window': 'Forbidden (no legal calling hours)',
  'no-timezone': 'Forbidden (time zone of the number unknown)',
  'restricted-number': 'Forbidden (number may not be called)',
};

export class StaffCallOutService {
  private readonly d: StaffCallOutDeps;
  private readonly gate: ReturnType<typeof createNumberGate>;
  private readonly onCall = (c: StaffCallOut): void => { void this.handle(c); };
  private readonly live = new Set<Promise<void>>();

  constructor(d: StaffCallOutDeps) {
    this.d = d;
    this.gate = createNumberGate(d.db);
  }

  start(): void {
    this.d.engine.on('staff-call', this.onCall);
  }

  async stop(): Promise<void> {
    this.d.engine.off('staff-call', this.onCall);
    await Promise.allSettled([...this.live]);
  }

  /** The decision alone: where the call goes, or why it may not. */
  decide(user: string, dialled: string): StaffCallPlan | StaffCallRefusal {
    const s = this.d.settings();
    const refuse = (reason: string, rule?: string): StaffCallRefusal => ({
      sip: reason === 'not-a-number' ? 484 : 403, phrase: PHRASES[reason] ?? `Forbidden (${reason})`, reason, ...(rule ? { rule } : {}),
    });
    if (!s.staff.outboundCalls) return refuse('outbound-off');
    if (!takesCalls(s.users.find((u) => u.username === user))) return refuse('not-a-staff-user');
    const e164 = numberFromText(dialled, s.box.country);
    if (!e164) return refuse('not-a-number');
    const trunk = [s.defaultTrunk, ...s.trunks.map((t) => t.name)].map((n) => s.trunks.find((t) => t.name === n && t.enabled && t.kind !== 'sandbox')).find(Boolean);
    if (!trunk) return refuse('no-trunk');
    // The caller ID: the organisation's first verified one, as a campaign would need it verified to present it.
    const callerId = s.callerIds.find((c) => c.verified)?.number;
    if (!callerId) return refuse('no-caller-id');
    const v: NumberVerdict = this.gate({ pack: s.compliance.pack, e164, purpose: STAFF_CALL_PURPOSE, seller: '', callerIdAllowed: true, now: this.d.now() });
    if (!v.allow) return refuse(v.reason, v.rule);
    return { e164, callerId, trunk: trunk.name, packVersion: v.packVersion };
  }

  private handle(c: StaffCallOut): Promise<void> {
    const p = this.run(c).catch((e: unknown) => {
      this.d.logger.error({ err: (e as Error).message, user: c.user }, 'staff call out failed');
      void c.call.reject(500, 'Server Internal Error');
    });
    this.live.add(p);
    void p.finally(() => this.live.delete(p));
    return p;
  }

  private async run(c: StaffCallOut): Promise<void> {
    const plan = this.decide(c.user, c.dialled);
    const e164 = numberFromText(c.dialled, this.d.settings().box.country);
    const subject = e164 ? `number:${dncHash(e164)}` : null;
    const shown = hashNumber(e164 ?? c.dialled);
    if ('sip' in plan) {
      this.audit(c.user, 'staff.call-out-refused', subject, { kind: c.kind, reason: plan.reason, ...(plan.rule ? { rule: plan.rule } : {}), sip: plan.sip });
      this.d.logger.info({ user: c.user, to: shown, reason: plan.reason }, 'staff call out refused');
      await c.call.reject(plan.sip, plan.phrase);
      return;
    }
    this.audit(c.user, 'staff.call-out', subject, { kind: c.kind, trunk: plan.trunk, callerId: plan.callerId, packVersion: plan.packVersion, purpose: STAFF_CALL_PURPOSE });
    this.d.logger.info({ user: c.user, to: shown, trunk: plan.trunk }, 'staff call out placed');
    const out = this.d.engine.dial({ to: plan.e164, from: plan.callerId, trunk: plan.trunk, ringTimeoutMs: this.d.ringTimeoutMs ?? 60_000, tag: `staff-${c.user}` });
    const staff = c.call;
    // The phone hangs up while it rings: the far end is let go.
    const staffGone = staff.done.then(() => { if (out.state !== 'ended') void out.hangup('staff-hung-up'); });
    const answered = await new Promise<boolean>((resolve) => {
      if (out.state === 'answered') return resolve(true);
      out.once('answered', () => resolve(true));
      void out.done.then(() => resolve(false));
    });
    if (!answered || staff.state === 'ended') {
      const ended: CallEnded | null = out.state === 'ended' ? await out.done : null;
      await out.hangup('staff-call-over').catch(() => undefined);
      await staff.reject(sipFor(ended)).catch(() => undefined);
      await staffGone;
      return;
    }
    await staff.answer();
    if (staff.state !== 'answered' || !out.bridge) {
      await Promise.all([out.hangup('staff-call-over'), staff.hangup('staff-call-over')]);
      return;
    }
    const bridge = out.bridge(staff);
    await bridge.done;
    await Promise.all([out.hangup('staff-call-over').catch(() => undefined), staff.hangup('staff-call-over').catch(() => undefined)]);
  }

  private audit(user: string, action: string, subject: string | null, details: Record<string, unknown>): void {
    appendAudit(this.d.db, { actor: `staff:${user}`, action, subject, details: { door: 'phone', ...details }, now: this.d.now() });
  }
}

/** What the staff phone is told when the far end was not reached. */
function sipFor(e: CallEnded | null): number {
  if (!e?.sipCode || e.sipCode < 300) return 480;
  return e.sipCode >= 700 ? 480 : e.sipCode;
}

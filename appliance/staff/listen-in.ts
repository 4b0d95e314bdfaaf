// Listen-in (issue 16): an admin listens to a live call from their browser softphone. Only when the
// settings' staff.listenIn is on (off by default); the action (call.listen, admin only) audits the start
// with who and which call, and this service writes the end (call.listen-end) with how long it lasted.
// The box rings the admin's softphone; once answered, the engine sends it a mixed copy of both directions
// of the call's audio, and nothing of the admin's audio or keys reaches the call.
import type { CallEngine } from '../../core/call-port.ts';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Settings } from '../../core/settings-types.ts';
import type { Db } from '../store/db.ts';
import { appendAudit } from '../store/compliance-audit-repo.ts';
import type { ListenInEnd } from '../actions/action.ts';
import type { LiveCallList } from './live-call-list.ts';

const RING_TIMEOUT_MS = 30_000;
/** The header that carries the page's token, so the page answers this call by itself. */
const BOX_REQUEST_HEADER = 'X-Box-Request';

export interface ListenInDeps {
  engine: Partial<Pick<CallEngine, 'dialStaff' | 'staffEndpoints' | 'listenIn'>>;
  live: LiveCallList;
  settings: () => Pick<Settings, 'staff'>;
  db: Db;
  logger: Logger;
  now: () => number;
}

export class ListenIn {
  constructor(private readonly deps: ListenInDeps) {}

  /** Checks synchronously (setting, call, softphone) so a refusal is audited; then rings the admin's softphone. */
  start(callId: string, user: string, request?: string): { call: { id: string; kind: string; campaignId: number | null }; done: Promise<ListenInEnd> } {
    if (!this.deps.settings().staff.listenIn) {
      throw new AppError('E_LISTEN_IN_OFF', 'listening in on calls is turned off in the settings (staff.listenIn): an admin turns it on first', { key: 'staff.listenIn' });
    }
    const live = this.deps.live.get(callId);
    if (!live || live.call.state === 'ended') throw new AppError('E_NOT_FOUND', `No live call "${callId}" (it may have ended).`, { call: callId });
    if (live.call.state !== 'answered') throw new AppError('E_CALL_NOT_ANSWERED', 'this call is not answered yet: listen to it once it is', { call: callId });
    const { dialStaff, listenIn } = this.deps.engine;
    if (!dialStaff || !listenIn) throw new AppError('E_SOFTPHONE_OFF', 'this box\'s call engine cannot listen in on calls', { user });
    const browser = (this.deps.engine.staffEndpoints?.() ?? []).find((e) => e.user === user && e.kind === 'browser');
    if (!browser) throw new AppError('E_SOFTPHONE_OFF', 'your browser softphone is not taking calls: press "Take calls" in the header, then try again', { user });
    if (browser.busy) throw new AppError('E_SOFTPHONE_OFF', 'your browser softphone is on a call: hang up first', { user });
    const info = live.info;
    const leg = dialStaff.call(this.deps.engine, {
      user, display: 'Listen-in', ringTimeoutMs: RING_TIMEOUT_MS, tag: `listen-${callId}`,
      headers: {
        'X-Contact-Card': encodeURIComponent(JSON.stringify({ name: 'Listen-in', numberTail: info.numberTail, ...(info.campaignName ? { source: info.campaignName } : {}) })),
        ...(request ? { [BOX_REQUEST_HEADER]: request } : {}),
      },
    });
    // The listened call ending while the admin's softphone still rings stops the ringing.
    void live.call.done.then(() => { if (leg.state !== 'answered' && leg.state !== 'ended') void leg.hangup('listened call ended').catch(() => undefined); });
    const done = this.follow(live.call, leg, listenIn.bind(this.deps.engine), info.id, user).catch((e: unknown) => {
      // Never an unhandled rejection: the admin's leg is hung up, and the failure logged.
      this.deps.logger.error({ call: info.id, user, err: (e as Error).message }, 'listen-in failed');
      if (leg.state !== 'ended') void leg.hangup('listen-in failed').catch(() => undefined);
      return { listenedMs: 0, endedBy: 'call' as const };
    });
    return { call: { id: info.id, kind: info.kind, campaignId: info.campaignId }, done };
  }

  private async follow(target: Parameters<NonNullable<CallEngine['listenIn']>>[0], leg: Parameters<NonNullable<CallEngine['listenIn']>>[1], listenIn: NonNullable<CallEngine['listenIn']>, callId: string, user: string): Promise<ListenInEnd> {
    const log = this.deps.logger.child({ call: callId, user });
    const answered = await new Promise<boolean>((resolve) => {
      if (leg.state === 'answered') return resolve(true);
      leg.once('answered', () => resolve(true));
      void leg.done.then(() => resolve(false));
    });
    let end: ListenInEnd;
    if (!answered || target.state !== 'answered') {
      if (leg.state !== 'ended') await leg.hangup('call over');
      end = { listenedMs: 0, endedBy: answered ? 'call' : 'not-answered' };
    } else {
      const started = this.deps.now();
      log.info('listen-in started');
      let r: { endedBy: 'this' | 'other' | 'unbridged' };
      try {
        r = await listenIn(target, leg).done;
      } catch (e) {
        // The call ended between the answer and the tap.
        log.warn({ err: (e as Error).message }, 'listen-in could not start');
        r = { endedBy: 'this' };
      }
      if (leg.state !== 'ended') await leg.hangup('listened call ended');
      end = { listenedMs: Math.max(0, this.deps.now() - started), endedBy: r.endedBy === 'this' ? 'call' : 'listener' };
    }
    appendAudit(this.deps.db, { actor: `staff:${user}`, action: 'call.listen-end', subject: `call:${callId}`, details: { ...end }, now: this.deps.now() });
    log.info({ ...end }, 'listen-in ended');
    return end;
  }
}

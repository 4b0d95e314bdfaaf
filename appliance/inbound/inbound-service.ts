// Calls coming in from a configured trunk (issue 16). The engine emits 'incoming' only for calls from a
// configured trunk (the trunk guard refuses every other source before the domain hears of it); this
// service answers those made to the box's own numbers and runs the inbound flow, and records each call.
// A do-not-call keypress is recorded like an outbound opt-out: suppression, revoked consents, outbox
// event and audit entry, in one transaction with the call's own row.
import type { IncomingCall, PromptRef } from '../../core/call-port.ts';
import type { Logger } from '../../core/log.ts';
import { hashNumber } from '../../core/log.ts';
import type { Settings } from '../../core/settings-types.ts';
import type { Db } from '../store/db.ts';
import { recordOptOut } from '../compliance/opt-out.ts';
import { dncHash } from '../compliance/number-hash.ts';
import { numberFromText } from '../compliance/dnc-file.ts';
import { allPrompts, promptKey, type FlowPrompt } from '../flows/model.ts';
import { runFlow, type FlowResult } from '../flows/runner.ts';
import type { TransferRecord, TransferRequest } from '../flows/session.ts';
import type { TransferContext } from '../staff/transfer.ts';
import { inboundFlow } from './inbound-flow.ts';
import { isOpen } from './opening-hours.ts';
import { recentCampaignCall, type RecentCall } from './recent.ts';

const DAY_MS = 24 * 3600 * 1000;

export interface InboundDeps {
  /** The engine's 'incoming' event (CallEngine). */
  engine: { on(event: 'incoming', listener: (call: IncomingCall) => void): unknown; off(event: 'incoming', listener: (call: IncomingCall) => void): unknown };
  db: Db;
  logger: Logger;
  settings: () => Pick<Settings, 'inbound' | 'callerIds' | 'box' | 'staff' | 'trunks'>;
  now: () => number;
  /** A text in a voice, as a prompt (text-to-speech through the box's renderer). */
  speak: (text: string, voice: string) => Promise<PromptRef>;
  /** A campaign's message for one of its contacts (its recording, or its personalised text). */
  campaignMessage: (recent: RecentCall) => Promise<PromptRef | null>;
  /** Transfers to staff (appliance/staff/transfer.ts); absent = no staff key offered. */
  transfer?: { transfer(callee: IncomingCall, req: TransferRequest, ctx: TransferContext): Promise<TransferRecord> };
  /** The live calls staff may see and listen to (issue 16): an answered call is listed until it has ended. */
  liveCalls?: { add(call: IncomingCall, info: { kind: 'inbound'; campaignId: number | null; campaignName: null; numberTail: string; since: number }): () => void };
}

export interface InboundCallRecord {
  id: number;
  outcome: string;
  campaignId: number | null;
  path: string[];
  transfer: TransferRecord | null;
}

export class InboundService {
  private readonly calls = new Set<Promise<unknown>>();
  private readonly listener = (call: IncomingCall): void => {
    const p = this.handle(call).catch((e: unknown) => {
      this.deps.logger.error({ err: (e as Error).message, trunk: call.trunk }, 'inbound call failed');
      if (call.state !== 'ended') void call.hangup('inbound-failed').catch(() => undefined);
    }).finally(() => this.calls.delete(p));
    this.calls.add(p);
  };

  constructor(private readonly deps: InboundDeps) {}

  start(): void {
    this.deps.engine.on('incoming', this.listener);
    void this.warm();
  }

  /** Renders the flow's fixed texts once in the background, so a call back never waits behind a campaign's renderings. */
  private async warm(): Promise<void> {
    const s = this.deps.settings();
    // Only where a call can come in: inbound on, and a real trunk (the sandbox never calls the box).
    if (!s.inbound.enabled || !s.trunks.some((t) => t.enabled && t.kind !== 'sandbox')) return;
    const all = inboundFlow({ greeting: s.inbound.greeting, replayMessage: true, optOutKey: s.inbound.optOutKey, staff: s.inbound.staffGroup ? { key: s.inbound.staffKey, group: s.inbound.staffGroup, waitMs: s.inbound.waitMs } : null });
    for (const p of allPrompts(all)) {
      if ('tts' in p) await this.deps.speak(p.tts, s.inbound.voice).catch((e: unknown) => this.deps.logger.warn({ err: (e as Error).message }, 'inbound prompt not rendered ahead'));
    }
  }

  /** Stops taking calls; calls in progress finish (bounded by the engine's own close). */
  async stop(): Promise<void> {
    this.deps.engine.off('incoming', this.listener);
    await Promise.allSettled([...this.calls]);
  }

  /** The box's own numbers a call may come to; empty = any number the trunk delivers. */
  private ownNumbers(): string[] {
    const s = this.deps.settings();
    return s.inbound.numbers.length > 0 ? s.inbound.numbers : s.callerIds.map((c) => c.number);
  }

  private e164(text: string): string | null {
    return numberFromText(text.replace(/^sip:/, '').replace(/@.*$/, ''), this.deps.settings().box.country);
  }

  async handle(call: IncomingCall): Promise<InboundCallRecord | null> {
    const s = this.deps.settings();
    const log = this.deps.logger.child({ trunk: call.trunk, caller: hashNumber(call.from) });
    if (!s.inbound.enabled) {
      log.info('inbound call refused: inbound calls are off (settings inbound.enabled)');
      await call.reject(480);
      return null;
    }
    const own = this.ownNumbers();
    const to = this.e164(call.to);
    if (own.length > 0 && (!to || !own.includes(to))) {
      log.info({ to: hashNumber(call.to) }, 'inbound call refused: not one of the box\'s numbers');
      await call.reject(404);
      return null;
    }
    const now = this.deps.now();
    const from = this.e164(call.from);
    const recent = from ? recentCampaignCall(this.deps.db, from, now - s.inbound.recentDays * DAY_MS) : null;
    const open = s.inbound.staffGroup !== null && this.deps.transfer !== undefined && isOpen(s.inbound.openingHours, now, s.box.timezone);
    const flow = inboundFlow({
      greeting: s.inbound.greeting,
      replayMessage: recent !== null,
      optOutKey: from ? s.inbound.optOutKey : null,
      staff: open ? { key: s.inbound.staffKey, group: s.inbound.staffGroup!, waitMs: s.inbound.waitMs } : null,
    });
    // Every prompt is ready before the answer: nobody waits in silence.
    const prompts = new Map<string, PromptRef>();
    const message = recent ? await this.deps.campaignMessage(recent) : null;
    if (message) prompts.set('m', message);
    for (const p of allPrompts(flow)) {
      const key = promptKey(p);
      if (!prompts.has(key) && 'tts' in p) prompts.set(key, await this.deps.speak(p.tts, s.inbound.voice));
    }
    const resolve = (p: FlowPrompt): PromptRef => prompts.get(promptKey(p)) ?? prompts.get(promptKey({ tts: s.inbound.greeting }))!;
    if (call.state === 'ended') return null;
    await call.answer();
    const id = Number(this.deps.db.prepare('INSERT INTO inbound_calls (at, trunk, number_hash, campaign_id) VALUES (?, ?, ?, ?)')
      .run(now, call.trunk, from ? dncHash(from) : `unknown:${hashNumber(call.from)}`, recent?.campaignId ?? null).lastInsertRowid);
    log.info({ inboundId: id, campaignId: recent?.campaignId ?? null, open }, 'inbound call answered');
    const transfer = this.deps.transfer;
    let result: FlowResult | null = null;
    const unlist = this.deps.liveCalls?.add(call, { kind: 'inbound', campaignId: recent?.campaignId ?? null, campaignName: null, numberTail: call.from.replace(/\D/g, '').slice(-4), since: now });
    try {
      result = await runFlow(call, flow, {
        prompt: resolve,
        ...(from ? { optOutKey: s.inbound.optOutKey } : {}),
        now: this.deps.now,
        slot: () => null,
        recordFile: () => null,
        ...(transfer ? { transfer: (_c, req) => transfer.transfer(call, req, {
          actor: 'inbound', campaignId: recent?.campaignId ?? null, name: recent?.fields.name?.trim() || null, number: from ?? call.from,
          source: recent ? `a call back about campaign ${recent.campaignName}` : 'a call to the office number', callerId: to ?? call.to, trunk: call.trunk, tag: `in${id}`,
        }) } : {}),
      }, { amd: false });
    } catch (e) {
      log.error({ inboundId: id, err: (e as Error).message }, 'inbound flow failed');
    } finally {
      if ((call.state as IncomingCall['state']) !== 'ended') await call.hangup('inbound-done').catch(() => undefined);
      unlist?.();
    }
    return this.finish(id, from, recent, result, null);
  }

  /** The call's row and, for a do-not-call keypress, the suppression: one transaction. */
  private finish(id: number, from: string | null, recent: RecentCall | null, r: FlowResult | null, forced: string | null): InboundCallRecord {
    const s = this.deps.settings();
    const now = this.deps.now();
    const outcome = forced ?? (!r ? 'failed' : r.outcome === 'opted-out' ? 'opted-out' : r.transfer ? `transfer-${r.transfer.outcome}` : r.path.includes('message') ? 'heard-message' : 'heard-greeting');
    this.deps.db.transaction(() => {
      this.deps.db.prepare(`UPDATE inbound_calls SET outcome = ?, path = ?, transfer_outcome = ?, transfer_wait_ms = ?, transfer_talk_ms = ?, transfer_taken_by = ?, ended_at = ? WHERE id = ?`)
        .run(outcome, JSON.stringify(r?.path ?? []), r?.transfer?.outcome ?? null, r?.transfer ? Math.round(r.transfer.waitMs) : null, r?.transfer ? Math.round(r.transfer.talkMs) : null, r?.transfer?.takenBy ?? null, now, id);
      if (r?.outcome === 'opted-out' && from) {
        recordOptOut(this.deps.db, { e164: from, campaignId: recent?.campaignId ?? null, channel: 'keypress', digit: s.inbound.optOutKey, actor: 'caller', reason: 'do-not-call request on a call to the box (inbound)', now });
      }
    })();
    this.deps.logger.info({ inboundId: id, outcome }, 'inbound call ended');
    return { id, outcome, campaignId: recent?.campaignId ?? null, path: r?.path ?? [], transfer: r?.transfer ?? null };
  }
}

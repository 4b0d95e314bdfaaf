// Campaign life cycle: create (checked whole), start (status, the copy's cursor and a first chunk of
// the list in one transaction, the rest copied as the dialer reaches it), pause, resume, stop, delete (only
// with nothing on record), and an ETA. The dialer does the calling.
import type { DialHold } from '../system/clock.ts';
import type { Db } from '../store/db.ts';
import type { Settings } from '../../core/settings-types.ts';
import { AppError } from '../../core/errors.ts';
import { CampaignsRepo, type CampaignRow } from '../store/campaigns-repo.ts';
import { campaignCounts } from '../store/campaign-counts.ts';
import type { Logger } from '../../core/log.ts';
import { ListCopier } from './list-copy.ts';
import { appendEvent } from '../store/outbox-repo.ts';
import { flowOf, parseCampaignConfig, type CampaignConfig } from './model.ts';
import { checkFlow } from '../flows/validate.ts';
import { getPack } from '../compliance/packs.ts';
import { FieldProblems } from './field-problems.ts';
import { trunkUnusable, type TrunkState } from './trunk-watch.ts';
import { campaignReport, type CampaignReport } from './reports.ts';
import { unknownTokens } from '../../media/prompts/template.ts';
import { PERSONAL_TOKENS } from './personal-fields.ts';
import { DEFAULT_CALL_MS, etaMs, usableChannels } from './draft-estimate.ts';
import { isInsideWindow, nextOpening } from './schedule.ts';
import type { CampaignView, CampaignWait } from '../http/contract/campaigns.ts';

export type { CampaignView, CampaignWait } from '../http/contract/campaigns.ts';

/** What a started campaign keeps: checked at its start (compliance, caller ID, trunks) or its identity. */
export const LOCKED_WHEN_STARTED = ['purpose', 'pack', 'seller', 'callerId', 'trunks'] as const;

function emptyList(c: CampaignRow): AppError {
  return new AppError('E_CAMPAIGN_INVALID', `campaign field "listId": the contact list of campaign "${c.name}" has no contact; the campaign was not started and stays a draft`, { field: 'listId', emptyList: c.name });
}

export interface CampaignServiceDeps {
  db: Db;
  settings: () => Settings;
  now?: () => number;
  /** Calls in progress for a campaign (from the dialer). */
  activeFor?: (campaignId: number) => number;
  /** Whether a recording exists in the library. */
  recordingExists: (id: string) => boolean;
  /** Compliance checks before a start (pack chosen, registry copies fresh); throws to refuse. */
  checkStart?: (campaign: CampaignRow) => void;
  /** A campaign just started (e.g. to render personalised messages ahead of the dialer). */
  onStarted?: (campaignId: number) => void;
  /** Wake the dialer after a start or resume. */
  kick?: () => void;
  /** Why the dialer places no call right now (box-wide), or null. */
  hold?: () => DialHold | null;
  onChange?: (campaignId: number) => void;
  logger?: Logger;
  /** Longest one chunk of a start's copy (or a stop's sweep) holds the event loop, in ms. */
  chunkBudgetMs?: number;
  /** A trunk's health and since when (TrunkWatch); without it, trunk trouble is not reported on the campaign. */
  trunkState?: (name: string) => TrunkState | null;
}

/** Contacts copied by a start before it answers (they can be called at once), and marked by a stop. */
const FIRST_CHUNK = 500;

export class CampaignService {
  readonly repo: CampaignsRepo;
  /** Sweeps stopped campaigns and schedule edits in the background (list-copy.ts). */
  readonly lists: ListCopier;
  private readonly now: () => number;

  constructor(private readonly deps: CampaignServiceDeps) {
    this.repo = new CampaignsRepo(deps.db);
    this.now = deps.now ?? Date.now;
    this.lists = new ListCopier({
      db: deps.db, repo: this.repo, now: this.now, ...(deps.logger ? { logger: deps.logger } : {}), ...(deps.chunkBudgetMs ? { budgetMs: deps.chunkBudgetMs } : {}),
      onProgress: (id) => { this.changed(id); this.deps.kick?.(); },
    });
  }

  /** At boot: resume the starts and stops a restart interrupted. */
  resumeBackground(): void {
    this.lists.resume();
  }

  /** The box is stopping: finish the chunk in progress and take no other. */
  close(): Promise<void> {
    return this.lists.close();
  }

  /** What only the box can tell (the list, the recordings, the tokens, the trunks), noted in `p` with the rest. */
  private check(listId: number, cfg: CampaignConfig, p: FieldProblems = new FieldProblems()): void {
    const list = Number.isInteger(listId) ? this.deps.db.prepare("SELECT id FROM lists WHERE id = ? AND status = 'ready'").get(listId) : null;
    if (!list && !p.has('listId')) p.add('listId', `no contact list ${listId}`, 'list');
    for (const [field, id] of [['message', cfg.message], ['voicemail', cfg.voicemail], ['menuPrompt', cfg.menuPrompt]] as const) {
      if (id !== null && !p.has(field) && !this.deps.recordingExists(id)) p.add(field, `no recording "${id}"`, 'recording');
    }
    const sample = list ? (this.deps.db.prepare('SELECT fields FROM contacts WHERE list_id = ? LIMIT 1').pluck().get(listId) as string | undefined) : undefined;
    const known = [...Object.keys(sample ? (JSON.parse(sample) as Record<string, unknown>) : {}), ...PERSONAL_TOKENS];
    if (cfg.tts && list && !p.has('tts.text')) {
      const unknown = unknownTokens(cfg.tts.text, known);
      if (unknown.length > 0) {
        p.add('tts.text', `unknown token${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `{${u}}`).join(', ')}; the list has ${known.map((k) => `{${k}}`).join(', ')}`, 'tokens',
          { tokens: unknown.map((u) => `{${u}}`).join(', '), known: known.map((k) => `{${k}}`).join(', ') });
      }
    }
    const trunks = this.deps.settings().trunks;
    for (const [i, name] of cfg.trunks.entries()) {
      const t = trunks.find((x) => x.name === name);
      if (!t) p.add(`trunks.${i}`, `no trunk named "${name}"`, 'trunk', { trunk: name });
      else if (!t.enabled) p.add(`trunks.${i}`, `trunk "${name}" is disabled`, 'trunk', { trunk: name, disabled: 1 });
    }
    p.throwIfAny('E_CAMPAIGN_INVALID', 'campaign');
    // The call flow once the fields it is built from are right (its own errors name its steps).
    this.checkFlow(cfg, known);
  }

  /** The campaign's flow against its list, its recordings, its opt-out key and the windows of it and its pack. */
  private checkFlow(cfg: CampaignConfig, tokens: string[]): void {
    const packId = cfg.pack ?? this.deps.settings().compliance.pack;
    const pack = getPack(packId, this.now());
    const rules = pack && !pack.exemptPurposes.includes(cfg.purpose) ? pack.windows.filter((w) => !w.purposes || w.purposes.includes(cfg.purpose)) : [];
    checkFlow(flowOf(cfg), {
      ...(cfg.menu.optOut ? { optOutKey: cfg.menu.optOut } : {}),
      recordingExists: this.deps.recordingExists,
      tokens,
      campaignWindows: cfg.schedule.windows,
      packWindows: rules.map((r) => r.windows),
      ...(pack ? { packName: pack.name } : {}),
      // Transfers (issue 16): the box's staff groups, and the organisation's own numbers only.
      staffGroups: this.deps.settings().staff.groups.map((g) => g.name),
      transferNumbers: this.deps.settings().staff.transferNumbers,
    });
  }

  create(input: { name: unknown; listId: unknown; config: unknown }): CampaignRow {
    // Every field at fault at once: the name, the list, the configuration, then what only the box knows.
    const p = new FieldProblems();
    if (typeof input.name !== 'string' || !input.name.trim()) p.add('name', 'a name is required', 'required');
    else if (input.name.length > 100) p.add('name', 'at most 100 characters', 'text-length', { max: 100 });
    if (!Number.isInteger(input.listId) || (input.listId as number) <= 0) p.add('listId', 'choose a contact list', 'required');
    const cfg = parseCampaignConfig(input.config, { country: this.deps.settings().box.country, problems: p });
    this.check(input.listId as number, cfg, p);
    return this.repo.create((input.name as string).trim(), input.listId as number, cfg);
  }

  /**
   * Change a campaign's configuration: a draft wholly; a paused one only in what concerns the calls still
   * to come (windows, pacing, retries, messages, keypad menu). Its list, pack, purpose, seller, caller ID
   * and trunks were checked at its start and stay (duplicate it to change them). Answers with the keys
   * that changed.
   */
  update(id: number, config: unknown): { campaign: CampaignRow; changed: string[] } {
    const c = this.repo.get(id);
    if (c.status !== 'draft' && c.status !== 'paused') {
      throw new AppError('E_CAMPAIGN_STATE', `campaign "${c.name}" is ${c.status}; only a draft or a paused campaign can be changed (pause it first)`, { campaign: id, editState: c.status });
    }
    const p = new FieldProblems();
    const cfg = parseCampaignConfig(config, { country: this.deps.settings().box.country, problems: p });
    // A field at fault is reported with the rest; the lock below speaks only of valid changes.
    if (p.list.length > 0) this.check(c.listId, cfg, p);
    const changed = (Object.keys({ ...c.config, ...cfg }) as Array<keyof CampaignConfig>).filter((k) => JSON.stringify(c.config[k] ?? null) !== JSON.stringify(cfg[k] ?? null));
    if (c.status === 'paused') {
      const locked = changed.filter((k) => (LOCKED_WHEN_STARTED as readonly string[]).includes(k));
      if (locked.length > 0) {
        throw new AppError('E_CAMPAIGN_STATE', `campaign "${c.name}" has started: its ${locked.join(', ')} cannot change (only windows, pacing, retries and messages can); duplicate it to make a new draft with them changed`,
          { campaign: id, locked: locked.join(', '), field: locked[0]! });
      }
    }
    this.check(c.listId, cfg);
    const now = this.now();
    this.deps.db.transaction(() => {
      this.repo.updateConfig(id, cfg);
      // Contacts not yet called were postponed to the old windows' next opening: look at them again, a
      // first chunk here and the rest in the background (list-copy.ts), so a big campaign's edit does not stall.
      if (c.status === 'paused' && changed.includes('schedule')) {
        this.repo.beginReschedule(id, now);
        this.repo.rescheduleChunk(id, FIRST_CHUNK);
      }
    })();
    if (c.status === 'paused' && changed.includes('schedule')) void this.lists.reschedule(id);
    // A new personalised text is rendered ahead of the calls still to come.
    if (c.status === 'paused' && changed.includes('tts')) this.deps.onStarted?.(id);
    this.changed(id);
    return { campaign: this.repo.get(id), changed };
  }

  /** A copy as a new draft (same list and configuration), named `name` or "<name> (copy)". */
  duplicate(id: number, name?: string): CampaignRow {
    const c = this.repo.get(id);
    const base = (name ?? `${c.name} (copy)`).trim().slice(0, 100);
    if (!base) throw new AppError('E_CAMPAIGN_INVALID', 'campaign field "name": 1 to 100 characters', { field: 'name' });
    const taken = new Set(this.repo.list().map((x) => x.name));
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) candidate = `${base.slice(0, 95)} ${n}`;
    this.check(c.listId, c.config);
    return this.repo.create(candidate, c.listId, c.config);
  }

  /**
   * Start a draft: checks first (a refused start changes nothing), then one transaction marks it
   * running, records its list's cursor and copies a first chunk, whose contacts can be called at once.
   * The rest of the list joins the ledger as the dialer reaches it (CampaignsRepo.due), a chunk at a
   * time: a start costs the same for ten contacts or a million. Until the cursor has passed the whole
   * list, the contacts not in the ledger count as pending (stopped, once the campaign is), and the
   * campaign cannot complete.
   */
  start(id: number): CampaignView {
    const c = this.repo.get(id);
    if (c.status !== 'draft') throw new AppError('E_CAMPAIGN_STATE', `campaign ${id} is ${c.status}; only a draft can be started (use resume for a paused one)`, { campaign: id });
    this.check(c.listId, c.config);
    // Refusals come before any change: a refused start leaves the campaign a draft, as it was.
    const any = this.deps.db.prepare('SELECT 1 FROM contacts WHERE list_id = ? LIMIT 1').get(c.listId);
    if (any === undefined) throw emptyList(c);
    this.deps.checkStart?.(c);
    const now = this.now();
    this.deps.db.transaction(() => {
      this.repo.beginStart(id, now, (db) => appendEvent(db, 'campaign.state', { campaignId: id, status: 'running' }, now));
      this.repo.copyChunk(id, FIRST_CHUNK);
    })();
    this.changed(id);
    this.deps.onStarted?.(id);
    this.deps.kick?.();
    return this.view(id);
  }

  private transition(id: number, from: CampaignRow['status'][], to: CampaignRow['status'], by?: string): CampaignView {
    const c = this.repo.get(id);
    if (!from.includes(c.status)) throw new AppError('E_CAMPAIGN_STATE', `campaign ${id} is ${c.status}; cannot ${to === 'running' ? 'resume' : to === 'paused' ? 'pause' : 'stop'} it`, { campaign: id });
    const now = this.now();
    this.repo.setStatus(id, to, now, (db) => appendEvent(db, 'campaign.state', { campaignId: id, status: to }, now), FIRST_CHUNK, by);
    // A big list's contacts still to call are marked stopped in the background (the view counts them stopped already).
    if (to === 'stopped') void this.lists.sweep(id);
    this.changed(id);
    if (to === 'running') this.deps.kick?.();
    return this.view(id);
  }

  /** `by`: who asked (`staff:<user>`, `fleet:<command id>`, `cli`), shown on the campaign's page. */
  pause(id: number, by?: string): CampaignView {
    return this.transition(id, ['running'], 'paused', by);
  }

  resume(id: number): CampaignView {
    return this.transition(id, ['paused'], 'running');
  }

  /** Stop for good: no new calls; calls in progress finish; remaining contacts are marked stopped. */
  stop(id: number): CampaignView {
    return this.transition(id, ['running', 'paused', 'draft'], 'stopped');
  }

  /**
   * Delete a campaign that has nothing on record: not running or paused, no attempt and no contact blocked
   * by compliance (those rows prove what the box did and stay in reports). Its per-contact snapshot and
   * pack stamp go with it, in one transaction with `inTx` (the staff audit entry).
   */
  remove(id: number, inTx?: (c: CampaignRow) => void): CampaignRow {
    const db = this.deps.db;
    return db.transaction(() => {
      const c = this.repo.get(id);
      const attempts = db.prepare('SELECT COUNT(*) FROM attempts WHERE campaign_id = ?').pluck().get(id) as number;
      const blocked = campaignCounts(db, id).state.blocked ?? 0;
      if (attempts > 0 || blocked > 0) {
        const what = [attempts > 0 ? `${attempts} call attempt${attempts > 1 ? 's' : ''}` : '', blocked > 0 ? `${blocked} contact${blocked > 1 ? 's' : ''} blocked by compliance` : ''].filter(Boolean).join(' and ');
        throw new AppError('E_CAMPAIGN_IN_USE', `campaign "${c.name}" cannot be deleted: it has ${what} on record, the proof of what the box did, kept for compliance and shown in its report`, { campaign: id });
      }
      if (c.status === 'running' || c.status === 'paused') {
        throw new AppError('E_CAMPAIGN_IN_USE', `campaign "${c.name}" is ${c.status}; stop it before deleting it`, { campaign: id });
      }
      db.prepare('DELETE FROM campaign_contacts WHERE campaign_id = ?').run(id);
      db.prepare('DELETE FROM compliance_campaign_pack WHERE campaign_id = ?').run(id);
      db.prepare('DELETE FROM campaigns WHERE id = ?').run(id);
      inTx?.(c);
      return c;
    })();
  }

  private changed(id: number): void {
    this.deps.onChange?.(id);
  }

  /** The campaign with its counters, read from those kept with the ledger (no count of its contacts). */
  view(id: number): CampaignView {
    const c = this.repo.get(id);
    const state = campaignCounts(this.deps.db, id).state;
    const counters = { contacts: 0, pending: 0, waiting: 0, calling: 0, done: 0, blocked: 0, stopped: 0, active: this.deps.activeFor?.(id) ?? 0 };
    for (const [k, n] of Object.entries(state)) {
      counters.contacts += n;
      if (k in counters) counters[k as 'pending'] = n;
    }
    if (c.status === 'stopped') {
      // A stop still sweeping a big list: its contacts still to call are stopped already.
      counters.stopped += counters.pending + counters.waiting;
      counters.pending = 0;
      counters.waiting = 0;
    }
    const hold = c.status === 'running' ? (this.deps.hold?.() ?? null) : null;
    const trunksDown = c.status === 'running' && !hold && counters.active === 0 ? this.trunksDown(c) : null;
    const waitingFor = c.status === 'running' && !hold && !trunksDown && counters.calling === 0 && counters.active === 0 ? this.waitFor(c) : null;
    const remaining = counters.pending + counters.waiting + counters.calling;
    return {
      ...c, counters, etaMs: this.eta(c, remaining, waitingFor), waitingReason: hold?.reason ?? null, waitingCode: hold?.code ?? null,
      waitingFor, boxTimeZone: this.deps.settings().box.timezone,
      nextRetryAt: counters.waiting > 0 && (c.status === 'running' || c.status === 'paused')
        ? (this.deps.db.prepare("SELECT MIN(next_at) FROM campaign_contacts INDEXED BY campaign_contacts_retry WHERE campaign_id = ? AND state = 'waiting'").pluck().get(c.id) as number | null) : null,
      trunksDown,
      paused: c.status === 'paused' ? { by: c.pausedBy ?? null, at: c.pausedAt ?? null } : null,
    };
  }

  /** Every trunk of the campaign unusable (the dialer then places nothing): which, since when, why. */
  private trunksDown(c: CampaignRow): TrunkState[] | null {
    if (!this.deps.trunkState || c.config.trunks.length === 0) return null;
    const states = c.config.trunks.map((n) => this.deps.trunkState!(n));
    if (states.some((s) => s === null || !trunkUnusable(s.health))) return null;
    return states as TrunkState[];
  }

  /**
   * Why a running campaign places no call now: no contact is due (retries, deferrals) or none is inside
   * the campaign's calling window. Contacts due now are checked against the window here, so the reason
   * shows at once, before the dialer has looked at them.
   */
  private waitFor(c: CampaignRow): CampaignWait | null {
    const now = this.now();
    const db = this.deps.db;
    // The first contacts due, from the queue index (a page, not a scan for distinct zones).
    const queued = db.prepare("SELECT timezones FROM campaign_contacts INDEXED BY campaign_contacts_queue WHERE campaign_id = ? AND state IN ('pending','waiting') AND next_at <= ? ORDER BY next_at, contact_id LIMIT 50").pluck().all(c.id, now) as string[];
    // The list's contacts not in the ledger yet (read, not copied: a view does not write).
    const tail = this.repo.listTail(c.id, 50);
    const due = [...new Set([...queued, ...(tail && tail.nextAt <= now ? tail.timezones : [])])];
    if (due.length > 0) {
      let best: { at: number | null; zone: string | null } | null = null;
      for (const z of due) {
        const zones = JSON.parse(z) as string[];
        if (isInsideWindow(now, zones, c.config.schedule)) return null; // someone can be called now
        const at = nextOpening(now, zones, c.config.schedule);
        if (!best || (at !== null && (best.at === null || at < best.at))) best = { at, zone: zones[0] ?? null };
      }
      return { code: 'outside-window', at: best!.at, zone: best!.zone };
    }
    const next = db.prepare("SELECT next_at, timezones, attempts FROM campaign_contacts INDEXED BY campaign_contacts_queue WHERE campaign_id = ? AND state IN ('pending','waiting') ORDER BY next_at, contact_id LIMIT 1").get(c.id) as { next_at: number; timezones: string; attempts: number } | undefined;
    if (!next) return tail ? { code: 'deferred', at: tail.nextAt, zone: (JSON.parse(tail.timezones[0]!) as string[])[0] ?? null } : null;
    const zones = JSON.parse(next.timezones) as string[];
    // A contact already called waits for its retry; one never called was put off (window, law, caps).
    const code = next.attempts > 0 ? 'retry' : isInsideWindow(next.next_at, zones, c.config.schedule) && !isInsideWindow(now, zones, c.config.schedule) ? 'outside-window' : 'deferred';
    return { code, at: next.next_at, zone: zones[0] ?? null };
  }

  list(): CampaignView[] {
    return this.repo.list().map((c) => this.view(c.id));
  }

  /**
   * The campaign's own calling window against its list now: how many contacts are inside it, and when it
   * next opens for the others (the preflight's "callable now" is about the law's hours only).
   */
  windowNow(id: number): { contacts: number; insideNow: number; nextOpening: number | null; zone: string | null; boxTimeZone: string } {
    const c = this.repo.get(id);
    const now = this.now();
    // The list's contacts by time-zone set, counted at its import (list_zones): a few rows, whatever the list's size.
    const groups = this.deps.db.prepare('SELECT timezones z, n FROM list_zones WHERE list_id = ? AND n > 0').all(c.listId) as Array<{ z: string; n: number }>;
    let contacts = 0;
    let insideNow = 0;
    let next: { at: number; zone: string | null } | null = null;
    for (const g of groups) {
      const zones = JSON.parse(g.z) as string[];
      contacts += g.n;
      if (isInsideWindow(now, zones, c.config.schedule)) {
        insideNow += g.n;
        continue;
      }
      const at = nextOpening(now, zones, c.config.schedule);
      if (at !== null && (!next || at < next.at)) next = { at, zone: zones[0] ?? null };
    }
    return { contacts, insideNow, nextOpening: next?.at ?? null, zone: next?.zone ?? null, boxTimeZone: this.deps.settings().box.timezone };
  }

  report(id: number): CampaignReport {
    this.repo.get(id);
    return campaignReport(this.deps.db, id);
  }

  /**
   * Remaining contacts x mean attempt length / usable channels, never faster than the cps cap allows,
   * and never before the last retry already scheduled has been placed. Null (cannot tell) while the
   * campaign waits for a calling window: how much fits in each window depends on the windows to come.
   */
  private eta(c: CampaignRow, remaining: number, waiting: CampaignWait | null): number | null {
    if (c.status === 'completed' || c.status === 'stopped') return 0;
    if (remaining === 0) return 0;
    if (waiting && waiting.code !== 'retry') return null;
    const sum = campaignCounts(this.deps.db, c.id).sum;
    const avg = sum.callN > 0 ? sum.callMs / sum.callN : 0;
    const meanMs = avg > 0 ? avg : DEFAULT_CALL_MS;
    const work = etaMs(remaining, meanMs, usableChannels(c.config, this.deps.settings().trunks), c.config.cps);
    const lastRetry = this.deps.db.prepare("SELECT MAX(next_at) FROM campaign_contacts INDEXED BY campaign_contacts_retry WHERE campaign_id = ? AND state = 'waiting'").pluck().get(c.id) as number | null;
    return lastRetry === null ? work : Math.max(work, lastRetry - this.now() + meanMs);
  }
}

// Carries out fleet commands: validated, idempotent by id (the first answer is remembered and given
// again, never re-run), expired ones answered `expired` without running. A campaign command and the
// memory of its answer are written in one transaction, so after a crash it either ran and is known,
// or it did not run and the broker's redelivery runs it.
import type { Db } from '../store/db.ts';
import type { Logger } from '../../core/log.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import { CommandLog, commandIdOf, parseCommand, type CommandAnswer, type FleetCommand } from './command.ts';
import type { DesiredConfig, ReportedConfig } from './desired-config.ts';
import { findPrototypeKey, UnsafeJsonError } from '../../core/safe-json.ts';
import { verifyAudit } from '../store/compliance-audit-repo.ts';
import { ListImportJobs, listImportThrough, type Reply } from './list-import-job.ts';
import { storeContacts } from '../actions/lists-actions.ts';
import { ActionRunner } from '../actions/run.ts';
import { ACTIONS, DesiredRejected } from '../actions/registry.ts';
import type { Actor, CampaignActionsPort, SettingsPort, TlsPort } from '../actions/action.ts';

export type { Reply } from './list-import-job.ts';

/** What the agent needs of CampaignService (a port, so tests and other builds can supply their own). */
export interface CampaignPort {
  start(id: number): unknown;
  pause(id: number): unknown;
  resume(id: number): unknown;
  stop(id: number): unknown;
  report(id: number): unknown;
  list?(): Array<{ id: number; name: string; status: string; counters: Record<string, number> | object }>;
}

export interface CommandRunnerDeps {
  db: Db;
  campaigns?: CampaignPort;
  desired: DesiredConfig;
  now: () => number;
  logger: Logger;
  onReported: (r: ReportedConfig) => void;
  /** The box's country, for numbers written without +/00 (default 'FR' only when not given). */
  country?: () => string;
  /** Folder for list downloads (list.import); without it list.import is refused. */
  workDir?: string;
  /** The settings store, so that a desired configuration's audit entry names what it changed. */
  settings?: SettingsPort;
  /** list.import may fetch from link-local addresses (settings: fleet.allowLinkLocalImports). */
  allowLinkLocal?: () => boolean;
  /** The web UI's certificate (certificate.install, certificate.use-own); absent while HTTPS is off. */
  tls?: TlsPort;
}

/** The body of an error answer: the same code, where and field errors as the HTTP error body. */
export function errorData(e: AppError): { code: string; where?: Record<string, string | number>; fields?: Array<{ key: string; message: string }> } {
  return { code: e.code, ...(e.where ? { where: e.where } : {}), ...(e.fields?.length ? { fields: e.fields } : {}) };
}

const ok = (data: unknown, id: string | null): CommandAnswer => ({ data, status: 'ok', error: null, transaction: id });
const fail = (error: string, id: string | null, data: unknown = null): CommandAnswer => ({ data, status: 'error', error, transaction: id });

export class CommandRunner {
  private readonly log: CommandLog;
  private readonly imports: ListImportJobs | null;
  private readonly actions: ActionRunner;

  constructor(private readonly deps: CommandRunnerDeps) {
    this.log = new CommandLog(deps.db);
    this.actions = new ActionRunner({
      db: deps.db, now: deps.now, logger: deps.logger, country: () => this.country(), desired: deps.desired,
      ...(deps.campaigns ? { campaigns: deps.campaigns as unknown as CampaignActionsPort } : {}),
      ...(deps.settings ? { settings: deps.settings } : {}),
      ...(deps.tls ? { tls: deps.tls } : {}),
      contacts: storeContacts(deps.db),
    }, ACTIONS);
    this.imports = deps.workDir
      ? new ListImportJobs({
        db: deps.db, log: this.log, logger: deps.logger, workDir: deps.workDir, country: () => this.country(), now: deps.now, ...(deps.allowLinkLocal ? { allowLinkLocal: deps.allowLinkLocal } : {}),
        action: listImportThrough(this.actions),
      })
      : null;
  }

  private country(): string {
    return this.deps.country?.() ?? 'FR';
  }

  /** At start: report list imports that a crash or power cut interrupted. */
  recover(): void {
    const n = this.imports?.recoverInterrupted() ?? 0;
    if (n > 0) this.deps.logger.warn({ imports: n }, 'fleet list imports were interrupted by a restart');
  }

  async stop(): Promise<void> {
    await this.imports?.stop();
  }

  prune(keepMs: number): void {
    this.log.prune(this.deps.now() - keepMs);
  }

  /** Handle one payload from the command topic; returns the answer to publish. */
  async handle(payload: Buffer, reply: Reply = () => undefined): Promise<{ answer: CommandAnswer; repeated: boolean }> {
    let raw: unknown;
    try {
      raw = JSON.parse(payload.toString('utf8'));
    } catch {
      return { answer: fail('command is not valid JSON', null), repeated: false };
    }
    const id = commandIdOf(raw);
    if (id !== null) {
      const first = this.log.answerFor(id);
      if (first) return { answer: first, repeated: true };
    }
    let cmd: FleetCommand;
    try {
      // Refused before anything reads the payload further (a prototype key would pollute every object).
      const unsafe = findPrototypeKey(raw);
      if (unsafe) throw new AppError('E_FLEET_COMMAND', new UnsafeJsonError(unsafe.field, unsafe.key).message.replace(/^field/, 'command field'), { field: unsafe.field });
      cmd = parseCommand(raw);
    } catch (e) {
      const answer = fail(isAppError(e) ? e.message : 'invalid command', id);
      if (id !== null) this.log.remember(id, 'invalid', answer, this.deps.now());
      return { answer, repeated: false };
    }
    const now = this.deps.now();
    if (cmd.expiresAt <= now) {
      this.deps.logger.info({ command: cmd.id, type: cmd.type }, 'fleet command expired; not run');
      const answer = fail('expired', cmd.id);
      this.log.remember(cmd.id, cmd.type, answer, now);
      return { answer, repeated: false };
    }
    if (cmd.type === 'config.desired') {
      const { report, changed } = await this.applyDesired({ door: 'fleet', commandId: cmd.id }, cmd.data);
      if (changed) this.deps.onReported(report);
      const answer = report.status === 'applied' ? ok(report, cmd.id) : fail(report.reason ?? 'rejected', cmd.id, report);
      this.log.remember(cmd.id, cmd.type, answer, this.deps.now());
      return { answer, repeated: false };
    }
    if (cmd.type === 'list.import') {
      if (!this.imports) {
        const answer = fail('this box takes no list imports from the fleet', cmd.id);
        this.log.remember(cmd.id, cmd.type, answer, now);
        return { answer, repeated: false };
      }
      const answer = await this.imports.accept(cmd.id, cmd.data);
      this.log.remember(cmd.id, cmd.type, answer, this.deps.now());
      // Started after the answer is published, so 'accepted' reaches the fleet before any progress.
      if (answer.status === 'ok') setImmediate(() => this.imports?.run(cmd.id, cmd.data, reply));
      this.deps.logger.info({ command: cmd.id, type: cmd.type, status: answer.status }, 'fleet command');
      return { answer, repeated: false };
    }
    let answer: CommandAnswer;
    try {
      answer = this.deps.db.transaction(() => {
        const a = this.runSync(cmd);
        this.log.remember(cmd.id, cmd.type, a, now);
        return a;
      })();
    } catch (e) {
      // Rolled back; the command is acknowledged anyway, so its failure is what a repeat hears.
      this.deps.logger.error({ command: cmd.id, type: cmd.type, err: (e as Error).message }, 'fleet command failed');
      answer = fail('internal error; see the box log', cmd.id);
      this.log.remember(cmd.id, cmd.type, answer, now);
    }
    this.deps.logger.info({ command: cmd.id, type: cmd.type, status: answer.status }, 'fleet command');
    return { answer, repeated: false };
  }

  /**
   * A desired configuration, from a command or the retained topic, through the settings.desired action
   * (audited, a rejection as a refusal). Returns the report to publish and whether it is news.
   */
  async applyDesired(actor: Actor, raw: unknown): Promise<{ report: ReportedConfig; changed: boolean }> {
    try {
      const r = await this.actions.run<{ report: ReportedConfig; changed: boolean }>(actor, 'settings.desired', { document: raw });
      return { report: r.report, changed: r.changed };
    } catch (e) {
      if (e instanceof DesiredRejected) return { report: e.report, changed: true };
      throw e;
    }
  }

  private runSync(cmd: FleetCommand): CommandAnswer {
    if (cmd.type === 'report.get') return this.runCampaign(cmd as Extract<FleetCommand, { data: { campaignId: number } }>);
    if (cmd.type === 'audit.verify') {
      // A question, not a change: the box checks its chain against the head the fleet holds.
      const v = verifyAudit(this.deps.db, { fleetHead: cmd.data });
      const data = { ok: v.ok, entries: v.entries, head: v.head, problems: v.problems.slice(0, 20) };
      return v.ok ? ok(data, cmd.id) : fail(`audit log broken: ${v.problems.slice(0, 3).map((p) => `entry ${p.seq}: ${p.problem}${p.detail ? ` (${p.detail})` : ''}`).join('; ')}`, cmd.id, data);
    }
    const actor: Actor = { door: 'fleet', commandId: cmd.id };
    if (cmd.type === 'campaign.pause-all') return this.pauseAll(actor, cmd.id);
    const input = cmd.type === 'dnc.add' || cmd.type === 'dnc.remove' || cmd.type === 'certificate.install' || cmd.type === 'certificate.use-own' ? cmd.data : { id: (cmd.data as { campaignId: number }).campaignId };
    try {
      return ok(this.actions.runSync(actor, cmd.type, input), cmd.id);
    } catch (e) {
      // A refusal a user can cause (unknown campaign, wrong state, a bad number) is an answer; a bug is rethrown.
      if (isAppError(e)) return fail(e.message, cmd.id, errorData(e));
      throw e;
    }
  }

  /**
   * The fleet's emergency stop: every running campaign paused through the campaign.pause action (each
   * audited as such), in the command's transaction. A campaign that cannot be paused is named in the answer.
   */
  private pauseAll(actor: Actor, id: string): CommandAnswer {
    const c = this.deps.campaigns;
    if (!c?.list) return fail('this box takes no campaign commands', id);
    const paused: number[] = [];
    const refused: Array<{ campaignId: number; reason: string }> = [];
    for (const camp of c.list().filter((x) => x.status === 'running')) {
      try {
        this.actions.runSync(actor, 'campaign.pause', { id: camp.id });
        paused.push(camp.id);
      } catch (e) {
        if (!isAppError(e)) throw e;
        refused.push({ campaignId: camp.id, reason: e.message });
      }
    }
    const data = { paused, refused };
    return refused.length === 0 ? ok(data, id) : fail(`${refused.length} campaign(s) could not be paused: ${refused.map((r) => `${r.campaignId}: ${r.reason}`).join('; ')}`, id, data);
  }

  private runCampaign(cmd: Extract<FleetCommand, { data: { campaignId: number } }>): CommandAnswer {
    const c = this.deps.campaigns;
    if (!c) return fail('this box takes no campaign commands', cmd.id);
    try {
      return ok(c.report(cmd.data.campaignId), cmd.id);
    } catch (e) {
      if (isAppError(e)) return fail(e.message, cmd.id, errorData(e));
      throw e;
    }
  }
}

// Carries out fleet commands: validated, idempotent by id (the first answer is remembered and given
// again, never re-run), expired ones answered `expired` without running. A campaign command and the
// memory of its answer are written in one transaction, so after a crash it either ran and is known,
// or it did not run and the broker's redelivery runs it.
import type { Db } from '../store/db.ts';
import type { Logger } from '../log.ts';
import { AppError, isAppError } from '../errors.ts';
import { CommandLog, commandIdOf, parseCommand, type CommandAnswer, type FleetCommand } from './command.ts';
import type { DesiredConfig, ReportedConfig } from './desired-config.ts';
import { recordOptOut } from '../compliance/opt-out.ts';
import { numberFromText } from '../compliance/dnc-file.ts';
import { DncRepo } from '../store/compliance-dnc-repo.ts';
import { dncHash } from '../compliance/number-hash.ts';
import { findPrototypeKey, UnsafeJsonError } from '../safe-json.ts';
import { verifyAudit } from '../store/compliance-audit-repo.ts';
import { ListImportJobs, type Reply } from './list-import-job.ts';

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
}

const ok = (data: unknown, id: string | null): CommandAnswer => ({ data, status: 'ok', error: null, transaction: id });
const fail = (error: string, id: string | null, data: unknown = null): CommandAnswer => ({ data, status: 'error', error, transaction: id });

export class CommandRunner {
  private readonly log: CommandLog;
  private readonly imports: ListImportJobs | null;

  constructor(private readonly deps: CommandRunnerDeps) {
    this.log = new CommandLog(deps.db);
    this.imports = deps.workDir
      ? new ListImportJobs({ db: deps.db, log: this.log, logger: deps.logger, workDir: deps.workDir, country: () => this.country(), now: deps.now })
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
      const { report, changed } = await this.deps.desired.apply(cmd.data);
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

  private runSync(cmd: FleetCommand): CommandAnswer {
    try {
      if (cmd.type === 'dnc.add') {
        const d = cmd.data;
        const e164 = d.number !== undefined ? this.e164(d.number, d.country) : undefined;
        const r = recordOptOut(this.deps.db, {
          ...(e164 ? { e164 } : { numberHash: d.numberHash }), channel: 'fleet', actor: `fleet:${cmd.id}`,
          reason: d.reason ?? 'do-not-call entry from the fleet', campaignId: d.campaignId ?? null, now: this.deps.now(),
        });
        return ok({ numberHash: r.numberHash, added: r.added, consentsRevoked: r.consentsRevoked }, cmd.id);
      }
      if (cmd.type === 'audit.verify') {
        const v = verifyAudit(this.deps.db, { fleetHead: cmd.data });
        const data = { ok: v.ok, entries: v.entries, head: v.head, problems: v.problems.slice(0, 20) };
        return v.ok ? ok(data, cmd.id) : fail(`audit log broken: ${v.problems.slice(0, 3).map((p) => `entry ${p.seq}: ${p.problem}${p.detail ? ` (${p.detail})` : ''}`).join('; ')}`, cmd.id, data);
      }
      if (cmd.type === 'dnc.remove') {
        const e164 = this.e164(cmd.data.number, cmd.data.country);
        const removed = new DncRepo(this.deps.db).remove(e164, cmd.data.reason, `fleet:${cmd.id}`, this.deps.now());
        return ok({ numberHash: dncHash(e164), removed }, cmd.id);
      }
    } catch (e) {
      if (isAppError(e)) return fail(e.message, cmd.id, { code: e.code });
      throw e;
    }
    return this.runCampaign(cmd as Extract<FleetCommand, { data: { campaignId: number } }>);
  }

  private e164(text: string, country?: string): string {
    const n = numberFromText(text, country ?? this.country());
    if (!n) throw new AppError('E_REQUEST_INVALID', 'command field "data.number": not a phone number the box can read', { field: 'data.number' });
    return n;
  }

  private runCampaign(cmd: Extract<FleetCommand, { data: { campaignId: number } }>): CommandAnswer {
    const c = this.deps.campaigns;
    if (!c) return fail('this box takes no campaign commands', cmd.id);
    const id = cmd.data.campaignId;
    try {
      switch (cmd.type) {
        case 'campaign.start': return ok(c.start(id), cmd.id);
        case 'campaign.pause': return ok(c.pause(id), cmd.id);
        case 'campaign.resume': return ok(c.resume(id), cmd.id);
        case 'campaign.stop': return ok(c.stop(id), cmd.id);
        case 'report.get': return ok(c.report(id), cmd.id);
      }
    } catch (e) {
      // A refusal a user can cause (unknown campaign, wrong state) is an answer; a bug is rethrown.
      if (isAppError(e)) return fail(e.message, cmd.id, { code: e.code });
      throw e;
    }
  }
}

// Carries out fleet commands: validated, idempotent by id (the first answer is remembered and given
// again, never re-run), expired ones answered `expired` without running. A campaign command and the
// memory of its answer are written in one transaction, so after a crash it either ran and is known,
// or it did not run and the broker's redelivery runs it.
import type { Db } from '../store/db.ts';
import type { Logger } from '../log.ts';
import { isAppError } from '../errors.ts';
import { CommandLog, commandIdOf, parseCommand, type CommandAnswer, type FleetCommand } from './command.ts';
import type { DesiredConfig, ReportedConfig } from './desired-config.ts';

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
}

const ok = (data: unknown, id: string | null): CommandAnswer => ({ data, status: 'ok', error: null, transaction: id });
const fail = (error: string, id: string | null, data: unknown = null): CommandAnswer => ({ data, status: 'error', error, transaction: id });

export class CommandRunner {
  private readonly log: CommandLog;

  constructor(private readonly deps: CommandRunnerDeps) {
    this.log = new CommandLog(deps.db);
  }

  prune(keepMs: number): void {
    this.log.prune(this.deps.now() - keepMs);
  }

  /** Handle one payload from the command topic; returns the answer to publish. */
  async handle(payload: Buffer): Promise<{ answer: CommandAnswer; repeated: boolean }> {
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
    let answer: CommandAnswer;
    try {
      answer = this.deps.db.transaction(() => {
        const a = this.runCampaign(cmd as Extract<FleetCommand, { data: { campaignId: number } }>);
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

// The `list.import` command as a job: the command is answered `accepted` at once (an import can take
// minutes, and holding the MQTT stream that long would stall every other command), then progress goes
// to the same response topic, and the final state replaces the remembered answer so that repeating the
// command id tells how it ended. A job a crash cut short is reported `failed: interrupted` at the next start.
// What goes back to the fleet never quotes the fetched file (a LAN server's page, a metadata service's
// answer): failures are told in the box's own words by error code, rejected rows by row number only
// (their reasons, which name the file's columns, stay in the list's report on the box). At most
// MAX_RUNNING jobs run at once, and a download has a deadline (lan-fetch.ts).
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../store/db.ts';
import type { Logger } from '../../core/log.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import type { ImportProgress, ImportReport } from '../contacts/types.ts';
import type { ActionRunner } from '../actions/run.ts';
import type { Actor } from '../actions/action.ts';
import type { CommandAnswer, CommandLog, ListImportData } from './command.ts';
import { DEFAULT_DEADLINE_MS, DEFAULT_MAX_BYTES, fetchFromLan, parseLanUrl, resolveLanHost } from './lan-fetch.ts';

/** Sends a message on the command's response topic; `final` ones go at QoS 1, progress at QoS 0. */
export type Reply = (answer: CommandAnswer, final: boolean) => void;

/** The list.import action as this door runs it (actor fleet:<command id>): validated, audited done or refused. */
export interface ListImportAction {
  run(commandId: string, input: { file: string; list: string; country?: string; fileName: string }, progress: (p: ImportProgress) => void): Promise<ImportReport>;
  /** A refusal before the import could run (a URL refused, a download that failed), on record as list.import-refused. */
  refused(commandId: string, e: AppError): void;
}

/** The list.import action of `actions`, for the fleet door. */
export function listImportThrough(actions: ActionRunner): ListImportAction {
  const fleet = (commandId: string): Actor => ({ door: 'fleet', commandId });
  return {
    run: (commandId, input, progress) => actions.run<ImportReport>(fleet(commandId), 'list.import', input, { progress: (p) => progress(p as unknown as ImportProgress) }),
    refused: (commandId, e) => actions.refused(fleet(commandId), 'list.import', e),
  };
}

export interface ListImportDeps {
  db: Db;
  action: ListImportAction;
  log: CommandLog;
  logger: Logger;
  /** Where downloads are kept while they are imported. */
  workDir: string;
  country: () => string;
  now: () => number;
  /** Least time between two progress messages (default 1 s). */
  progressEveryMs?: number;
  /** Fetch from link-local addresses too (settings: fleet.allowLinkLocalImports); default no. */
  allowLinkLocal?: () => boolean;
  /** Resolver for the URL's host (tests); default dns.lookup. */
  lookup?: (host: string) => Promise<Array<{ address: string; family: number }>>;
  /** Deadline of a whole download (default DEFAULT_DEADLINE_MS). */
  downloadDeadlineMs?: number;
}

/** Jobs running at once: each holds a download and an import worker; more wait for the fleet to resend. */
export const MAX_RUNNING = 2;

/** The fleet's words for an import that failed: by code, never the error's own text (it may quote the file). */
function importFailure(e: AppError): string {
  const limit = typeof e.where?.limit === 'string' ? ` (limit: ${e.where.limit})` : '';
  switch (e.code) {
    case 'E_IMPORT_FILE': return `the file is not a contact list the box can read${limit}; import it from the box's web UI to see why`;
    case 'E_IMPORT_MAPPING': return "the file's columns do not say where the phone numbers are; import it from the box's web UI to map them";
    default: return `the import failed (${e.code}); the box's log has the details`;
  }
}

const ok = (data: unknown, id: string): CommandAnswer => ({ data, status: 'ok', error: null, transaction: id });
const fail = (error: string, id: string, data: unknown): CommandAnswer => ({ data, status: 'error', error, transaction: id });

export class ListImportJobs {
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();

  constructor(private readonly deps: ListImportDeps) {}

  /** Checks the URL (form and LAN address) before accepting, so a refusal is the command's answer. */
  async accept(id: string, data: ListImportData): Promise<CommandAnswer> {
    if (this.running.size >= MAX_RUNNING) {
      this.deps.action.refused(id, new AppError('E_RATE_LIMITED', this.busy()));
      return fail(this.busy(), id, { state: 'refused', code: 'E_RATE_LIMITED' });
    }
    try {
      await resolveLanHost(parseLanUrl(data.url), this.hostOptions());
    } catch (e) {
      const refusal = isAppError(e) ? e : new AppError('E_REQUEST_INVALID', (e as Error).message);
      this.deps.action.refused(id, refusal);
      return fail(refusal.message, id, { state: 'refused', code: refusal.code });
    }
    return ok({ state: 'accepted', list: data.list }, id);
  }

  private busy(): string {
    return `${MAX_RUNNING} list imports are already running on this box; send the command again (with a new id) when one has ended`;
  }

  private hostOptions(): { allowLinkLocal: boolean; lookup?: ListImportDeps['lookup'] } {
    return { allowLinkLocal: this.deps.allowLinkLocal?.() === true, ...(this.deps.lookup ? { lookup: this.deps.lookup } : {}) };
  }

  /** Start the job after the accepted answer was remembered. */
  run(id: string, data: ListImportData, reply: Reply): void {
    if (this.running.size >= MAX_RUNNING) {
      // Accepted while another accept was in flight: end it at once rather than exceed the cap.
      const answer = fail(this.busy(), id, { state: 'failed', list: data.list, code: 'E_RATE_LIMITED' });
      if (this.deps.db.open) this.deps.log.replace(id, answer);
      reply(answer, true);
      return;
    }
    const abort = new AbortController();
    const done = this.work(id, data, reply, abort.signal).finally(() => this.running.delete(id));
    this.running.set(id, { abort, done });
  }

  private async work(id: string, data: ListImportData, reply: Reply, signal: AbortSignal): Promise<void> {
    const started = this.deps.now();
    const every = this.deps.progressEveryMs ?? 1000;
    let lastProgress = 0;
    const progress = (p: Record<string, unknown>, force = false): void => {
      const t = Date.now();
      if (!force && t - lastProgress < every) return;
      lastProgress = t;
      reply(ok({ state: 'running', list: data.list, ...p }, id), false);
    };
    const url = parseLanUrl(data.url);
    const ext = /\.xlsx$/i.test(url.pathname) ? '.xlsx' : '.csv';
    const file = join(this.deps.workDir, `fleet-import-${id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60)}${ext}`);
    let answer: CommandAnswer;
    let phase: 'download' | 'import' = 'download';
    try {
      await mkdir(this.deps.workDir, { recursive: true });
      progress({ phase: 'download', bytes: 0, totalBytes: null }, true);
      const got = await fetchFromLan(url, file, {
        maxBytes: Math.min(data.maxBytes ?? DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES),
        deadlineMs: this.deps.downloadDeadlineMs ?? DEFAULT_DEADLINE_MS,
        host: this.hostOptions(),
        signal,
        onProgress: (p) => progress({ phase: 'download', ...p }),
      });
      phase = 'import';
      progress({ phase: 'import', bytes: got.bytes, totalBytes: got.bytes, rows: 0, accepted: 0, rejected: 0 }, true);
      const report = await this.deps.action.run(id, {
        file, list: data.list, ...(data.country ? { country: data.country } : {}), fileName: decodeURIComponent(url.pathname.split('/').pop() || 'list'),
      }, (p) => progress({ phase: 'import', bytes: p.bytesRead, totalBytes: p.bytesTotal, rows: p.rows, accepted: p.accepted, rejected: p.rejected }));
      answer = ok({
        state: 'done', list: report.list.name, listId: report.list.id, bytes: got.bytes, rows: report.rows, accepted: report.accepted,
        rejected: report.rejected.length, duplicates: report.duplicates, firstRejected: report.rejected.slice(0, 20).map((r) => ({ row: r.row })), durationMs: this.deps.now() - started,
      }, id);
      this.deps.logger.info({ command: id, listId: report.list.id, accepted: report.accepted, rejected: report.rejected.length }, 'fleet list import done');
    } catch (e) {
      // Download errors are the box's own words (statuses, sizes, timeouts); import errors are not sent.
      const message = signal.aborted ? 'interrupted: the box stopped during the import'
        : phase === 'download' ? (e as Error).message
        : isAppError(e) ? importFailure(e) : "the import failed; the box's log has the details";
      answer = fail(message, id, { state: 'failed', list: data.list, code: isAppError(e) ? e.code : 'E_IMPORT_FILE' });
      // An import the action refused is on record already; a download that failed is recorded here.
      if (phase === 'download' && this.deps.db.open) this.deps.action.refused(id, isAppError(e) ? e : new AppError('E_IMPORT_FILE', message));
      this.deps.logger.warn({ command: id, phase, code: isAppError(e) ? e.code : null, err: (e as Error).message.replace(/\d{3,}/g, '…') }, 'fleet list import failed');
    } finally {
      await unlink(file).catch(() => undefined);
    }
    if (this.deps.db.open) this.deps.log.replace(id, answer);
    reply(answer, true);
  }

  /** Jobs remembered as accepted or running belong to a run that died: say so. */
  recoverInterrupted(): number {
    let n = 0;
    for (const { id, answer } of this.deps.log.byType('list.import')) {
      const state = (answer.data as { state?: string } | null)?.state;
      if (answer.status === 'ok' && (state === 'accepted' || state === 'running') && !this.running.has(id)) {
        this.deps.log.replace(id, fail('interrupted: the box restarted during the import; send a new command to try again', id, { state: 'failed', code: 'E_IMPORT_FILE' }));
        n++;
      }
    }
    return n;
  }

  /** Abort downloads and wait (bounded) for imports in progress to settle. */
  async stop(timeoutMs = 5000): Promise<void> {
    for (const j of this.running.values()) j.abort.abort();
    const all = Promise.all([...this.running.values()].map((j) => j.done));
    await Promise.race([all, new Promise((r) => setTimeout(r, timeoutMs))]);
  }
}

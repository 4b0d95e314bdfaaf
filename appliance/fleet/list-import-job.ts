// The `list.import` command as a job: the command is answered `accepted` at once (an import can take
// minutes, and holding the MQTT stream that long would stall every other command), then progress goes
// to the same response topic, and the final state replaces the remembered answer so that repeating the
// command id tells how it ended. A job a crash cut short is reported `failed: interrupted` at the next start.
// Rejected rows go out with digits masked: the fleet hears why a row failed, not the number in it.
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../store/db.ts';
import type { Logger } from '../../core/log.ts';
import { isAppError } from '../../core/errors.ts';
import { importContacts } from '../contacts/import.ts';
import type { CommandAnswer, CommandLog, ListImportData } from './command.ts';
import { DEFAULT_MAX_BYTES, fetchFromLan, parseLanUrl, resolveLanHost } from './lan-fetch.ts';

/** Sends a message on the command's response topic; `final` ones go at QoS 1, progress at QoS 0. */
export type Reply = (answer: CommandAnswer, final: boolean) => void;

export interface ListImportDeps {
  db: Db;
  log: CommandLog;
  logger: Logger;
  /** Where downloads are kept while they are imported. */
  workDir: string;
  country: () => string;
  now: () => number;
  /** Least time between two progress messages (default 1 s). */
  progressEveryMs?: number;
}

const ok = (data: unknown, id: string): CommandAnswer => ({ data, status: 'ok', error: null, transaction: id });
const fail = (error: string, id: string, data: unknown): CommandAnswer => ({ data, status: 'error', error, transaction: id });

export class ListImportJobs {
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();

  constructor(private readonly deps: ListImportDeps) {}

  /** Checks the URL (form and LAN address) before accepting, so a refusal is the command's answer. */
  async accept(id: string, data: ListImportData): Promise<CommandAnswer> {
    try {
      await resolveLanHost(parseLanUrl(data.url));
    } catch (e) {
      return fail(isAppError(e) ? e.message : (e as Error).message, id, { state: 'refused', code: isAppError(e) ? e.code : 'E_REQUEST_INVALID' });
    }
    return ok({ state: 'accepted', list: data.list }, id);
  }

  /** Start the job after the accepted answer was remembered. */
  run(id: string, data: ListImportData, reply: Reply): void {
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
    try {
      await mkdir(this.deps.workDir, { recursive: true });
      progress({ phase: 'download', bytes: 0, totalBytes: null }, true);
      const got = await fetchFromLan(url, file, {
        maxBytes: Math.min(data.maxBytes ?? DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES),
        signal,
        onProgress: (p) => progress({ phase: 'download', ...p }),
      });
      progress({ phase: 'import', bytes: got.bytes, totalBytes: got.bytes, rows: 0, accepted: 0, rejected: 0 }, true);
      const report = await importContacts(this.deps.db, file, {
        list: data.list,
        country: data.country ?? this.deps.country(),
        fileName: decodeURIComponent(url.pathname.split('/').pop() || 'list'),
        onProgress: (p) => progress({ phase: 'import', bytes: p.bytesRead, totalBytes: p.totalBytes, rows: p.rows, accepted: p.accepted, rejected: p.rejected }),
      });
      answer = ok({
        state: 'done', list: report.list.name, listId: report.list.id, bytes: got.bytes, rows: report.rows, accepted: report.accepted,
        rejected: report.rejected.length, duplicates: report.duplicates, firstRejected: report.rejected.slice(0, 20).map((r) => ({ ...r, reason: r.reason.replace(/\d{3,}/g, '…') })), durationMs: this.deps.now() - started,
      }, id);
      this.deps.logger.info({ command: id, listId: report.list.id, accepted: report.accepted, rejected: report.rejected.length }, 'fleet list import done');
    } catch (e) {
      const message = signal.aborted ? 'interrupted: the box stopped during the import' : (e as Error).message;
      answer = fail(message, id, { state: 'failed', list: data.list, code: isAppError(e) ? e.code : 'E_IMPORT_FILE' });
      this.deps.logger.warn({ command: id, err: message }, 'fleet list import failed');
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

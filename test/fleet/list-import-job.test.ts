// A list import cut short by a restart is not left "accepted" forever: the next start answers its id
// with "failed (interrupted)", and finished imports keep their answer.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../appliance/store/db.ts';
import { silentLogger } from '../../core/log.ts';
import { CommandLog } from '../../appliance/fleet/command.ts';
import { ListImportJobs } from '../../appliance/fleet/list-import-job.ts';

test('an import interrupted by a restart is answered failed; a finished one keeps its answer', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-jobs-'));
  const db = openStore({ dir });
  t.teardown(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });
  const log = new CommandLog(db);
  log.remember('cut', 'list.import', { data: { state: 'accepted', list: 'A' }, status: 'ok', error: null, transaction: 'cut' }, 1);
  const done = { data: { state: 'done', list: 'B', accepted: 3 }, status: 'ok' as const, error: null, transaction: 'fine' };
  log.remember('fine', 'list.import', done, 1);
  const jobs = new ListImportJobs({ db, log, logger: silentLogger(), workDir: join(dir, 'imports'), country: () => 'FR', now: () => 2 });
  t.is(jobs.recoverInterrupted(), 1);
  t.like(log.answerFor('cut'), { status: 'error', transaction: 'cut', data: { state: 'failed' } });
  t.regex(log.answerFor('cut')!.error!, /interrupted/);
  t.deepEqual(log.answerFor('fine'), done);
  t.is(jobs.recoverInterrupted(), 0);
});

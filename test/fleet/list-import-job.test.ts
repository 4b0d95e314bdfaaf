// A list import cut short by a restart is not left "accepted" forever: the next start answers its id
// with "failed (interrupted)", and finished imports keep their answer.
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../appliance/store/db.ts';
import { silentLogger } from '../../core/log.ts';
import { CommandLog, type CommandAnswer, type ListImportData } from '../../appliance/fleet/command.ts';
import { ListImportJobs, MAX_RUNNING, listImportThrough, type ListImportDeps } from '../../appliance/fleet/list-import-job.ts';
import { ActionRunner } from '../../appliance/actions/run.ts';
import { ACTIONS } from '../../appliance/actions/registry.ts';
import { storeContacts } from '../../appliance/actions/lists-actions.ts';
import type { Db } from '../../appliance/store/db.ts';

/** The list.import action as the fleet door runs it, on this store. */
const action = (db: Db) => listImportThrough(new ActionRunner({ db, now: Date.now, logger: silentLogger(), country: () => 'FR', contacts: storeContacts(db) }, ACTIONS));
import { isLinkLocal, isPrivateAddress } from '../../appliance/fleet/lan-fetch.ts';

test('an import interrupted by a restart is answered failed; a finished one keeps its answer', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-jobs-'));
  const db = openStore({ dir });
  t.teardown(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });
  const log = new CommandLog(db);
  log.remember('cut', 'list.import', { data: { state: 'accepted', list: 'A' }, status: 'ok', error: null, transaction: 'cut' }, 1);
  const done = { data: { state: 'done', list: 'B', accepted: 3 }, status: 'ok' as const, error: null, transaction: 'fine' };
  log.remember('fine', 'list.import', done, 1);
  const jobs = new ListImportJobs({ db, log, action: action(db), logger: silentLogger(), workDir: join(dir, 'imports'), country: () => 'FR', now: () => 2 });
  t.is(jobs.recoverInterrupted(), 1);
  t.like(log.answerFor('cut'), { status: 'error', transaction: 'cut', data: { state: 'failed' } });
  t.regex(log.answerFor('cut')!.error!, /interrupted/);
  t.deepEqual(log.answerFor('fine'), done);
  t.is(jobs.recoverInterrupted(), 0);
});

// Issue 18.7: link-local refused (unless the settings allow it), fetched content never quoted back,
// a deadline for the whole download, and a cap on jobs at once. Servers here are on loopback; the
// link-local check is shown through the resolver and literal addresses only (no packet to 169.254.x).

interface Jobs {
  jobs: ListImportJobs;
  log: CommandLog;
  replies: Map<string, CommandAnswer[]>;
  start(id: string, data: ListImportData): Promise<CommandAnswer>;
  final(id: string, timeoutMs?: number): Promise<CommandAnswer>;
}

function jobs(t: ExecutionContext, extra: Partial<ListImportDeps> = {}): Jobs {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-jobs-'));
  const db = openStore({ dir });
  const log = new CommandLog(db);
  const jobs = new ListImportJobs({ db, log, action: action(db), logger: silentLogger(), workDir: join(dir, 'imports'), country: () => 'FR', now: Date.now, progressEveryMs: 0, ...extra });
  t.teardown(async () => { await jobs.stop(); db.close(); rmSync(dir, { recursive: true, force: true }); });
  const replies = new Map<string, CommandAnswer[]>();
  return {
    jobs,
    log,
    replies,
    async start(id, data) {
      const first = await jobs.accept(id, data);
      if (first.status === 'ok') {
        log.remember(id, 'list.import', first, Date.now());
        jobs.run(id, data, (a) => { replies.set(id, [...(replies.get(id) ?? []), a]); });
      }
      return first;
    },
    async final(id, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const last = replies.get(id)?.at(-1);
        const state = (last?.data as { state?: string } | null)?.state;
        if (last && (last.status === 'error' || state === 'done')) return last;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`job ${id} did not end`);
    },
  };
}

/** A loopback HTTP server; `handler` answers every request. */
async function server(t: ExecutionContext, handler: http.RequestListener): Promise<string> {
  const srv = http.createServer(handler);
  const sockets = new Set<import('node:net').Socket>();
  srv.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => { for (const s of sockets) s.destroy(); srv.close(); });
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
}

/** Sends the headers, then one byte every `everyMs` for ever (the slow-drip attack). */
const dripping = (everyMs: number): http.RequestListener => (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/csv' });
  res.write('N');
  const timer = setInterval(() => res.write('a'), everyMs);
  res.on('close', () => clearInterval(timer));
};

test('link-local hosts are refused before anything is fetched, by name or by address; a setting allows them', async (t) => {
  const resolved: string[] = [];
  const lookup = async (host: string) => {
    resolved.push(host);
    return host === 'metadata.lan' ? [{ address: '169.254.169.254', family: 4 }] : host === 'mixed.lan' ? [{ address: '192.168.1.20', family: 4 }, { address: 'fe80::1', family: 6 }] : [{ address: '192.168.1.20', family: 4 }];
  };
  const j = jobs(t, { lookup });
  for (const url of ['http://metadata.lan/latest/meta-data/', 'http://mixed.lan/list.csv', 'http://169.254.169.254/latest/', 'http://[fe80::1]/list.csv', 'http://[::ffff:169.254.169.254]/list.csv']) {
    const a = await j.start(`ll-${url}`, { url, list: 'x' });
    t.like(a, { status: 'error', data: { state: 'refused', code: 'E_FORBIDDEN' } }, url);
    t.regex(a.error!, /a link-local address \(where metadata services answer\); lists are fetched from there only when the settings allow it \(fleet\.allowLinkLocalImports\)/, url);
  }
  t.deepEqual(resolved, ['metadata.lan', 'mixed.lan']);
  // Accepting only resolves (the job is not run: it would reach for 192.168.1.20).
  t.like(await j.jobs.accept('lan', { url: 'http://files.lan/list.csv', list: 'x' }), { status: 'ok', data: { state: 'accepted' } });

  const allowed = jobs(t, { lookup, allowLinkLocal: () => true });
  t.like(await allowed.jobs.accept('ok', { url: 'http://metadata.lan/list.csv', list: 'x' }), { status: 'ok', data: { state: 'accepted' } });
});

test('the address classes: link-local is neither private nor public', (t) => {
  for (const a of ['169.254.169.254', '169.254.0.1', 'fe80::1', 'FE80::abcd', 'febf::1', '::ffff:169.254.1.1', '::ffff:a9fe:a9fe', '0:0:0:0:0:ffff:a9fe:101']) {
    t.true(isLinkLocal(a), a);
    t.false(isPrivateAddress(a), a);
  }
  for (const a of ['127.0.0.1', '10.0.0.1', '192.168.0.1', 'fd00::1', '::1', '169.255.0.1', 'fec0::1']) t.false(isLinkLocal(a), a);
});

test('a server sending a byte every 200 ms is cut off at the download deadline; the job ends failed and its file is removed', async (t) => {
  const base = await server(t, dripping(200));
  const j = jobs(t, { downloadDeadlineMs: 2_000 });
  const workDir = (j.jobs as unknown as { deps: ListImportDeps }).deps.workDir;
  t.like(await j.start('drip', { url: `${base}/list.csv`, list: 'drip' }), { status: 'ok' });
  const end = await j.final('drip');
  t.like(end, { status: 'error', data: { state: 'failed', code: 'E_REQUEST_INVALID' } });
  t.is(end.error, 'the download did not finish within 2 s');
  t.deepEqual(j.log.answerFor('drip'), end);
  t.deepEqual(readdirSync(workDir), []);
});

test('nothing the server sent is quoted back to the fleet: not in errors, not in rejected rows', async (t) => {
  const secret = 'SECRET-7f3a aws_secret_access_key=wJalrXUtnFEMI';
  const base = await server(t, (req, res) => {
    res.writeHead(200, { 'content-type': 'text/csv' });
    if (req.url === '/page.csv') res.end(`${secret}\n<html>not a list</html>\n`);
    else res.end(`Name,Phone,${secret}\nA,0612345678,x\nB,${secret},y\n`);
  });
  const j = jobs(t);
  await j.start('page', { url: `${base}/page.csv`, list: 'page' });
  const failed = await j.final('page');
  t.like(failed, { status: 'error', data: { state: 'failed', code: 'E_IMPORT_MAPPING' } });
  t.is(failed.error, "the file's columns do not say where the phone numbers are; import it from the box's web UI to map them");
  await j.start('rows', { url: `${base}/rows.csv`, list: 'rows' });
  const done = await j.final('rows');
  t.like(done, { status: 'ok', data: { state: 'done', accepted: 1, rejected: 1, firstRejected: [{ row: 3 }] } });
  const everything = JSON.stringify([...j.replies.values()]) + JSON.stringify(j.log.answerFor('page')) + JSON.stringify(j.log.answerFor('rows'));
  t.false(everything.includes('SECRET'));
  t.false(everything.includes('wJalrXUtnFEMI'));
});

test(`at most ${MAX_RUNNING} jobs run at once; the next is refused until one ends`, async (t) => {
  const base = await server(t, dripping(100));
  const j = jobs(t, { downloadDeadlineMs: 60_000 });
  for (let i = 0; i < MAX_RUNNING; i++) t.like(await j.start(`slow-${i}`, { url: `${base}/list.csv`, list: `slow-${i}` }), { status: 'ok' });
  const refused = await j.start('one-more', { url: `${base}/list.csv`, list: 'one-more' });
  t.like(refused, { status: 'error', data: { state: 'refused', code: 'E_RATE_LIMITED' } });
  t.regex(refused.error!, new RegExp(`^${MAX_RUNNING} list imports are already running`));
  // Racing accepts (both checked before either ran) do not exceed the cap either.
  const replies: CommandAnswer[] = [];
  j.jobs.run('raced', { url: `${base}/list.csv`, list: 'raced' }, (a) => replies.push(a));
  t.like(replies, [{ status: 'error', data: { state: 'failed', code: 'E_RATE_LIMITED' } }]);
  await j.jobs.stop(5_000);
  const after = await j.start('later', { url: `${base}/list.csv`, list: 'later' });
  t.like(after, { status: 'ok' });
});

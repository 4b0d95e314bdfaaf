// Issue 18.2, what it must show: a zip-bomb workbook (shared strings inflating to 5 GB, built here) is
// sent to POST /api/lists/preview and POST /api/lists of a real box running in its own process, while
// that box has a call in progress through the sandbox. The box stays up, its peak memory stays bounded
// (VmHWM of its process, worker threads included), both routes answer E_IMPORT_FILE saying which limit,
// and the call ends as it would have: answered, the whole message played.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAppliance, sandboxBoxSettings } from '../support/processes.ts';
import { freePort, } from '../peers/ports.ts';
import { xlsxBomb } from '../contacts/zip-bomb.ts';

/** Long enough for the call to outlast the four bomb requests even on a loaded machine. */
const MESSAGE_SEC = 25;

/** Resident and peak resident memory of a process, in MB (Linux /proc). */
function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) / 1024;
  return { rss: Math.round(kb('VmRSS')), peak: Math.round(kb('VmHWM')) };
}

async function waitHttp(base: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${base}/api/openapi.json`)).ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`box not answering on ${base}`);
}

test('the zip-bomb workbook, to preview and to import, while a call is live: E_IMPORT_FILE with the reason, the box up, its memory bounded, the call unaffected', async (t) => {
  t.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'vba-bomb-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'box');
  const [sipPort, sandboxPort, httpPort] = [await freePort(), await freePort(), await freePort()];
  const base = `http://127.0.0.1:${httpPort}`;

  const sandboxLog = join(dir, 'sandbox.jsonl');
  // Time scale 0.1: the simulated callee answers after a tenth of a real ring.
  const sandbox = runAppliance(['sandbox', '--port', String(sandboxPort), '--mix', 'listener=1', '--seed', '7', '--time-scale', '0.1', '--log', sandboxLog, '--data', join(dir, 'sandbox')]);
  t.teardown(() => sandbox.kill());
  await sandbox.waitFor(/listening on/, 30_000);

  const settings = sandboxBoxSettings({ httpPort, sipPort, sandboxPort, rtpPorts: 40, channels: 4, cps: 4 });
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, 'settings.json'), JSON.stringify(settings, null, 2));

  const box = runAppliance(['start', '--data', data]);
  t.teardown(() => box.kill('SIGKILL'));
  const password = (await box.waitFor(/login admin \/ (\S+)/, 30_000))[1]!;
  await waitHttp(base, 30_000);
  const pid = box.proc.pid!;
  const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrf = ((await (await fetch(`${base}/api/session`, { headers: { cookie } })).json()) as { csrfToken: string }).csrfToken;
  const send = async (method: string, path: string, body?: Buffer | FormData | string, type?: string): Promise<{ status: number; body: any }> => {
    const r = await fetch(base + path, { method, headers: { cookie, 'x-csrf-token': csrf, ...(type ? { 'content-type': type } : {}) }, body });
    const text = await r.text();
    try { return { status: r.status, body: JSON.parse(text) }; } catch { return { status: r.status, body: text }; }
  };

  const wav = join(dir, 'message.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', String(MESSAGE_SEC), 'sine', '400-800', 'vol', '0.5']);
  const rec = await send('POST', '/api/recordings?name=msg', readFileSync(wav), 'application/octet-stream');
  t.is(rec.status, 201, JSON.stringify(rec.body));

  // Warm up what a normal preview loads, so the peak below is the bomb's and not the first worker's.
  const csv = await send('POST', '/api/lists/preview?filename=ok.csv', Buffer.from('name;phone\nJeanne;+33612345678\n'), 'application/octet-stream');
  t.is(csv.status, 200);
  const before = memoryMb(pid);

  // The live call: answered by a sandbox listener, who hears the whole message.
  const callStarted = Date.now();
  let callEndedAt = 0;
  const callDone = send('POST', '/api/trunks/sandbox/test-call', JSON.stringify({ to: '+33612345678', recordingId: rec.body.id }), 'application/json')
    .finally(() => { callEndedAt = Date.now(); });
  for (let i = 0; i < 100 && (await send('GET', '/api/health')).body.activeCalls < 1; i++) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 1000));
  const bombsFrom = Date.now();

  const bombs = { honest: xlsxBomb({ declare: 'honest' }), forged: xlsxBomb({ declare: 'lie' }) };
  t.log(`bomb sizes: ${bombs.honest.length} and ${bombs.forged.length} bytes; shared strings inflate to 5 GiB`);
  const answers: Array<{ route: string; kind: string; status: number; code: string; limit: string; message: string }> = [];
  // All four at once: each bomb to the preview and to the import.
  await Promise.all(Object.entries(bombs).flatMap(([kind, bytes]) => {
    const form = new FormData();
    form.set('name', `bomb-${kind}`);
    form.set('file', new Blob([bytes]), `${kind}.xlsx`);
    const requests = [
      ['preview', () => send('POST', `/api/lists/preview?filename=${kind}.xlsx`, bytes, 'application/octet-stream')],
      ['import', () => send('POST', '/api/lists', form)],
    ] as const;
    return requests.map(async ([route, request]) => {
      const t0 = Date.now();
      const r = await request();
      t.log(`${kind} to ${route}: answered ${r.status} in ${Date.now() - t0} ms`);
      answers.push({ route, kind, status: r.status, code: r.body?.error?.code, limit: r.body?.error?.where?.limit, message: r.body?.error?.message });
    });
  }));
  const bombsUntil = Date.now();
  const after = memoryMb(pid);
  t.log(`box memory: RSS ${before.rss} MB before (peak ${before.peak} MB); after the bombs RSS ${after.rss} MB, peak ${after.peak} MB`);
  for (const a of answers) {
    t.is(a.status, 400, JSON.stringify(a));
    t.is(a.code, 'E_IMPORT_FILE', JSON.stringify(a));
    t.regex(a.message, new RegExp(`^${a.kind}\\.xlsx was not opened: `));
    if (a.kind === 'honest') {
      t.is(a.limit, 'compression-ratio');
      t.regex(a.message, /would inflate \d+ times its compressed size, more than the 200 times a real spreadsheet reaches/);
    } else {
      t.is(a.limit, 'inflated-size');
      t.regex(a.message, /inflates to more than the [\d,]+ bytes its archive declares/);
    }
  }
  // Bounded: the bombs cost the box four worker threads' worth (~40 MB each, running at once), nowhere
  // near the 5 GB they would inflate to.
  t.true(after.peak - before.peak < 200, `peak grew by ${after.peak - before.peak} MB`);

  const call = await callDone;
  t.is(call.status, 200, JSON.stringify(call.body));
  t.is(call.body.outcome, 'human');
  t.is(call.body.sipCode, 200);
  t.true(call.body.messageCompleted);
  t.true(call.body.messagePlayedMs >= MESSAGE_SEC * 1000 - 100, `played ${call.body.messagePlayedMs} ms`);
  t.true(call.body.durations.talkMs >= MESSAGE_SEC * 1000, `talked ${call.body.durations.talkMs} ms`);
  // The bombs were handled while the call was up: after it was answered, before it ended.
  const answeredAt = callStarted + call.body.durations.setupMs + call.body.durations.ringMs;
  t.log(`call answered ${answeredAt - callStarted} ms after the request, ended after ${callEndedAt - callStarted} ms; bombs from ${bombsFrom - callStarted} to ${bombsUntil - callStarted} ms`);
  t.true(answeredAt < bombsFrom && bombsUntil < callEndedAt);
  // What the callee heard, by its own account (the sandbox is another process): the whole message.
  const end = readFileSync(sandboxLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; finalCode: number; heard: { speechMs: number } }).find((l) => l.type === 'end')!;
  t.is(end.finalCode, 200);
  t.true(end.heard.speechMs >= (MESSAGE_SEC - 0.5) * 1000, `the callee heard ${end.heard.speechMs} ms`);

  // Still up and serving, nothing imported, no upload left behind.
  t.is(box.proc.exitCode, null);
  const lists = await send('GET', '/api/lists');
  t.is(lists.status, 200);
  t.deepEqual(lists.body, []);
});

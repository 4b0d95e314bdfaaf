// `appliance call` as staff run it: the real executable in a child process, a temporary --data folder,
// a sipp UAS on a free loopback port as the far end. Outcomes, keys pressed, a number through a named
// trunk, and the mistakes a person makes on the command line (clear message, right exit code).
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Settings, TrunkProfile } from '../../core/settings-types.ts';
import { wavS16 } from '../../media/prompts/pcm.ts';
import { rfc4733DtmfPcap } from '../peers/pcap.ts';
import { freeUdpRange } from '../peers/ports.ts';
import { startSippUas, type SippHandle } from '../peers/sipp.ts';
import { BIN, ROOT } from '../support/processes.ts';
import { loopbackTrunk } from '../support/engine.ts';

interface Run { code: number | null; stdout: string; stderr: string }

/** The JSON object `--json` prints on the last line. */
interface CallJson {
  outcome: string;
  sipCode: number | null;
  q850: number | null;
  dtmf: string;
  durations: { setupMs: number; ringMs: number; talkMs: number };
  messagePlayedMs: number;
  messageCompleted: boolean;
  endedBy: string;
}

const MESSAGE_MS = 600;

/** A data folder with a settings document that keeps SIP and RTP on loopback, plus a short message. */
async function dataFolder(t: ExecutionContext, trunks: TrunkProfile[] = []): Promise<{ dir: string; message: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vba-call-cli-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const rtp = await freeUdpRange(200);
  const settings: Partial<Settings> & { version: number } = {
    version: 1,
    sip: { bindAddress: '127.0.0.1', port: 5060, transports: ['udp'], userAgent: 'vba-cli-test', guard: { action: 'reject', maxRepliesPerSecPerSource: 5 } },
    media: { rtpPortMin: rtp, rtpPortMax: rtp + 198, ptimeMs: 20, jitterPackets: 3 },
    trunks,
    defaultTrunk: null,
  };
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
  // A gliding tone: not silent, so the import keeps all of it.
  const pcm = new Int16Array((8000 * MESSAGE_MS) / 1000);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(9000 * Math.sin((2 * Math.PI * (400 + i / 10) * i) / 8000));
  const message = path.join(dir, 'message.wav');
  fs.writeFileSync(message, wavS16(pcm, 8000));
  return { dir, message };
}

function trunkAt(port: number, name = 'office'): TrunkProfile {
  return loopbackTrunk(port, { name, channels: 2, cps: 10 });
}

/**
 * At most two `appliance` processes of this file at once: the tests start together, and nine Node
 * processes loading the box at the same moment starved each other (and the file running beside this
 * one) of the CI's two cores, so calls arrived after sipp had given up.
 */
const SLOTS = 2;
let busy = 0;
const queue: Array<() => void> = [];
async function slot(): Promise<() => void> {
  if (busy >= SLOTS) await new Promise<void>((r) => queue.push(r));
  else busy++;
  return () => {
    const next = queue.shift();
    if (next) next();
    else busy--;
  };
}

// A guard against a hung process, not a speed target: wide, since the suite runs two files at a time on two cores.
async function appliance(args: string[], timeoutMs = 120_000): Promise<Run> {
  const release = await slot();
  try {
    return await runAppliance(args, timeoutMs);
  } finally {
    release();
  }
}

function runAppliance(args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`appliance ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

function lastJson<T>(run: Run): T {
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}

async function sipp(t: ExecutionContext, scenario: string, o: { keys?: Record<string, string>; files?: Record<string, Buffer> } = {}): Promise<SippHandle> {
  // sipp's own -timeout is a guard against a sipp outliving the test, not a speed target: wide enough
  // for the call to wait for its turn (two processes at once) on a loaded machine.
  const s = await startSippUas({ scenario, calls: 1, timeoutSec: 300, keys: o.keys, files: o.files, args: ['-mi', '127.0.0.1', '-mp', 'auto'] });
  t.teardown(() => s.stop(0).then(() => {}));
  return s;
}

const where = (r: Run): string => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
const STACK = /\n\s+at .+\(.*:\d+:\d+\)/;

test('answered call: the message is played to the end, outcome human, SIP 200', async (t) => {
  const s = await sipp(t, 'uas-answer.xml');
  const { dir, message } = await dataFolder(t);
  const r = await appliance(['call', `sip:test@127.0.0.1:${s.port}`, '--play', message, '--json', '--data', dir]);
  t.is(r.code, 0, where(r));
  const j = lastJson<CallJson>(r);
  t.like(j, { outcome: 'human', sipCode: 200, messageCompleted: true, dtmf: '', endedBy: 'local' });
  t.true(Math.abs(j.messagePlayedMs - MESSAGE_MS) <= 60, `played ${j.messagePlayedMs} ms`);
  t.true(j.durations.setupMs >= 0 && j.durations.setupMs < 2000, `setup ${j.durations.setupMs} ms`);
  t.true(j.durations.talkMs >= MESSAGE_MS - 60, `talk ${j.durations.talkMs} ms`);
  t.is((await s.stop(3000)).exitCode, 0); // sipp got our BYE
});

test('busy (486): outcome busy with SIP 486 and Q.850 17, and the command still succeeds', async (t) => {
  const s = await sipp(t, 'uas-busy.xml');
  const { dir, message } = await dataFolder(t);
  const r = await appliance(['call', `sip:test@127.0.0.1:${s.port}`, '--play', message, '--json', '--data', dir]);
  t.is(r.code, 0, where(r));
  const j = lastJson<CallJson>(r);
  t.like(j, { outcome: 'busy', sipCode: 486, q850: 17, messageCompleted: false, messagePlayedMs: 0, dtmf: '' });
  t.is(j.durations.talkMs, 0);
  t.is((await s.stop(3000)).exitCode, 0);
});

test('keys pressed by the far end (RFC 4733), during and after the message, are all reported', async (t) => {
  // Keys from 200 ms after the answer, one every 200 ms: 1 and 5 during the 600 ms message, 9 and # after it.
  const s = await sipp(t, 'uas-play-pcap.xml', { files: { 'stream.pcap': rfc4733DtmfPcap('159#') } });
  const { dir, message } = await dataFolder(t);
  const r = await appliance(['call', `sip:test@127.0.0.1:${s.port}`, '--play', message, '--collect-ms', '1500', '--json', '--data', dir]);
  t.is(r.code, 0, where(r));
  const j = lastJson<CallJson>(r);
  t.like(j, { outcome: 'human', sipCode: 200, messageCompleted: true, dtmf: '159#' });
  t.is((await s.stop(3000)).exitCode, 0);
});

test('human-readable output names the outcome and the keys pressed (SIP INFO)', async (t) => {
  const s = await sipp(t, 'uas-info-dtmf.xml');
  const { dir, message } = await dataFolder(t);
  const r = await appliance(['call', `sip:test@127.0.0.1:${s.port}`, '--play', message, '--collect-ms', '800', '--data', dir]);
  t.is(r.code, 0, where(r));
  t.regex(r.stdout, /outcome: human \(SIP 200/);
  t.regex(r.stdout, /keys pressed: 5#\*/);
  t.regex(r.stdout, /played to the end/);
  t.notRegex(r.stdout, /^\s*\{/m, 'no JSON without --json');
  t.is((await s.stop(3000)).exitCode, 0);
});

test('a number through a named trunk: the Request-URI user sipp sees is the number', async (t) => {
  const s = await sipp(t, 'cli-uas-expect-user.xml', { keys: { expected_user: '33612345678' } });
  const { dir, message } = await dataFolder(t, [trunkAt(s.port, 'office')]);
  const r = await appliance(['call', '+33 6 12 34 56 78', '--trunk', 'office', '--play', message, '--json', '--data', dir]);
  t.is(r.code, 0, where(r));
  // A wrong Request-URI user gets 404 from this scenario, so human/200 proves the number arrived.
  t.like(lastJson<CallJson>(r), { outcome: 'human', sipCode: 200, messageCompleted: true });
  t.is((await s.stop(3000)).exitCode, 0);
});

test('an unknown trunk: a clear error naming the trunks configured, exit 1', async (t) => {
  const { dir, message } = await dataFolder(t, [trunkAt(5060, 'office')]);
  const r = await appliance(['call', '+33612345678', '--trunk', 'nope', '--play', message, '--data', dir]);
  t.is(r.code, 1, where(r));
  t.regex(r.stderr, /no trunk named "nope" \(configured: office\)/);
  t.regex(r.stderr, /E_TRUNK_UNKNOWN/);
  t.notRegex(r.stderr, STACK);
  t.is(r.stdout, '');
});

test('--play missing: usage error on stderr, exit 2', async (t) => {
  const { dir } = await dataFolder(t);
  const r = await appliance(['call', '+33612345678', '--data', dir]);
  t.is(r.code, 2, where(r));
  t.regex(r.stderr, /--play is required/);
  t.regex(r.stderr, /usage: appliance call/);
  t.notRegex(r.stderr, STACK);
});

test('--play with a file that is not audio: a clear error, exit 1, and --json carries the error code', async (t) => {
  const { dir } = await dataFolder(t);
  const notes = path.join(dir, 'notes.txt');
  fs.writeFileSync(notes, 'Remember to call the plumber on Monday.\n'.repeat(20));
  const r = await appliance(['call', 'sip:test@127.0.0.1:5', '--play', notes, '--json', '--data', dir]);
  t.is(r.code, 1, where(r));
  t.regex(r.stderr, /notes\.txt/);
  t.regex(r.stderr, /E_PROMPT/);
  t.notRegex(r.stderr, STACK);
  t.like(lastJson<{ error: { code: string } }>(r), { error: { code: 'E_PROMPT' } });
  const missing = await appliance(['call', 'sip:test@127.0.0.1:5', '--play', path.join(dir, 'nowhere.wav'), '--data', dir]);
  t.is(missing.code, 1, where(missing));
  t.regex(missing.stderr, /no such file .*nowhere\.wav/);
});

test('an invalid target: a clear error, exit 1, nothing dialled', async (t) => {
  const { dir, message } = await dataFolder(t);
  const r = await appliance(['call', 'call-mum', '--play', message, '--data', dir]);
  t.is(r.code, 1, where(r));
  t.regex(r.stderr, /"call-mum" is neither an E\.164 number .* nor a sip: URI/);
  t.regex(r.stderr, /E_DIAL_TARGET/);
  t.notRegex(r.stderr, STACK);
  const none = await appliance(['call', '--play', message, '--data', dir]);
  t.is(none.code, 2, where(none));
  t.regex(none.stderr, /give exactly one number or sip: URI/);
});

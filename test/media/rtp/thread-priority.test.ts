// Media worker threads run above the main thread (media/rtp/thread-priority.ts): with the right to (root's
// CAP_SYS_NICE here; LimitNICE= under systemd) each worker is 5 nice steps above the main thread, as the
// kernel itself reports; without it the box says why, once, and media still flows.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rtpRange } from '../../peers/ports.ts';
import { requireTool } from '../../support/tools.ts';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'priority-process.ts');

interface Run {
  mainNice: number;
  priorities: Array<{ tid: number; from: number; nice: number; raised: boolean; error?: string }>;
  kernelNice: number[];
  received: number;
  log: string[];
}

function run(wrapper: string[]): Run {
  const rtp = rtpRange(20);
  const cmd = [...wrapper, process.execPath, '--import=tsx', SCRIPT, `${rtp.min}-${rtp.max}`];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Run;
}

/** Whether this process may lower a nice value (CAP_SYS_NICE is capability 23): `npm test` runs as root. */
function hasSysNice(): boolean {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m !== null && (BigInt(`0x${m[1]}`) & (1n << 23n)) !== 0n;
}
const privileged = hasSysNice();
if (!privileged) console.log('skipped: the raised media worker priority needs CAP_SYS_NICE (run the tests as root)');

(privileged ? test : test.skip)('with the right to, each media worker thread runs 5 nice steps above the main thread, and the log says so once', (t) => {
  const r = run([]);
  t.is(r.priorities.length, 2);
  for (const [i, p] of r.priorities.entries()) {
    t.true(p.raised, JSON.stringify(p));
    t.is(p.from, r.mainNice);
    t.is(p.nice, Math.max(-20, r.mainNice - 5));
    t.is(r.kernelNice[i], p.nice, 'the kernel holds the same nice value for the worker thread');
  }
  t.not(r.priorities[0]!.tid, r.priorities[1]!.tid);
  t.true(r.received > 0, 'the call sent its packets');
  t.is(r.log.length, 1, r.log.join('\n'));
  t.regex(r.log[0]!, /"level":30,.*"msg":"media workers run at a higher priority than the main thread"/);
});

test('without the right to, the workers stay at the main thread\'s priority, the log says what to give the box, and media flows', (t) => {
  requireTool('setpriv', 'util-linux');
  const r = run(['setpriv', '--inh-caps=-sys_nice', '--bounding-set=-sys_nice', '--']);
  for (const [i, p] of r.priorities.entries()) {
    t.false(p.raised, JSON.stringify(p));
    t.is(p.nice, r.mainNice);
    t.is(r.kernelNice[i], r.mainNice);
    t.regex(p.error ?? '', /could not go from nice -?\d+ to -?\d+ \((?:EACCES|EPERM)\): the box needs CAP_SYS_NICE, or LimitNICE=-?\d+ in its systemd unit/);
  }
  t.true(r.received > 0, 'the call sent its packets all the same');
  t.is(r.log.length, 1, r.log.join('\n'));
  t.regex(r.log[0]!, /"level":40,.*media workers share the CPU with the main thread on equal terms: could not go from nice/);
});

#!/usr/bin/env node
// `npm test`: makes sure the real peers the acceptance tests talk to are installed (installing them
// on Debian as root), type-checks, lints (Biome), runs the ava suite with its TAP reporter, and ends with the line
// `N passed, N failed[, N skipped]` computed from the runner's own results (also written to
// .tmp/test-summary.json for .ci/run).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// Debian package -> a command it provides.
const PEERS = {
  'sip-tester': 'sipp',
  baresip: 'baresip',
  mosquitto: 'mosquitto',
  chromium: 'chromium',
  ffmpeg: 'ffmpeg',
  sox: 'sox',
  'espeak-ng': 'espeak-ng',
  tshark: 'tshark',
  // systemd-analyze verify/security, systemd-notify and systemd-sysusers (test/systemd); python3 binds
  // the unix datagram socket standing for systemd's notify socket (Node has none).
  systemd: 'systemd-analyze',
  python3: 'python3',
  // The fleet manager's tests start a throwaway PostgreSQL cluster (initdb/pg_ctl); the package's
  // wrapper scripts (postgresql-common) land in /usr/bin.
  postgresql: 'pg_ctlcluster',
};

function have(cmd) {
  return ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/bin', '/sbin'].some((d) => existsSync(join(d, cmd)));
}

function ensurePeers() {
  const missing = Object.entries(PEERS).filter(([, cmd]) => !have(cmd)).map(([pkg]) => pkg);
  if (missing.length === 0) return true;
  // libsox-fmt-all gives sox its MP3/OGG/FLAC handlers used by the audio tests.
  const pkgs = [...missing, 'libsox-fmt-all'];
  const line = `apt-get install -y ${pkgs.join(' ')}`;
  const isDebian = existsSync('/etc/debian_version');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isDebian || !isRoot) {
    process.stderr.write(`npm test needs these system packages: ${missing.join(', ')}.\n` +
      `Install them as root, then run npm test again:\n\n    sudo apt-get update && sudo ${line}\n\n`);
    return false;
  }
  process.stderr.write(`installing test peers: ${pkgs.join(' ')}\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // tshark asks whether non-root users may capture; answer for it.
  spawnSync('sh', ['-c', 'echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections'], { stdio: 'inherit' });
  const upd = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const inst = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
  if (upd.status !== 0 || inst.status !== 0 || Object.entries(PEERS).some(([, cmd]) => !have(cmd))) {
    process.stderr.write(`could not install the test peers; run by hand:\n\n    apt-get update && ${line}\n\n`);
    return false;
  }
  return true;
}

function typecheck() {
  // The box and its tests, then the web UI (its own JSX settings), then the UI's unit tests (both).
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  return [root, join(root, 'web-ui/tsconfig.json'), join(root, 'test/web-ui/unit/tsconfig.json')].every((p) => spawnSync(process.execPath, [tsc, '--noEmit', '-p', p], { stdio: 'inherit', cwd: root }).status === 0);
}

function lint() {
  // Biome's linter with the project's rules (biome.jsonc); errors only (warnings are advice).
  const biome = join(root, 'node_modules/@biomejs/biome/bin/biome');
  return spawnSync(process.execPath, [biome, 'lint', '--diagnostic-level=error', '.'], { stdio: 'inherit', cwd: root }).status === 0;
}

// When each file's results arrived (a file is the first two parts of a title, "campaigns › dialer"):
// the span from its first to its last result, written to .tmp/test-timing.json and the slowest printed,
// so that whoever trims the suite knows where its time goes.
const timing = new Map();
function noteTime(title) {
  const file = title.split(' › ').slice(0, 2).join(' › ');
  const now = Date.now();
  const t = timing.get(file) ?? { first: now, last: now, tests: 0 };
  t.last = now;
  t.tests++;
  timing.set(file, t);
}

/** One ava run; its TAP lines are counted into `counts` and `failures`. `pass` is read by ava.config.js. */
function runAva(args, pass, counts, failures) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'node_modules/ava/entrypoints/cli.mjs'), '--tap', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, FORCE_COLOR: '0', ...(pass ? { VBA_TEST_PASS: pass } : {}) },
    });
    let buf = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      buf += chunk.toString('utf8');
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^(not ok|ok) \d+ - (.*)$/.exec(line);
        if (!m) continue;
        noteTime(m[2]);
        if (/# SKIP/i.test(m[2])) counts.skipped++;
        else if (/# TODO/i.test(m[2])) counts.todo++;
        else if (m[1] === 'ok') counts.passed++;
        else { counts.failed++; failures.push(m[2]); }
      }
    });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const args = process.argv.slice(2);
if (!ensurePeers()) process.exit(1);
const typesOk = args.length > 0 ? true : typecheck();
const lintOk = args.length > 0 ? true : lint();
const counts = { passed: 0, failed: 0, skipped: 0, todo: 0 };
const failures = [];
// Files named on the command line run in one pass; the whole suite runs in two (see ava.config.js):
// everything else first, then the real-time engine tests on their own.
const passes = args.length > 0 ? [null] : ['main', 'realtime'];
for (const pass of passes) {
  if (pass === 'realtime') process.stdout.write('\n# real-time engine tests (test/engines), one at a time\n');
  const failedBefore = counts.failed;
  const code = await runAva(args, pass, counts, failures);
  // A runner failure that no test line explains (crash, timeout, no tests) still fails the run.
  if (code !== 0 && counts.failed === failedBefore) { counts.failed++; failures.push(`ava exited with code ${code}${pass ? ` (${pass} pass)` : ''}`); }
}
if (!typesOk) { counts.failed++; failures.push('typecheck (tsc --noEmit: box, web UI, UI unit tests)'); }
if (!lintOk) { counts.failed++; failures.push('lint (biome lint: see biome.jsonc)'); }
if (counts.passed + counts.failed === 0) { counts.failed++; failures.push('no test ran'); }
mkdirSync(join(root, '.tmp'), { recursive: true });
writeFileSync(join(root, '.tmp', 'test-summary.json'), JSON.stringify({ ...counts, failures }, null, 2));
const spans = [...timing].map(([file, t]) => ({ file, seconds: (t.last - t.first) / 1000, tests: t.tests })).sort((a, b) => b.seconds - a.seconds);
writeFileSync(join(root, '.tmp', 'test-timing.json'), JSON.stringify(spans, null, 2));
if (spans.length > 10) process.stdout.write(`\nslowest files (first to last result):\n${spans.slice(0, 10).map((s) => `  ${s.seconds.toFixed(1).padStart(6)} s  ${s.file} (${s.tests})`).join('\n')}\n`);
if (failures.length) process.stdout.write(`\nfailed:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}\n`);
process.exit(counts.failed > 0 ? 1 : 0);

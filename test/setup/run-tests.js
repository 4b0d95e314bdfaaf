#!/usr/bin/env node
// `npm test`: makes sure the real peers the acceptance tests talk to are installed (installing them
// on Debian as root), type-checks, lints (Biome), runs the ava suite with its TAP reporter, and ends with the line
// `N passed, N failed[, N skipped]` computed from the runner's own results (also written to
// .tmp/test-summary.json for .ci/run). Before that line it prints, for a reader who sees only the tail of
// the output (CI): the time of each phase, the ten slowest test files (wall time of their worker), and
// under "failed:" each failure with the first lines of its message, place and details.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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
  // The results export is opened in a spreadsheet (test/web-ui/results-export): LibreOffice Calc, headless.
  'libreoffice-calc': 'soffice',
  // The media workers' batched UDP I/O is a C module npm install builds (media/native/build.mjs).
  gcc: 'gcc',
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

/**
 * Runs the static checks two at a time (CI has two cores; they are independent): each one's output is
 * kept and printed whole when it ends, so two checks never interleave their lines. Resolves to the
 * names of the checks that failed.
 */
async function staticChecks(checks, lanes = 2) {
  const failed = [];
  const queue = [...checks];
  const lane = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const { name, args } = c;
      const code = await new Promise((resolve) => {
        const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
        const out = [];
        child.stdout.on('data', (d) => out.push(d));
        child.stderr.on('data', (d) => out.push(d));
        child.on('error', (e) => { out.push(Buffer.from(`${e.message}\n`)); resolve(1); });
        child.on('close', (status) => {
          const text = Buffer.concat(out).toString('utf8');
          if (text.trim()) process.stdout.write(`# ${name}\n${text}${text.endsWith('\n') ? '' : '\n'}`);
          resolve(status ?? 1);
        });
      });
      if (code !== 0) failed.push(name);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return failed;
}

// The box and its tests, then the web UI (its own JSX settings), then the UI's unit tests (both); and
// Biome's linter with the project's rules (biome.jsonc), errors only (warnings are advice).
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const CHECKS = [
  { name: 'typecheck (tsc --noEmit: box and tests)', args: [tsc, '--noEmit', '-p', root] },
  { name: 'typecheck (tsc --noEmit: web UI)', args: [tsc, '--noEmit', '-p', join(root, 'web-ui/tsconfig.json')] },
  { name: 'typecheck (tsc --noEmit: UI unit tests)', args: [tsc, '--noEmit', '-p', join(root, 'test/web-ui/unit/tsconfig.json')] },
  { name: 'lint (biome lint: see biome.jsonc)', args: [join(root, 'node_modules/@biomejs/biome/bin/biome'), 'lint', '--diagnostic-level=error', '.'] },
];

// When each file's results arrived (a file is the first two parts of a title, "campaigns › dialer"):
// the span from its first to its last result, written to .tmp/test-timing.json and the slowest printed,
// so that whoever trims the suite knows where its time goes.
const timing = new Map();
const titles = [];
function noteTime(title) {
  titles.push(title);
  const file = title.split(' › ').slice(0, 2).join(' › ');
  const now = Date.now();
  const t = timing.get(file) ?? { first: now, last: now, tests: 0 };
  t.last = now;
  t.tests++;
  timing.set(file, t);
}

// Each ava worker appends {file, start, end} here when it ends (test/setup/file-times.mjs, loaded
// through ava.config.js when this variable is set): a file's real wall time, imports included.
const FILE_TIMES = join(root, '.tmp', 'file-times.jsonl');

/**
 * What the TAP YAML block under a `not ok` line says, in a few lines: `message`, `at`, and the first
 * three lines of `details` (ava puts the assertion's values or the rejection's error there).
 */
function failureLines(yaml) {
  const out = [];
  // Only the block's own keys (at its first line's indentation): `details` holds nested `message:` keys too.
  const top = yaml.find((l) => l.trim() !== '')?.search(/\S/) ?? 4;
  const keyAt = (key) => yaml.findIndex((l) => l.search(/\S/) === top && l.trimStart().startsWith(`${key}:`));
  // A YAML line as text: no quotes, no block marker (`|-`) after a quoted key ('Difference…:': |-).
  const unquote = (x) => x.replace(/^'(.*)'$/, '$1').replace(/''/g, "'");
  const clean = (text) => {
    const t = text.trim();
    const m = /^'((?:[^']|'')*)':\s*(.*)$/.exec(t);
    if (!m) return unquote(t);
    const rest = m[2].replace(/^[|>]\d?[-+]?$/, '').trim();
    return `${m[1].replace(/''/g, "'")}${rest ? ` ${unquote(rest)}` : ''}`;
  };
  const value = (key) => {
    const i = keyAt(key);
    if (i < 0) return null;
    const first = yaml[i].trimStart().slice(key.length + 1).trim();
    if (first !== '' && !/^[|>]\d?[-+]?$/.test(first)) return clean(first);
    // A block scalar: `>` folds its indented lines into one, `|` keeps lines (the first says enough).
    const lines = [];
    for (let j = i + 1; j < yaml.length && yaml[j].search(/\S/) > top; j++) lines.push(yaml[j].trim());
    return lines.length ? (first.startsWith('>') ? lines.join(' ') : lines[0]) : null;
  };
  const message = value('message');
  if (message) out.push(`message: ${message}`);
  const at = value('at');
  if (at) out.push(`at: ${at}`);
  const d = keyAt('details');
  if (d >= 0) {
    const lines = [];
    for (let i = d + 1; i < yaml.length && lines.length < 3; i++) {
      if (yaml[i].trim() === '') continue;
      if (yaml[i].search(/\S/) <= top) break;
      lines.push(clean(yaml[i]));
    }
    if (lines.length) out.push(`details: ${lines.join(' / ')}`);
  }
  return out.map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l));
}

/** Passes a child's stream on to `to` as it comes, and each whole line of it to `onLine`. */
function eachLine(from, to, onLine) {
  let buf = '';
  from.on('data', (chunk) => {
    to.write(chunk);
    buf += chunk.toString('utf8');
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      onLine(line);
    }
  });
}

/** One ava run; its TAP lines are counted into `counts` and `failures`. `pass` is read by ava.config.js. */
function runAva(args, pass, counts, failures, lingering = []) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'node_modules/ava/entrypoints/cli.mjs'), '--tap', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0', VBA_FILE_TIMES: FILE_TIMES, ...(pass ? { VBA_TEST_PASS: pass } : {}) },
    });
    // The failure whose YAML block is being read, and the block's lines so far.
    let failing = null;
    let yaml = null;
    eachLine(child.stdout, process.stdout, (line) => {
      if (failing && yaml === null && /^\s+---\s*$/.test(line)) { yaml = []; return; }
      if (failing && yaml !== null) {
        if (/^\s+\.\.\.\s*$/.test(line)) { failing.why = failureLines(yaml); failing = null; yaml = null; } else yaml.push(line);
        return;
      }
      failing = null;
      const m = /^(not ok|ok) \d+ - (.*)$/.exec(line);
      if (!m) return;
      noteTime(m[2]);
      if (/# SKIP/i.test(m[2])) counts.skipped++;
      else if (/# TODO/i.test(m[2])) counts.todo++;
      else if (m[1] === 'ok') counts.passed++;
      else { counts.failed++; failing = { title: m[2], why: [] }; failures.push(failing); }
    });
    // ava passes the workers' own output on through its stderr: a worker still alive after its tests
    // says so there (test/setup/file-times.mjs), with what holds it.
    eachLine(child.stderr, process.stderr, (line) => {
      const held = /^# (.+) is still running 30 s after its tests ended; (.*)$/.exec(line);
      if (held) lingering.push({ file: held[1], what: held[2] });
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** Each file's wall time from its worker's own record; files whose worker left none keep their results' span. */
function fileWallTimes() {
  const walls = new Map();
  if (!existsSync(FILE_TIMES)) return walls;
  for (const line of readFileSync(FILE_TIMES, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line);
      // "test/campaigns/dialer.test.ts" -> "campaigns › dialer", the name ava's TAP titles start with.
      const rel = r.file.startsWith(root) ? r.file.slice(root.length + 1) : r.file;
      const name = rel.replace(/^test\//, '').replace(/\.test\.ts$/, '').split('/').join(' › ');
      walls.set(name, { seconds: (r.end - r.start) / 1000, file: rel });
    } catch { /* a line cut by a crash */ }
  }
  return walls;
}

/** Runs `fn`, noting its wall time under `name` in `phases`. */
async function timed(phases, name, fn) {
  const start = Date.now();
  try {
    return await fn();
  } finally {
    phases.push({ name, seconds: (Date.now() - start) / 1000 });
  }
}

const args = process.argv.slice(2);
const phases = [];
if (!(await timed(phases, 'peers', () => ensurePeers()))) process.exit(1);
// npm install ran before the C compiler was installed above: build the media workers' native module now
if (!existsSync(join(root, 'media/native/build/udp-batch.node'))) spawnSync(process.execPath, [join(root, 'media/native/build.mjs')], { stdio: 'inherit' });
const checksFailed = args.length > 0 ? [] : await timed(phases, 'typecheck and lint', () => staticChecks(CHECKS));
const counts = { passed: 0, failed: 0, skipped: 0, todo: 0 };
const failures = [];
mkdirSync(join(root, '.tmp'), { recursive: true });
rmSync(FILE_TIMES, { force: true });
// Files named on the command line run in one pass; the whole suite runs in two (see ava.config.js):
// everything else first, then the real-time engine tests on their own.
const passes = args.length > 0 ? [null] : ['main', 'realtime'];
for (const pass of passes) {
  if (pass === 'realtime') process.stdout.write('\n# real-time engine tests (test/engines), one at a time\n');
  const failedBefore = counts.failed;
  const lingering = [];
  const code = await timed(phases, pass ? `${pass} pass` : 'ava', () => runAva(args, pass, counts, failures, lingering));
  // A runner failure that no test line explains (crash, timeout, no tests) still fails the run; a test
  // file whose process outlived its tests (ava's inactivity timeout then ends the run) is named.
  if (code !== 0 && counts.failed === failedBefore) {
    counts.failed++;
    failures.push({
      title: `ava exited with code ${code}${pass ? ` (${pass} pass)` : ''}`,
      why: lingering.map((l) => `${relative(root, l.file)} did not end after its tests: ${l.what}`.slice(0, 600)),
    });
  }
}
for (const name of checksFailed) { counts.failed++; failures.push({ title: name, why: [`see its errors printed under "# ${name}" before the tests`] }); }
if (counts.passed + counts.failed === 0) { counts.failed++; failures.push({ title: 'no test ran', why: [] }); }
writeFileSync(join(root, '.tmp', 'test-summary.json'), JSON.stringify({ ...counts, failures: failures.map((f) => f.title), failureDetails: failures, phases }, null, 2));
// Every file with a worker's record, then the result spans of any file without one (e.g. a worker
// stopped by a timeout). ava names a file relative to the folder all files of its pass share (test/ for
// the main pass, test/engines/ for the real-time one): a file's tests are the titles that start with
// the longest tail of its name.
const walls = fileWallTimes();
const testsOf = (name) => {
  const parts = name.split(' › ');
  for (let k = 0; k < parts.length; k++) {
    const prefix = `${parts.slice(k).join(' › ')} › `;
    const n = titles.filter((t) => t.startsWith(prefix)).length;
    if (n > 0) return n;
  }
  return 0;
};
const spans = [...walls].map(([file, w]) => ({ file, seconds: w.seconds, wall: true, tests: testsOf(file) }));
for (const [file, t] of timing) {
  const tails = (name) => name.split(' › ').map((_, k, parts) => parts.slice(k).join(' › '));
  const same = (s) => tails(s.file).some((n) => n === file || file.startsWith(`${n} › `) || n.startsWith(`${file} › `));
  if (!spans.some(same)) spans.push({ file, seconds: (t.last - t.first) / 1000, wall: false, tests: t.tests });
}
spans.sort((a, b) => b.seconds - a.seconds);
writeFileSync(join(root, '.tmp', 'test-timing.json'), JSON.stringify({ phases, files: spans }, null, 2));
process.stdout.write(`\nphases: ${phases.map((p) => `${p.name} ${p.seconds.toFixed(0)} s`).join(', ')}\n`);
if (spans.length > 0) process.stdout.write(`\nslowest files (wall time of the file's worker, * = first to last result):\n${spans.slice(0, 10).map((s) => `  ${s.seconds.toFixed(1).padStart(6)} s${s.wall ? ' ' : '*'} ${s.file} (${s.tests})`).join('\n')}\n`);
if (failures.length) process.stdout.write(`\nfailed:\n${failures.map((f) => `  - ${f.title}${f.why.map((w) => `\n      ${w}`).join('')}`).join('\n')}\n`);
process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}\n`);
process.exit(counts.failed > 0 ? 1 : 0);

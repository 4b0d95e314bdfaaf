// `npm run bench -- import [--rows N] [--keep]`: imports a generated French spreadsheet export
// (1,000,000 rows, ';', Windows-1252, mixed number formats, ~3% broken numbers, ~1% duplicates) into a
// fresh state folder, in a child process so its peak RSS is the import's alone. Baseline, measured in
// the same run on the same file: decoding + csv-parse only (no normalisation, no insert).
// Target (issue 3): >= 100,000 rows/s with peak RSS <= 200 MB.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, createReadStream } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse';
import { rng } from '../test/support/random.ts';

const here = fileURLToPath(import.meta.url);

interface ChildResult {
  rows: number;
  seconds: number;
  rowsPerSec: number;
  peakRssMB: number;
  /** CPU time of the whole process (all threads). */
  cpuSeconds: number;
  accepted?: number;
  rejected?: number;
  duplicates?: number;
  fastPathPct?: number;
  /** Worker thread (reading, normalising, checkpoints): busy wall time and CPU time. */
  workerSeconds?: number;
  workerCpuSeconds?: number;
  checkpointSeconds?: number;
  /** Main thread: time spent inserting, and the longest single insert (event loop held). */
  insertSeconds?: number;
  maxInsertMs?: number;
  mainCpuSeconds?: number;
  gapSeconds?: number;
}


const LAST = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Lefèvre', 'Gérard', 'Béranger', 'Faure', 'Chévrier'];
const FIRST = ['Élodie', 'Jérôme', 'François', 'Hélène', 'Chloé', 'Noël', 'Zoé', 'Anaïs', 'Loïc', 'Marie', 'Jean', 'Agnès', 'Benoît', 'Cécile', 'Gaëlle'];
const CITY = ['Paris', 'Lyon', 'Marseille', 'Besançon', 'Nîmes', 'Orléans', 'Saint-Étienne', 'Grenoble', 'Angoulême', 'Évry'];

/** A French number as people type it: 06 12 34 56 78, 0612345678, +33 6 12 34 56 78, 0033612345678, 06.12.34.56.78. */
/** Second digits inside allocated mainland ranges (06 9x, 06 3x and 02 62 belong to overseas regions). */
const SECOND: Record<string, string> = { 1: '0123456789', 2: '01234578', 3: '0123456789', 4: '123456789', 5: '012345678', 6: '01245678', 7: '3456789', 9: '0123456789' };

function frenchNumber(r: () => number): string {
  const kind = r();
  const lead = kind < 0.6 ? '6' : kind < 0.75 ? '7' : kind < 0.95 ? String(1 + Math.floor(r() * 5)) : '9';
  const nsn = lead + SECOND[lead][Math.floor(r() * SECOND[lead].length)] + String(Math.floor(r() * 1e7)).padStart(7, '0');
  const f = r();
  if (f < 0.35) return `0${nsn[0]} ${nsn.slice(1, 3)} ${nsn.slice(3, 5)} ${nsn.slice(5, 7)} ${nsn.slice(7)}`;
  if (f < 0.65) return `0${nsn}`;
  if (f < 0.85) return `+33 ${nsn[0]} ${nsn.slice(1, 3)} ${nsn.slice(3, 5)} ${nsn.slice(5, 7)} ${nsn.slice(7)}`;
  if (f < 0.93) return `0033${nsn}`;
  return `0${nsn[0]}.${nsn.slice(1, 3)}.${nsn.slice(3, 5)}.${nsn.slice(5, 7)}.${nsn.slice(7)}`;
}

function brokenNumber(r: () => number): string {
  const nsn = `6${String(Math.floor(r() * 1e8)).padStart(8, '0')}`;
  const k = Math.floor(r() * 5);
  if (k === 0) return '';
  if (k === 1) return `0${nsn.slice(0, 4)} ab ${nsn.slice(4)}`;
  if (k === 2) return `${nsn[0]}.${nsn.slice(1)}E+08`.replace(/0+E/, 'E');
  if (k === 3) return nsn; // the spreadsheet dropped the leading 0
  return `0${nsn.slice(0, 5)}`;
}

async function generate(path: string, rows: number): Promise<void> {
  const r = rng(20240301);
  const out = createWriteStream(path);
  let buf = 'Nom;Prénom;Téléphone;Ville;Code postal;Date consentement;Référence\r\n';
  const recent: string[] = [];
  for (let i = 0; i < rows; i++) {
    const x = r();
    let phone: string;
    if (x < 0.03) phone = brokenNumber(r);
    else if (x < 0.04 && recent.length > 0) phone = recent[Math.floor(r() * recent.length)];
    else {
      phone = frenchNumber(r);
      if (recent.length < 1000) recent.push(phone);
      else recent[Math.floor(r() * 1000)] = phone;
    }
    const day = 1 + Math.floor(r() * 28);
    buf += `${LAST[Math.floor(r() * LAST.length)]};${FIRST[Math.floor(r() * FIRST.length)]};${phone};${CITY[Math.floor(r() * CITY.length)]};` +
      `${String(1000 + Math.floor(r() * 94000)).padStart(5, '0')};${String(day).padStart(2, '0')}/03/2024;R${i}\r\n`;
    if (buf.length > 1 << 16) {
      if (!out.write(iconv.encode(buf, 'windows-1252'))) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(iconv.encode(buf, 'windows-1252'));
  await once(out, 'finish');
}

function runChild(mode: 'baseline' | 'import', file: string, dir: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import=tsx', here, '--child', mode, file, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`${mode} child exited with ${code}: ${out}`));
      else resolve(JSON.parse(last) as ChildResult);
    });
  });
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return Math.round((u.user + u.system) / 1000) / 1000;
}

async function childBaseline(file: string): Promise<ChildResult> {
  const t = performance.now();
  let rows = -1;
  const parser = createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(iconv.decodeStream('windows-1252')).pipe(parse({ delimiter: ';', relax_column_count: true }));
  parser.on('readable', () => {
    while (parser.read() !== null) rows++;
  });
  await once(parser, 'end');
  const seconds = (performance.now() - t) / 1000;
  return { rows, seconds, rowsPerSec: Math.round(rows / seconds), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024), cpuSeconds: cpuSeconds() };
}

async function childImport(file: string, dir: string): Promise<ChildResult> {
  const { openStore } = await import('../appliance/store/db.ts');
  const { importContacts, importStats } = await import('../appliance/contacts/import.ts');
  const db = openStore({ dir });
  const t = performance.now();
  const report = await importContacts(db, file, { list: 'bench', country: 'FR' });
  const seconds = (performance.now() - t) / 1000;
  const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  const count = db.prepare('SELECT COUNT(*) FROM contacts').pluck().get() as number;
  if (count !== report.accepted) throw new Error(`bench: ${count} contacts stored, report says ${report.accepted}`);
  db.close();
  const stats = importStats(report);
  const fast = stats?.fastPathNumbers ?? 0;
  const s2 = (ms: number | undefined): number => Math.round(ms ?? 0) / 1000;
  return {
    rows: report.rows, seconds, rowsPerSec: Math.round(report.rows / seconds), peakRssMB, cpuSeconds: cpuSeconds(),
    accepted: report.accepted, rejected: report.rejected.length, duplicates: report.duplicates,
    fastPathPct: Math.round((1000 * fast) / Math.max(report.rows, 1)) / 10,
    workerSeconds: s2((stats?.runMs ?? 0) - (stats?.waitMs ?? 0)),
    workerCpuSeconds: stats?.workerCpuMs == null ? undefined : s2(stats.workerCpuMs),
    checkpointSeconds: s2(stats?.checkpointMs),
    insertSeconds: s2(stats?.insertMs),
    maxInsertMs: Math.round((stats?.maxInsertMs ?? 0) * 10) / 10,
    mainCpuSeconds: stats?.mainCpuMs == null ? undefined : s2(stats.mainCpuMs),
    gapSeconds: s2(stats?.gapMs),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const [, mode, file, dir] = args;
    const result = mode === 'baseline' ? await childBaseline(file) : await childImport(file, dir);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const rowsArg = args.indexOf('--rows');
  const rows = rowsArg >= 0 ? Number(args[rowsArg + 1]) : 1_000_000;
  const keep = args.includes('--keep');
  const tmp = mkdtempSync(join(tmpdir(), 'bench-import-'));
  try {
    const file = join(tmp, 'contacts-fr.csv');
    const g = performance.now();
    await generate(file, rows);
    process.stderr.write(`generated ${rows} rows (${(statSync(file).size / 1e6).toFixed(1)} MB) in ${((performance.now() - g) / 1000).toFixed(1)} s\n`);
    const baseline = await runChild('baseline', file, '');
    process.stderr.write(`baseline (decode + csv-parse): ${baseline.rowsPerSec} rows/s\n`);
    const imp = await runChild('import', file, join(tmp, 'state'));
    process.stderr.write(`import: ${imp.rowsPerSec} rows/s, peak RSS ${imp.peakRssMB} MB, ${imp.seconds.toFixed(2)} s ` +
      `(worker busy ${imp.workerSeconds} s, CPU ${imp.workerCpuSeconds} s, checkpoints ${imp.checkpointSeconds} s; ` +
      `main thread inserting ${imp.insertSeconds} s, CPU ${imp.mainCpuSeconds} s, longest insert ${imp.maxInsertMs} ms)\n`);
    const line = {
      bench: 'import',
      rows: imp.rows,
      rowsPerSec: imp.rowsPerSec,
      peakRssMB: imp.peakRssMB,
      baselineRowsPerSec: baseline.rowsPerSec,
      baselinePeakRssMB: baseline.peakRssMB,
      ratio: Math.round((100 * imp.rowsPerSec) / baseline.rowsPerSec) / 100,
      seconds: Math.round(imp.seconds * 100) / 100,
      accepted: imp.accepted,
      rejected: imp.rejected,
      duplicates: imp.duplicates,
      fastPathPct: imp.fastPathPct,
      workerSeconds: imp.workerSeconds,
      workerCpuSeconds: imp.workerCpuSeconds,
      checkpointSeconds: imp.checkpointSeconds,
      insertSeconds: imp.insertSeconds,
      maxInsertMs: imp.maxInsertMs,
      mainCpuSeconds: imp.mainCpuSeconds,
      gapSeconds: imp.gapSeconds,
      cpuSeconds: imp.cpuSeconds,
      baselineCpuSeconds: baseline.cpuSeconds,
      loadAverage: Math.round(loadavg()[0] * 100) / 100,
      fileMB: Math.round(statSync(file).size / 1e5) / 10,
      cpus: cpus().length,
      target: { rowsPerSec: 100_000, peakRssMB: 200 },
      pass: imp.rowsPerSec >= 100_000 && imp.peakRssMB <= 200,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } finally {
    if (!keep) rmSync(tmp, { recursive: true, force: true });
    else process.stderr.write(`kept ${tmp}\n`);
  }
}

await main();

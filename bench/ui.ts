// `npm run bench -- ui [--runs N]`: the built web UI's weight and speed on loopback.
// - jsGzipKB: every web-ui/dist/assets/*.js gzipped (level 9), summed;
// - firstLoadMs: the login page from a cold browser context, navigation start to load event (median);
// - dashboardMs: from the login click to the dashboard showing box health and trunks (median);
// - baselineLoadMs: the same browser, cold context, loading the box's /api/openapi.json (median), i.e.
//   what the box and browser cost before any of the UI's own work.
// Targets (issue 6): jsGzipKB <= 250, firstLoadMs < 1000.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestBox } from '../test/support/appliance.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'web-ui', 'dist');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Math.max(1, Number(process.argv[runsArg + 1]) || 7) : 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function ensureBuilt(): void {
  if (existsSync(join(dist, 'index.html'))) return;
  const r = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web-ui/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error('the web UI does not build: run npm run build:ui');
}

function jsGzipBytes(): { raw: number; gz: number; files: number } {
  const assets = join(dist, 'assets');
  let raw = 0;
  let gz = 0;
  let files = 0;
  for (const f of readdirSync(assets).filter((n) => n.endsWith('.js'))) {
    const b = readFileSync(join(assets, f));
    raw += b.length;
    gz += gzipSync(b, { level: 9 }).length;
    files++;
  }
  return { raw, gz, files };
}

async function loadMs(browser: Browser, url: string): Promise<number> {
  const ctx = await browser.newContext({ locale: 'en-GB' });
  try {
    const page = await ctx.newPage();
    await page.goto(url, { waitUntil: 'load' });
    // A string: this runs in the page, and the bench is type-checked without the DOM library.
    return await page.evaluate<number>("(() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime; })()");
  } finally {
    await ctx.close();
  }
}

async function loginToDashboardMs(browser: Browser, base: string, user: string, password: string): Promise<number> {
  const ctx = await browser.newContext({ locale: 'en-GB' });
  try {
    const page: Page = await ctx.newPage();
    await page.goto(`${base}/login`, { waitUntil: 'load' });
    await page.getByLabel('Username').fill(user);
    await page.getByLabel('Password').fill(password);
    const started = Date.now();
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('box-health').waitFor();
    await page.getByTestId('trunks-card').waitFor();
    return Date.now() - started;
  } finally {
    await ctx.close();
  }
}

async function main(): Promise<void> {
  ensureBuilt();
  const js = jsGzipBytes();
  const box = await startTestBox();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const user = 'bench';
    const password = 'bench-password-1';
    const made = await box.api.send('POST', '/api/users', { username: user, password, role: 'admin' });
    if (made.status !== 200 && made.status !== 201) throw new Error(`could not add the bench user: ${made.text}`);
    // One warm-up of each, so the first sample does not pay for the browser's own start-up.
    await loadMs(browser, `${box.base}/api/openapi.json`);
    await loadMs(browser, `${box.base}/login`);
    const baseline: number[] = [];
    const first: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      baseline.push(await loadMs(browser, `${box.base}/api/openapi.json`));
      first.push(await loadMs(browser, `${box.base}/login`));
    }
    const dash: number[] = [];
    for (let i = 0; i < Math.max(3, Math.ceil(RUNS / 2)); i++) dash.push(await loginToDashboardMs(browser, box.base, user, password));
    const round = (x: number): number => Math.round(x * 10) / 10;
    const firstLoadMs = round(median(first));
    const jsGzipKB = round(js.gz / 1024);
    const line = {
      bench: 'ui',
      jsGzipKB,
      jsRawKB: round(js.raw / 1024),
      jsFiles: js.files,
      firstLoadMs,
      firstLoadMaxMs: round(Math.max(...first)),
      dashboardMs: round(median(dash)),
      baselineLoadMs: round(median(baseline)),
      ratio: round(firstLoadMs / Math.max(0.1, median(baseline))),
      runs: RUNS,
      loadAverage: round(loadavg()[0]!),
      cpus: cpus().length,
      target: { jsGzipKB: 250, firstLoadMs: 1000 },
      pass: jsGzipKB <= 250 && firstLoadMs < 1000,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } finally {
    await browser.close();
    await box.stop();
  }
}

await main();

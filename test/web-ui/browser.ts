// Browser test support: Debian's Chromium driven by playwright-core, and a whole box (sandbox trunk)
// with a page logged in. Everything is closed in the test's teardown.
import type { ExecutionContext } from 'ava';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestBox, type TestBox } from '../support/appliance.ts';

export const DIST_INDEX = fileURLToPath(new URL('../../web-ui/dist/index.html', import.meta.url));
export const ARTIFACTS = fileURLToPath(new URL('../artifacts/web-ui/', import.meta.url));

export interface OpenedBrowser {
  page: Page;
  context: BrowserContext;
  browser: Browser;
}

export interface BrowserOptions {
  /** Browser language (default 'en-GB'); the UI picks English or French from it. */
  locale?: string;
  viewport?: { width: number; height: number };
  /** More Chromium flags, e.g. a fake microphone. */
  extraArgs?: string[];
}

export function requireBuiltUi(): void {
  if (!existsSync(DIST_INDEX)) throw new Error('web-ui/dist is missing: run npm run build:ui first');
}

/** Headless Chromium with a fresh profile; closed when the test ends. */
export async function openBrowser(t: ExecutionContext, opts: BrowserOptions = {}): Promise<OpenedBrowser> {
  // chromium.launch gives each browser its own fresh temporary profile (user-data dir), removed on close.
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...(opts.extraArgs ?? [])],
  });
  t.teardown(() => browser.close());
  const context = await browser.newContext({ locale: opts.locale ?? 'en-GB', viewport: opts.viewport ?? { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  return { page, context, browser };
}

export interface UiBox extends OpenedBrowser {
  box: TestBox;
  base: string;
  username: string;
  password: string;
}

/** Logs the page in through the login form (labels in English or French). */
export async function loginPage(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel(/^(Username|Identifiant)$/).fill(username);
  await page.getByLabel(/^(Password|Mot de passe)$/).fill(password);
  await page.getByRole('button', { name: /^(Log in|Se connecter)$/ }).click();
  await page.getByRole('navigation').waitFor();
}

/** Opens a page and waits until it has drawn: its heading, the `ready` test id, and the data it fetches. */
export async function openPage(page: Page, url: string, ready?: string | null): Promise<void> {
  await page.goto(url);
  await page.getByRole('heading', { level: 1 }).waitFor();
  if (ready) await page.getByTestId(ready).waitFor();
  await page.waitForLoadState('networkidle');
}

/**
 * A box on the sandbox trunk (in-process, loopback, ephemeral ports) and a browser page logged in as an
 * admin made for the test (its password is known, unlike the first admin's).
 */
export async function startUiBox(t: ExecutionContext, opts: BrowserOptions & { login?: boolean; box?: Parameters<typeof startTestBox>[0] } = {}): Promise<UiBox> {
  requireBuiltUi();
  const box = await startTestBox(opts.box);
  t.teardown(() => box.stop());
  const username = 'uitest';
  const password = 'ui-test-password-1';
  const made = await box.api.send('POST', '/api/users', { username, password, role: 'admin' });
  if (made.status !== 200 && made.status !== 201) throw new Error(`could not add the test user: ${made.status} ${made.text}`);
  const opened = await openBrowser(t, opts);
  if (opts.login !== false) await loginPage(opened.page, box.base, username, password);
  return { ...opened, box, base: box.base, username, password };
}

/** Where a test saves a screenshot (test/artifacts/web-ui/<name>.png, ignored by git). */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return `${ARTIFACTS}${name}.png`;
}

/** In the page: capture the softphone's remote audio (its <audio> element's stream) at 8 kHz
 * into `window.__heard` (evaluate it once the call is up; false until the remote track is there). */
export const CAPTURE_REMOTE_AUDIO = `(() => {
  const el = document.querySelector('[data-testid="softphone-remote-audio"]');
  if (!el || !el.srcObject) return false;
  const ctx = new AudioContext({ sampleRate: 8000 });
  const src = ctx.createMediaStreamSource(el.srcObject);
  const proc = ctx.createScriptProcessor(1024, 1, 1);
  window.__heard = [];
  proc.onaudioprocess = (ev) => { for (const v of ev.inputBuffer.getChannelData(0)) window.__heard.push(Math.round(v * 32767)); };
  src.connect(proc);
  proc.connect(ctx.destination);
  void ctx.resume();
  return true;
})()`;

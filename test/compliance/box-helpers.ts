// Helpers for the compliance tests that drive a whole box (sandbox trunk, HTTP API): a box whose clock
// starts at a chosen instant and runs at real speed, a recorded message, a campaign, consents, waiting
// for attempts, and logging in again after a restart.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { startTestBox, type ApiClient, type TestBox } from '../support/appliance.ts';

/** A clock that reads `start` when created and then runs at real speed (a restart can carry it on). */
export function clockFrom(start: number): () => number {
  const t0 = Date.now();
  return () => start + (Date.now() - t0);
}

export async function frenchBox(t: ExecutionContext, now: () => number, opts: { dataDir?: string; mix?: string } = {}): Promise<TestBox> {
  const box = await startTestBox({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), now,
    sandbox: { seed: 7, timeScale: 0.1, mix: opts.mix ?? 'listener=1' },
    settings: (s) => { s.compliance.pack = 'fr'; },
  });
  return box;
}

/** A short recording (sox), uploaded; its id. */
export async function uploadMessage(t: ExecutionContext, api: ApiClient): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vba-law-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const wav = join(dir, 'm.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', '0.6', 'sine', '300-900', 'vol', '0.5']);
  const rec = await api.send<{ id: string }>('POST', '/api/recordings?name=offer&filename=m.wav', readFileSync(wav));
  t.is(rec.status, 201, rec.text);
  return rec.body.id;
}

/** Record an express consent (a keypress) given to the seller for marketing calls. */
export async function recordConsent(t: ExecutionContext, api: ApiClient, number: string, seller: string): Promise<void> {
  const r = await api.send('POST', '/api/compliance/consents', {
    number, seller, purpose: 'marketing', method: 'keypress', kind: 'express', givenAt: '2026-02-02T10:00:00Z',
    disclosureText: `Press 1 to agree to automated calls from ${seller}`, disclosureVersion: 'v1', source: 'inbound call',
  });
  t.is(r.status, 201, r.text);
}

/** A campaign on the sandbox trunk, any hour of the campaign's own schedule (the law's window still applies). */
export async function createCampaign(t: ExecutionContext, api: ApiClient, name: string, listId: number, config: Record<string, unknown>): Promise<number> {
  const c = await api.send<{ id: number }>('POST', '/api/campaigns', { name, listId, config: {
    callerId: '+33162000000', trunks: ['sandbox'], amd: false, maxAttempts: 1, ringTimeoutMs: 5000, maxConcurrent: 4, cps: 4,
    schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] }, ...config,
  } });
  t.is(c.status, 201, c.text);
  return c.body.id;
}

/** Wait (real time) until `ready()` holds; fails the test after `ms`. */
export async function until(t: ExecutionContext, what: string, ready: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) {
      t.fail(`timed out waiting for ${what}`);
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An API client logged in as a user of the box (after a restart, the first-start password is gone). */
export async function loginAs(base: string, username: string, password: string): Promise<ApiClient> {
  const r = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrf = ((await r.json()) as { csrfToken: string }).csrfToken;
  const parse = async <T>(res: Response): Promise<{ status: number; body: T; text: string }> => {
    const text = await res.text();
    let body: unknown = text;
    try { body = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, body: body as T, text };
  };
  return {
    get: async (path) => parse(await fetch(base + path, { headers: { cookie } })),
    send: async (method, path, body, headers = {}) => parse(await fetch(base + path, {
      method, headers: { cookie, 'x-csrf-token': csrf, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    })),
  };
}

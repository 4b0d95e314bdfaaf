// Support for the console's tests: a fleet manager (in this process) with its console on a loopback
// port, a console user, a logged-in API client, simulated boxes that answer desired configurations, and
// a client for a real box's HTTP API.
import type { ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { Mosquitto } from '../fleet/mosquitto.ts';
import { FleetManager } from '../../fleet-manager/service.ts';
import { buildConsoleServer } from '../../fleet-manager/http/server.ts';
import { hashPassword } from '../../fleet-manager/http/auth.ts';
import type { Role } from '../../fleet-manager/store/console-store.ts';
import { storageTarget, type StorageKind } from './storages.ts';
import { ROOT } from './procs.ts';

export const CONSOLE_DIST = join(ROOT, 'fleet-manager', 'console', 'dist');
export const PASSWORD = 'console-test-password';

export interface ConsoleRig { broker: Mosquitto; fm: FleetManager; base: string; addUser: (username: string, role: Role) => Promise<void> }

/** mosquitto, a fleet manager on `kind` storage and its console on 127.0.0.1; all ended in teardown. */
export async function consoleRig(t: ExecutionContext, kind: StorageKind, o: { offlineAfterMs?: number; staticDir?: string | null; fleetDir?: string } = {}): Promise<ConsoleRig> {
  if (o.staticDir !== null && !existsSync(join(CONSOLE_DIST, 'index.html'))) throw new Error('fleet-manager/console/dist is missing: run npm run build:console first');
  const broker = await Mosquitto.create();
  const { target, dispose } = await storageTarget(kind);
  const logger = pino({ level: 'warn' });
  const fm = new FleetManager({ db: target, broker: { url: broker.url, clientId: `fm-console-${kind}-${process.pid}` }, logger, tickMs: 500, alerts: { offlineAfterMs: o.offlineAfterMs ?? 300_000 }, brokerAnswerMs: 60_000 });
  await fm.start();
  const http = await buildConsoleServer({ fm, logger, staticDir: o.staticDir === null ? null : CONSOLE_DIST, fleetDir: o.fleetDir ?? null });
  await http.listen({ port: 0, host: '127.0.0.1' });
  const port = (http.server.address() as { port: number }).port;
  t.teardown(async () => {
    await http.close();
    await fm.stop();
    await broker.dispose();
    await dispose();
  });
  return { broker, fm, base: `http://127.0.0.1:${port}`, addUser: async (u, role) => { await fm.console!.putUser(u, role, await hashPassword(PASSWORD)); } };
}

export interface Api { status: number; body: Record<string, unknown>; text: string }

/** A logged-in client of the console's API (cookie and CSRF token). */
export async function consoleLogin(base: string, username: string, password = PASSWORD): Promise<{ req: (method: string, path: string, body?: unknown, o?: { csrf?: boolean }) => Promise<Api> }> {
  const r = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (r.status !== 200) throw new Error(`console login ${username}: ${r.status} ${await r.text()}`);
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = await r.json() as { csrfToken: string };
  return {
    req: async (method, path, body, o = {}) => {
      const res = await fetch(base + path, { method, headers: { cookie, ...(o.csrf === false ? {} : { 'x-csrf-token': csrfToken }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await res.text();
      let parsed: Record<string, unknown> = {};
      try { parsed = JSON.parse(text) as Record<string, unknown>; } catch { /* not JSON */ }
      return { status: res.status, body: parsed, text };
    },
  };
}

/**
 * A simulated box speaking the wire contract: a birth status with a last will, and an answer to each
 * desired configuration it receives (applied, or rejected when `rejects`). Keeps what it received.
 */
export class SimBox {
  readonly desired: Array<{ version: number; settings: unknown }> = [];
  private constructor(readonly boxId: string, private readonly client: MqttClient) {}

  static async start(url: string, boxId: string, o: { rejects?: string } = {}): Promise<SimBox> {
    const status = `fleet/v1/${boxId}/status`;
    const client = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: boxId, clean: true, reconnectPeriod: 0,
      will: { topic: status, payload: Buffer.from(JSON.stringify({ online: false, boxId, runId: 'sim-run' })), qos: 1, retain: true } });
    const box = new SimBox(boxId, client);
    client.on('message', (topic, payload) => {
      if (topic !== `fleet/v1/${boxId}/config/desired`) return;
      const doc = JSON.parse(payload.toString()) as { version: number; settings: unknown };
      box.desired.push(doc);
      const report = o.rejects
        ? { version: doc.version, status: 'rejected', reason: o.rejects, appliedVersion: 0, at: new Date().toISOString() }
        : { version: doc.version, status: 'applied', reason: null, appliedVersion: doc.version, at: new Date().toISOString() };
      client.publish(`fleet/v1/${boxId}/config/reported`, JSON.stringify(report), { qos: 1, retain: true });
    });
    await client.subscribeAsync(`fleet/v1/${boxId}/config/desired`, { qos: 1 });
    const now = new Date().toISOString();
    await client.publishAsync(status, JSON.stringify({ online: true, boxId, bootId: 'sim-boot', runId: 'sim-run', version: '0.1.0-sim', configVersion: 0, startedAt: now, connectedAt: now }), { qos: 1, retain: true });
    return box;
  }

  /** One telemetry sample, shaped as a box's (appliance/fleet/README.md). */
  async telemetry(at: Date, o: { cpuPct: number; temperatureC: number; activeCalls: number; diskPct?: number }): Promise<void> {
    await this.client.publishAsync(`fleet/v1/${this.boxId}/telemetry`, JSON.stringify({
      boxId: this.boxId, at: at.toISOString(), cpu: { loadPct: o.cpuPct, load1: 0.3, temperatureC: o.temperatureC }, memory: { totalBytes: 4e9, availableBytes: 2e9, usedPct: 50 },
      disk: [{ mount: '/', sizeBytes: 32e9, usedBytes: 8e9, usedPct: o.diskPct ?? 25 }], uptimeSec: 100, network: null, activeCalls: o.activeCalls,
      trunks: [{ name: 'sandbox', health: 'up', registered: true, channelsInUse: 0, channels: 4, lastError: null }],
      campaigns: [{ id: 3, name: 'Reminders', status: 'running', counters: {} }], engine: { name: 'embedded', servers: null }, clock: { synchronized: true, required: false, detail: null },
    }), { qos: 1 });
  }

  end(): Promise<void> {
    return this.client.endAsync(true);
  }
}

/** A real box's HTTP API as its admin (JSON, or raw bytes for uploads). */
export class BoxApi {
  private constructor(readonly base: string, private readonly cookie: string, private readonly csrf: string) {}

  static async login(base: string, password: string): Promise<BoxApi> {
    const r = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    if (r.status !== 200) throw new Error(`box login on ${base}: ${r.status} ${await r.text()}`);
    const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
    const { csrfToken } = await r.json() as { csrfToken: string };
    return new BoxApi(base, cookie, csrfToken);
  }

  async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const raw = Buffer.isBuffer(body);
    const r = await fetch(this.base + path, {
      method, headers: { cookie: this.cookie, 'x-csrf-token': this.csrf, ...(body === undefined ? {} : { 'content-type': raw ? 'application/octet-stream' : 'application/json' }) },
      ...(body === undefined ? {} : { body: raw ? body : JSON.stringify(body) }),
    });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${path} on ${this.base}: ${r.status} ${text}`);
    return JSON.parse(text) as T;
  }
}

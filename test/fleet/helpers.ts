// In-process boxes for the fleet tests: a fleet agent on a state folder (SQLite and a settings
// file), a stand-in campaign service that records what it was asked, and a fleet-side requester.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { ExecutionContext } from 'ava';
import { openStore, type Db } from '../../appliance/store/db.ts';
import { SettingsStore } from '../../appliance/config/settings.ts';
import { silentLogger } from '../../core/log.ts';
import { AppError } from '../../core/errors.ts';
import { FleetAgent, type CampaignPort } from '../../appliance/fleet/agent.ts';
import type { CommandAnswer } from '../../appliance/fleet/command.ts';
import { Mosquitto, fleetClient, waitFor } from './mosquitto.ts';

export class FakeCampaigns implements CampaignPort {
  readonly calls: string[] = [];
  private act(what: string, id: number): { id: number; status: string } {
    this.calls.push(`${what}:${id}`);
    if (id === 404) throw new AppError('E_NOT_FOUND', `no campaign ${id}`);
    return { id, status: what };
  }
  start(id: number): unknown { return this.act('start', id); }
  pause(id: number): unknown { return this.act('pause', id); }
  resume(id: number): unknown { return this.act('resume', id); }
  stop(id: number): unknown { return this.act('stop', id); }
  report(id: number): unknown { return { ...this.act('report', id), attempts: 12 }; }
  list(): Array<{ id: number; name: string; status: string; counters: Record<string, number> }> {
    return [{ id: 7, name: 'Reminders', status: 'running', counters: { pending: 3, done: 9 } }, { id: 8, name: 'Old', status: 'completed', counters: {} }];
  }
}

export class TestBox {
  readonly dir = mkdtempSync(join(tmpdir(), 'fleet-agent-'));
  readonly db: Db = openStore({ dir: this.dir });
  readonly store = new SettingsStore(SettingsStore.pathIn(this.dir));
  readonly campaigns = new FakeCampaigns();
  agent: FleetAgent | null = null;

  constructor(readonly url: string, readonly boxId: string) {}

  async start(extra: { telemetryIntervalMs?: number } = {}): Promise<FleetAgent> {
    await this.store.load({ env: {} });
    await this.store.update((s) => { s.fleet = { enabled: true, url: this.url, boxId: this.boxId }; });
    const agent = new FleetAgent({
      db: this.db,
      settings: () => this.store.get(),
      updateSettings: (change) => this.store.update(change),
      logger: silentLogger(),
      boxId: this.boxId,
      version: '1.2.3',
      campaigns: this.campaigns,
      dataDir: this.dir,
      trunks: () => [{ name: 'ovh', kind: 'sip', health: 'up', registered: true, channelsInUse: 2, channels: 10, lastError: null, lastOptionsRttMs: 12 }],
      activeCalls: () => 2,
      engine: () => ({ name: 'drachtio', servers: { drachtio: true, freeswitch: false } }),
      clock: () => ({ synchronized: false, required: true, detail: 'the system clock is not synchronised (NTP)' }),
      reconnectMs: 200,
      outboxPollMs: 50,
      ...extra,
    });
    this.agent = agent;
    await agent.start();
    await waitFor(() => agent.connected, 10_000, 'the agent to connect');
    return agent;
  }

  async stopAgent(): Promise<void> {
    await this.agent?.stop();
    this.agent = null;
  }

  async dispose(): Promise<void> {
    await this.stopAgent();
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Fleet side: send commands with a response topic and correlation data, collect the answers. */
export class Requester {
  /** In the box's own namespace: a box answers nowhere else. */
  readonly replyTopic: string;
  readonly answers = new Map<string, CommandAnswer[]>();

  constructor(private readonly fleet: MqttClient, private readonly boxId: string) {
    this.replyTopic = `fleet/v1/${boxId}/cmd/response/${randomUUID()}`;
    fleet.on('message', (topic, payload, packet) => {
      if (topic !== this.replyTopic) return;
      const key = packet.properties?.correlationData?.toString() ?? '(none)';
      const list = this.answers.get(key) ?? [];
      list.push(JSON.parse(payload.toString()) as CommandAnswer);
      this.answers.set(key, list);
    });
  }

  async ready(): Promise<void> {
    await this.fleet.subscribeAsync(this.replyTopic, { qos: 1 });
  }

  /** Publish one command; `correlation` names the request (several requests may share a command id). */
  async send(correlation: string, body: unknown): Promise<void> {
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    await this.fleet.publishAsync(`fleet/v1/${this.boxId}/cmd`, payload, { qos: 1, properties: { responseTopic: this.replyTopic, correlationData: Buffer.from(correlation) } });
  }

  async answer(correlation: string, timeoutMs = 10_000): Promise<CommandAnswer> {
    await waitFor(() => (this.answers.get(correlation)?.length ?? 0) > 0, timeoutMs, `the answer to ${correlation}`);
    return this.answers.get(correlation)![0]!;
  }
}

export const inAnHour = (): string => new Date(Date.now() + 3_600_000).toISOString();

/**
 * A broker on a free loopback port, a box agent (not started unless asked) and a fleet-side requester,
 * all torn down with the test.
 */
export async function fleetSetup(t: ExecutionContext, boxId: string, o: { start?: boolean } = {}): Promise<{ broker: Mosquitto; box: TestBox; fleet: MqttClient; req: Requester }> {
  const broker = await Mosquitto.create();
  const box = new TestBox(broker.url, boxId);
  const fleet = await fleetClient(broker.url, `fleet-${boxId}`);
  const req = new Requester(fleet, boxId);
  await req.ready();
  t.teardown(async () => {
    await box.dispose();
    await fleet.endAsync(true);
    await broker.dispose();
  });
  if (o.start) await box.start();
  return { broker, box, fleet, req };
}

// The fleet MQTT agent (MQTT 5): retained status with a last will and a birth message on every
// connect, periodic telemetry, the event outbox, commands with answers on their response topic,
// and desired/reported configuration. The box runs the same whether or not the broker is reachable.
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../store/db.ts';
import type { Settings } from '../../core/settings-types.ts';
import type { Logger } from '../../core/log.ts';
import type { TrunkStatus } from '../../core/call-port.ts';
import { fleetTopics, type FleetTopics } from '../../core/fleet-topics.ts';
import { OutboxPump } from './outbox-pump.ts';
import { TelemetryCollector, type CampaignCounters, type EngineStatus } from './telemetry.ts';
import type { ClockStatus } from '../system/clock.ts';
import { kernelBootId } from '../system/process-mark.ts';
import { DesiredConfig, type UpdateSettings } from './desired-config.ts';
import { CommandRunner, type CampaignPort } from './command-runner.ts';
import type { TlsPort } from '../actions/action.ts';
import { commandIdOf } from './command.ts';
import { auditHead } from '../store/compliance-audit-repo.ts';
import { recordAcknowledgedHead } from '../store/audit-key.ts';
import { appendEvent } from '../store/outbox-repo.ts';

export type { CampaignPort } from './command-runner.ts';

export interface FleetAgentDeps {
  db: Db;
  settings: () => Settings;
  logger: Logger;
  boxId: string;
  version: string;
  campaigns?: CampaignPort;
  trunks?: () => TrunkStatus[];
  activeCalls?: () => number;
  /** Engine name and server links, and the clock's synchronisation state, for telemetry and status. */
  engine?: () => EngineStatus;
  clock?: () => ClockStatus;
  /** SettingsStore.update, for desired configuration; without it every desired document is rejected. */
  updateSettings?: UpdateSettings;
  now?: () => number;
  /** State folder: list.import downloads go to <dataDir>/imports; without it list.import is refused. */
  dataDir?: string;
  /** The web UI's certificate, for the certificate commands (absent while HTTPS is off). */
  tls?: TlsPort;
  /** Tuning (tests use short values). */
  reconnectMs?: number;
  outboxPollMs?: number;
  telemetryIntervalMs?: number;
  /** How often temperature, disk and the default interface are measured again (default 60 s). */
  telemetrySlowEveryMs?: number;
  /** How often the audit chain's head is published when it moved (`audit.head` event; default 15 min). */
  auditHeadIntervalMs?: number;
}

export class FleetAgent {
  readonly name = 'fleet';
  readonly topics: FleetTopics;
  private client: MqttClient | null = null;
  private readonly pump: OutboxPump;
  private readonly desired: DesiredConfig;
  private readonly runner: CommandRunner;
  private readonly now: () => number;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly runId = randomUUID();
  private readonly bootId = kernelBootId() ?? randomUUID();
  private startedAt = 0;
  private telemetryBusy = false;
  private lastAuditHead: string | null = null;
  private warnedOffline = false;
  private readonly telemetry: TelemetryCollector;

  constructor(private readonly deps: FleetAgentDeps) {
    this.now = deps.now ?? Date.now;
    this.topics = fleetTopics(deps.boxId);
    this.pump = new OutboxPump({
      db: deps.db, client: () => this.client, boxId: deps.boxId, topic: this.topics.events, logger: deps.logger,
      // The broker holds this head now: kept beside the audit key, so a later cut or rewrite shows.
      onAcknowledged: (ev) => {
        if (ev.type === 'audit.head' && Number.isSafeInteger(ev.payload.seq) && typeof ev.payload.hash === 'string') {
          recordAcknowledgedHead(deps.db, { seq: ev.payload.seq as number, hash: ev.payload.hash }, this.now());
        }
      },
    });
    this.desired = new DesiredConfig(deps.db, deps.updateSettings, this.now);
    this.telemetry = new TelemetryCollector({ trunks: deps.trunks, activeCalls: deps.activeCalls, engine: deps.engine, clock: deps.clock, campaigns: () => runningCampaigns(deps.campaigns), now: this.now }, deps.telemetrySlowEveryMs);
    this.runner = new CommandRunner({
      db: deps.db, campaigns: deps.campaigns, desired: this.desired, now: this.now, logger: deps.logger,
      onReported: (r) => this.publishJson(this.topics.reported, r, true),
      country: () => deps.settings().box.country,
      allowLinkLocal: () => deps.settings().fleet.allowLinkLocalImports === true,
      ...(deps.updateSettings ? { settings: { stored: deps.settings, update: deps.updateSettings } } : {}),
      ...(deps.dataDir ? { workDir: join(deps.dataDir, 'imports') } : {}),
      ...(deps.tls ? { tls: deps.tls } : {}),
    });
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async start(): Promise<void> {
    const fleet = this.deps.settings().fleet;
    if (!fleet.enabled || !fleet.url) {
      this.deps.logger.info('fleet agent off (fleet.enabled is false or fleet.url is not set)');
      return;
    }
    this.startedAt = this.now();
    this.runner.prune((fleet.sessionExpiryDays ?? 7) * 86_400_000 * 2);
    this.runner.recover();
    let client: MqttClient;
    try {
      client = mqtt.connect(fleet.url, this.clientOptions(fleet));
    } catch (e) {
      // A bad URL or an unreadable certificate must not keep the box from dialling.
      this.deps.logger.error({ err: (e as Error).message }, 'fleet agent off: cannot set up the broker connection');
      return;
    }
    // Our handler decides when an incoming QoS 1 message is acknowledged: only once the command was
    // carried out and its answer remembered, so a crash in between means redelivery, not loss.
    client.handleMessage = (packet, done) => {
      this.onMessage(packet).then(() => done(), (e: unknown) => {
        this.deps.logger.error({ err: (e as Error).message, topic: packet.topic }, 'fleet message handling failed');
        done();
      });
    };
    client.on('connect', (connack) => {
      this.warnedOffline = false;
      this.pump.limitTo(connack.properties?.receiveMaximum);
      this.onConnect(connack.sessionPresent);
    });
    client.on('close', () => this.deps.logger.debug('fleet broker connection closed'));
    client.on('error', (e) => {
      // Once per outage at warn: a broker away for hours would otherwise fill the log.
      if (this.warnedOffline) this.deps.logger.debug({ err: e.message }, 'fleet broker error');
      else this.deps.logger.warn({ err: e.message }, 'fleet broker unreachable or refusing; retrying');
      this.warnedOffline = true;
    });
    this.client = client;
    this.timers.push(setInterval(() => this.pump.pump(), this.deps.outboxPollMs ?? 1000));
    const telemetryMs = this.deps.telemetryIntervalMs ?? (fleet.telemetryIntervalSec ?? 10) * 1000;
    this.timers.push(setInterval(() => void this.sendTelemetry(), telemetryMs));
    this.publishAuditHead();
    this.timers.push(setInterval(() => this.publishAuditHead(), this.deps.auditHeadIntervalMs ?? 15 * 60_000));
  }

  /** The audit chain's head and length as an outbox event, when it moved since the last one this run. */
  private publishAuditHead(): void {
    try {
      const head = auditHead(this.deps.db);
      if (!head) return;
      const mark = `${head.seq}:${head.hash}`;
      if (mark === this.lastAuditHead) return;
      appendEvent(this.deps.db, 'audit.head', { seq: head.seq, count: head.seq, hash: head.hash, at: new Date(this.now()).toISOString() }, this.now());
      this.lastAuditHead = mark;
      this.pump.pump();
    } catch (e) {
      this.deps.logger.error({ err: (e as Error).message }, 'cannot publish the audit head');
    }
  }

  /** Call after appending to the outbox to publish at once instead of at the next poll. */
  notify(): void {
    this.pump.pump();
  }

  private clientOptions(fleet: Settings['fleet']): IClientOptions {
    const offline = JSON.stringify({ online: false, boxId: this.deps.boxId, runId: this.runId });
    return {
      protocolVersion: 5,
      clientId: `box-${this.deps.boxId}`,
      clean: false,
      properties: { sessionExpiryInterval: (fleet.sessionExpiryDays ?? 7) * 86_400 },
      will: { topic: this.topics.status, payload: Buffer.from(offline), qos: 1, retain: true },
      reconnectPeriod: this.deps.reconnectMs ?? 5000,
      connectTimeout: 10_000,
      resubscribe: false,
      ...(fleet.username ? { username: fleet.username } : {}),
      ...(fleet.password ? { password: fleet.password } : {}),
      ...(fleet.tls?.ca ? { ca: readFileSync(fleet.tls.ca) } : {}),
      ...(fleet.tls?.cert ? { cert: readFileSync(fleet.tls.cert) } : {}),
      ...(fleet.tls?.key ? { key: readFileSync(fleet.tls.key) } : {}),
    };
  }

  private onConnect(sessionPresent: boolean): void {
    const client = this.client;
    if (!client) return;
    this.deps.logger.info({ sessionPresent }, 'fleet broker connected');
    // Subscribing again on a kept session is harmless and brings the retained desired document.
    client.subscribe([this.topics.cmd, this.topics.desired], { qos: 1 }, (err) => {
      if (err) this.deps.logger.warn({ err: err.message }, 'fleet subscribe failed');
    });
    this.publishJson(this.topics.status, {
      online: true,
      boxId: this.deps.boxId,
      bootId: this.bootId,
      runId: this.runId,
      version: this.deps.version,
      configVersion: this.desired.appliedVersion(),
      engine: this.deps.engine?.() ?? null,
      clock: this.deps.clock?.() ?? null,
      startedAt: new Date(this.startedAt).toISOString(),
      connectedAt: new Date(this.now()).toISOString(),
    }, true);
    this.pump.pump();
  }

  private async onMessage(packet: IPublishPacket): Promise<void> {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    if (packet.topic === this.topics.cmd) {
      const responseTopic = packet.properties?.responseTopic ?? this.topics.cmdResponse;
      const correlationData = packet.properties?.correlationData;
      if (!isOwnResponseTopic(responseTopic, this.topics.cmdResponse)) {
        // Answering anywhere we are told would make the box a relay into other boxes' or the manager's
        // topics; the broker ACL forbids it too. Refused, not run, and said on our own response topic.
        this.deps.logger.warn({ responseTopic: responseTopic.slice(0, 200) }, 'fleet command refused: response topic outside the box\'s namespace');
        const answer = { data: { code: 'E_FLEET_COMMAND' }, status: 'error', transaction: commandIdOf(safeParse(payload)),
          error: `response topic "${responseTopic.slice(0, 200)}" is outside this box's namespace (${this.topics.cmdResponse} or below it); the command was not run` };
        this.client?.publish(this.topics.cmdResponse, JSON.stringify(answer), { qos: 1, ...(correlationData ? { properties: { correlationData } } : {}) });
        return;
      }
      // Later messages of a long command (list.import progress and its end) go to the same place.
      const reply = (later: unknown, final: boolean): void => {
        this.client?.publish(responseTopic, JSON.stringify(later), { qos: final ? 1 : 0, ...(correlationData ? { properties: { correlationData } } : {}) });
      };
      const { answer } = await this.runner.handle(payload, reply);
      // Not awaited: waiting for our own PUBACK here would stall the incoming stream it arrives on.
      this.client?.publish(responseTopic, JSON.stringify(answer), { qos: 1, ...(correlationData ? { properties: { correlationData } } : {}) });
    } else if (packet.topic === this.topics.desired) {
      if (payload.length === 0) return; // the retained document was cleared
      let raw: unknown;
      try {
        raw = JSON.parse(payload.toString('utf8'));
      } catch {
        raw = null;
      }
      // The retained document has no command id: the audit log names its topic as the actor. Prototype
      // keys are refused by apply() with the field named, before any merge.
      const { report, changed } = await this.runner.applyDesired({ door: 'fleet', commandId: 'config/desired' }, raw);
      if (changed) {
        this.deps.logger.info({ version: report.version, status: report.status, reason: report.reason }, 'desired configuration');
        this.publishJson(this.topics.reported, report, true);
      }
    }
  }

  private publishJson(topic: string, body: unknown, retain: boolean): void {
    this.client?.publish(topic, JSON.stringify(body), { qos: 1, retain }, (err) => {
      if (err) this.deps.logger.debug({ topic, err: err.message }, 'fleet publish not acknowledged');
    });
  }

  private async sendTelemetry(): Promise<void> {
    if (!this.client?.connected || this.telemetryBusy) return;
    this.telemetryBusy = true;
    try {
      const t = await this.telemetry.collect();
      this.client?.publish(this.topics.telemetry, JSON.stringify({ boxId: this.deps.boxId, ...t }), { qos: 0 });
    } catch (e) {
      this.deps.logger.debug({ err: (e as Error).message }, 'telemetry skipped');
    } finally {
      this.telemetryBusy = false;
    }
  }

  /** Says goodbye (retained offline status) when connected, then closes; events left stay in the outbox. */
  async stop(): Promise<void> {
    await this.runner.stop();
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    const client = this.client;
    this.client = null;
    if (!client) return;
    const connected = client.connected;
    if (connected) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2000);
        client.publish(this.topics.status, JSON.stringify({ online: false, boxId: this.deps.boxId, runId: this.runId, at: new Date(this.now()).toISOString() }), { qos: 1, retain: true }, () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 3000);
      client.end(!connected, {}, () => {
        clearTimeout(t);
        resolve();
      });
    });
    client.removeAllListeners();
    client.on('error', () => { /* closed: late socket errors are of no interest */ });
    this.pump.reset();
  }
}

/** A response topic in the box's own namespace: its cmd/response topic or a level below it, no wildcards. */
export function isOwnResponseTopic(topic: string, cmdResponse: string): boolean {
  return (topic === cmdResponse || topic.startsWith(`${cmdResponse}/`)) && !/[#+\u0000]/.test(topic);
}

function safeParse(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return null;
  }
}

export function runningCampaigns(campaigns: CampaignPort | undefined): CampaignCounters[] {
  if (!campaigns?.list) return [];
  return campaigns.list()
    .filter((c) => c.status === 'running' || c.status === 'paused')
    .map((c) => ({ id: c.id, name: c.name, status: c.status, counters: { ...c.counters } }));
}

// The fleet manager's composition root: storage, the broker connection, ingest, the command sender
// and the periodic jobs (alerts, resends, telemetry roll-up). start() in that order, stop() in reverse.
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { fleetTopics } from '../core/fleet-topics.ts';
import type { CommandBody } from '../core/fleet-wire.ts';
import { connectBroker, subscriptions, type BrokerOptions } from './broker.ts';
import { Ingest } from './ingest.ts';
import { FleetStore, DEFAULT_ALERTS, type AlertPolicy } from './store/fleet-store.ts';
import { redact } from './store/sql.ts';
import type { BatchResult, Delivery } from './store/ingest-tx.ts';
import type { Inbound } from './inbound.ts';
import { Rollouts, type DesiredPublish } from './rollout.ts';
import { ConsoleStore } from './store/console-store.ts';

export interface FleetManagerOptions {
  /** A PGlite folder, or a postgres:// URL. */
  db: string;
  broker: Omit<BrokerOptions, 'clientId' | 'group'> & { clientId?: string; group?: string };
  logger: Logger;
  alerts?: Partial<AlertPolicy>;
  /** How often the periodic jobs run (alerts, stale commands). */
  tickMs?: number;
  /** An unanswered command to an online box is sent again after this long. */
  resendAfterMs?: number;
  onCommitted?: (items: Inbound[], committedAt: number) => void;
  /** False: resume the session without subscribing (retiring an instance: `leave`). */
  subscribe?: boolean;
  /** start() fails when the broker has not answered within this long (default 15 s). */
  brokerAnswerMs?: number;
}

export class FleetManager {
  store: FleetStore | null = null;
  client: MqttClient | null = null;
  ingest: Ingest | null = null;
  rollouts: Rollouts | null = null;
  console: ConsoleStore | null = null;
  private timers: NodeJS.Timeout[] = [];
  private lastRollup = 0;
  /** The periodic pass in flight, awaited by stop() before the storage closes. */
  private pass: Promise<void> | null = null;

  /** Stable across restarts in production (it names the persistent session); random only when not given. */
  readonly clientId: string;

  constructor(private readonly opts: FleetManagerOptions) {
    this.clientId = opts.broker.clientId ?? `fleet-manager-${randomUUID().slice(0, 8)}`;
  }

  async start(): Promise<void> {
    const { logger } = this.opts;
    this.store = await FleetStore.open(this.opts.db);
    logger.info({ storage: this.store.sql.kind, db: redact(this.opts.db) }, 'fleet storage ready');
    this.rollouts = new Rollouts(this.store.sql);
    this.console = new ConsoleStore(this.store.sql);
    const group = this.opts.broker.group ?? 'fleet-manager';
    const client = connectBroker({ ...this.opts.broker, clientId: this.clientId, group });
    this.client = client;
    client.on('error', (e) => logger.warn({ err: e.message }, 'broker connection error'));
    client.on('offline', () => logger.warn('broker offline; reconnecting'));
    this.ingest = new Ingest({ client, store: this.store, logger, onBatch: (r) => this.afterBatch(r), ...(this.opts.onCommitted ? { onCommitted: this.opts.onCommitted } : {}) });
    this.ingest.start();
    await new Promise<void>((resolve, reject) => {
      const ms = this.opts.brokerAnswerMs ?? 15_000;
      const t = setTimeout(() => reject(new Error(`no answer from the broker at ${this.opts.broker.url} within ${ms / 1000} s`)), ms);
      client.once('connect', () => { clearTimeout(t); resolve(); });
    });
    if (this.opts.subscribe !== false) {
      const granted = await client.subscribeAsync(subscriptions(group), { qos: 1 });
      const refused = granted.filter((g) => g.qos > 2);
      if (refused.length > 0) throw new Error(`the broker refused the subscriptions ${refused.map((g) => g.topic).join(', ')} (check its ACL for this client)`);
    }
    const tick = this.opts.tickMs ?? 5000;
    this.timers.push(setInterval(() => {
      if (this.pass) return; // a slow pass is not stacked with the next one
      this.pass = this.periodic().finally(() => { this.pass = null; });
    }, tick));
    logger.info({ broker: this.opts.broker.url, group, clientId: this.clientId }, 'fleet manager started');
  }

  /**
   * `leave`: this instance is going away for good. mosquitto keeps handing shared-subscription messages
   * to an offline member's persistent session, so a member that just disconnects would hoard its share
   * until the session expires: unsubscribe and end the session instead.
   */
  async stop(o: { leave?: boolean } = {}): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.pass;
    const leaving = o.leave === true && this.client?.connected === true;
    // Leaving: no new messages first, then commit (and acknowledge) what came, then end the session.
    if (leaving) await this.unsubscribe().catch(() => undefined);
    if (this.ingest) {
      await this.ingest.drained(leaving ? 30_000 : 5000);
      if (leaving) await new Promise((r) => setTimeout(r, 200)); // the last PUBACKs leave the socket
      this.ingest.stop();
    }
    if (leaving) await this.client!.endAsync(false, { properties: { sessionExpiryInterval: 0 } }).catch(() => undefined);
    await this.client?.endAsync().catch(() => undefined);
    await this.store?.close();
    this.client = null;
    this.store = null;
    this.rollouts = null;
    this.console = null;
  }

  /** Takes this instance out of the share group (what its session already holds still arrives). */
  async unsubscribe(): Promise<void> {
    await this.client?.unsubscribeAsync(Object.keys(subscriptions(this.opts.broker.group ?? 'fleet-manager')));
  }

  /** Queue a command for boxes and publish it (the CLI's and the console's door). */
  async command(boxIds: string[], type: string, data: unknown, o: { id?: string; ttlMs?: number } = {}): Promise<string> {
    const id = o.id ?? `fm-${randomUUID()}`;
    const ds = await this.store!.queueCommand(id, boxIds, type, data, o.ttlMs ?? 3_600_000);
    this.publish(ds);
    return id;
  }

  /** Starts a staged rollout of a desired configuration to a group's boxes (the console's door). */
  async startRollout(group: string, boxIds: string[], settings: Record<string, unknown>, by: string): Promise<{ rollout: number; version: number }> {
    const r = await this.rollouts!.create(group, boxIds, settings, by);
    this.publishDesired(r.first);
    return { rollout: r.rollout, version: r.version };
  }

  /** The retained desired document of each box (a box that connects later still gets it). */
  private publishDesired(ps: DesiredPublish[]): void {
    for (const p of ps) {
      this.client?.publish(fleetTopics(p.boxId).desired, JSON.stringify({ version: p.version, settings: p.settings }), { qos: 1, retain: true }, (err) => {
        if (err) this.opts.logger.warn({ boxId: p.boxId, err: err.message }, 'cannot publish a desired configuration');
      });
    }
    if (ps.length > 0) this.opts.logger.info({ boxes: ps.map((p) => p.boxId), version: ps[0]!.version }, 'desired configuration published (rollout step)');
  }

  private afterBatch(r: BatchResult): void {
    if (r.toSend.length > 0) this.publish(r.toSend);
    for (const boxId of r.births) {
      // A box said hello: whatever it has not answered goes again (same ids: it runs each once).
      void this.store?.openDeliveries(boxId).then((ds) => this.publish(ds), (e: Error) => this.opts.logger.error({ err: e.message, boxId }, 'cannot read commands for a box'));
    }
  }

  private publish(ds: Delivery[]): void {
    const client = this.client;
    if (!client || ds.length === 0) return;
    let left = ds.length;
    const sent: Delivery[] = [];
    for (const d of ds) {
      const topics = fleetTopics(d.boxId);
      const body: CommandBody = { id: d.commandId, expiresAt: d.expiresAt, type: d.type, data: d.data };
      client.publish(topics.cmd, JSON.stringify(body), { qos: 1, properties: { responseTopic: topics.cmdResponse, correlationData: Buffer.from(d.commandId) } }, (err) => {
        if (!err) sent.push(d);
        left -= 1;
        if (left === 0) void this.store?.markSent(sent).catch((e: Error) => this.opts.logger.warn({ err: e.message }, 'cannot mark commands sent'));
      });
    }
    this.opts.logger.debug({ commands: ds.length }, 'commands published');
  }

  private async periodic(): Promise<void> {
    const store = this.store;
    if (!store) return;
    try {
      await store.checkAlerts({ ...DEFAULT_ALERTS, ...this.opts.alerts });
      this.publish(await store.staleDeliveries(this.opts.resendAfterMs ?? 60_000));
      if (this.rollouts) this.publishDesired(await this.rollouts.advance());
      if (Date.now() - this.lastRollup > 3_600_000) {
        this.lastRollup = Date.now();
        const n = await store.downsample();
        if (n > 0) this.opts.logger.info({ rows: n }, 'telemetry older than a day rolled up');
      }
    } catch (e) {
      this.opts.logger.error({ err: (e as Error).message }, 'fleet periodic job failed');
    }
  }
}

// The fleet manager's MQTT 5 connection: a persistent session (what was not acknowledged comes back
// after a restart), shared subscriptions for the heavy streams so that several instances split them,
// and plain ones for the retained statuses and reports (a shared subscription gets no retained copy).
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient, type IPublishPacket } from 'mqtt';
import { INBOUND_FILTERS } from '../core/fleet-topics.ts';

export interface BrokerOptions {
  url: string;
  /** PEM files for mqtts://: the fleet CA, and this manager's client certificate and key. */
  tls?: { ca: string; cert: string; key: string };
  /** MQTT client id; each instance needs its own, stable across restarts (its session). */
  clientId: string;
  /** The shared-subscription group every instance of one fleet joins. */
  group: string;
  /** Unacknowledged QoS 1 messages the broker may have in flight to us (we acknowledge after commit). */
  receiveMaximum?: number;
  sessionExpirySec?: number;
}

export function subscriptions(group: string): Record<string, { qos: 0 | 1 }> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(group)) throw new Error(`shared subscription group "${group}": letters, digits, _ and - only`);
  const shared = (f: string): string => `$share/${group}/${f}`;
  return {
    [shared(INBOUND_FILTERS.events)]: { qos: 1 },
    [shared(INBOUND_FILTERS.telemetry)]: { qos: 0 },
    [shared(INBOUND_FILTERS.response)]: { qos: 1 },
    [INBOUND_FILTERS.status]: { qos: 1 },
    [INBOUND_FILTERS.reported]: { qos: 1 },
  };
}

export function connectBroker(o: BrokerOptions): MqttClient {
  const opts: IClientOptions = {
    protocolVersion: 5,
    clientId: o.clientId,
    clean: false,
    reconnectPeriod: 500,
    connectTimeout: 10_000,
    properties: { sessionExpiryInterval: o.sessionExpirySec ?? 86_400, receiveMaximum: o.receiveMaximum ?? 2000 },
    ...(o.tls ? { ca: readFileSync(o.tls.ca), cert: readFileSync(o.tls.cert), key: readFileSync(o.tls.key), rejectUnauthorized: true } : {}),
  };
  return mqtt.connect(o.url, opts);
}

interface RawSend {
  _sendPacket(packet: { cmd: string; messageId?: number }, cb?: (err?: Error) => void, ...rest: unknown[]): void;
}

/**
 * mqtt.js acknowledges a QoS 1 message as soon as `handleMessage` calls back, and reads the next one
 * only then: writing each message in its own transaction would cap ingest at one commit per message.
 * So PUBACKs are held here and released in order once the batch holding their message is committed;
 * the client reads on meanwhile (the broker's in-flight window, `receiveMaximum`, bounds how many
 * wait). A PUBACK held across a lost connection is dropped: the broker redelivers, the key dedupes.
 */
export class DeferredAcks {
  private generation = 0;
  private waiting = new Map<number, Held>();

  constructor(client: MqttClient) {
    const raw = client as unknown as RawSend;
    if (typeof raw._sendPacket !== 'function') throw new Error('mqtt client without _sendPacket: the pinned mqtt.js version is required for deferred acknowledgements');
    const send = raw._sendPacket.bind(client);
    raw._sendPacket = (packet, cb, ...rest) => {
      const held = packet.cmd === 'puback' && packet.messageId !== undefined ? this.waiting.get(packet.messageId) : undefined;
      if (!held) return send(packet, cb, ...rest);
      this.waiting.delete(packet.messageId!);
      held.release = () => send(packet, undefined, ...rest);
      cb?.(); // the client goes on reading
    };
    client.on('close', () => {
      this.generation += 1;
      this.waiting.clear();
    });
  }

  /** Call in handleMessage before calling back: returns the handle to release after commit. */
  hold(packet: IPublishPacket): Held | null {
    if (packet.qos !== 1 || packet.messageId === undefined) return null;
    const held = new Held(this.generation, () => this.generation);
    this.waiting.set(packet.messageId, held);
    return held;
  }
}

export class Held {
  release: (() => void) | null = null;
  constructor(private readonly gen: number, private readonly current: () => number) {}
  /** Sends the PUBACK if the connection it belongs to is still the current one. */
  ack(): void {
    if (this.gen === this.current()) this.release?.();
    this.release = null;
  }
}


// The fleet manager's side of MQTT, for the tool: the boxes seen on the broker (their retained
// status), and a command sent with a response topic and correlation data, waiting for its answer.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fleetTopics } from '../core/fleet-topics.ts';
import { parseJsonSafe } from '../core/safe-json.ts';

export interface BrokerAccess {
  url: string;
  /** PEM file paths for mqtts with client certificates (the tool's own, from `init`). */
  ca?: string;
  cert?: string;
  key?: string;
}

export interface BoxSeen {
  boxId: string;
  online: boolean;
  version: string | null;
  configVersion: number | null;
  connectedAt: string | null;
  status: Record<string, unknown>;
}

export interface CommandReply {
  data: unknown;
  status: 'ok' | 'error';
  error: string | null;
  transaction: string | null;
}

function clientOptions(b: BrokerAccess, session?: { clientId: string }): IClientOptions {
  return {
    protocolVersion: 5,
    clientId: session?.clientId ?? `fleet-tool-${randomUUID().slice(0, 8)}`,
    // A named session is kept by the broker (7 days), so events sent while the tool is away wait for it.
    clean: !session,
    ...(session ? { properties: { sessionExpiryInterval: 7 * 86_400 } } : {}),
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...(b.ca ? { ca: readFileSync(b.ca) } : {}),
    ...(b.cert ? { cert: readFileSync(b.cert) } : {}),
    ...(b.key ? { key: readFileSync(b.key) } : {}),
  };
}

async function connect(b: BrokerAccess): Promise<MqttClient> {
  return mqtt.connectAsync(b.url, clientOptions(b));
}

/** Boxes with a retained status on the broker; waits `waitMs` for the retained messages to arrive. */
export async function listBoxes(b: BrokerAccess, waitMs = 1000): Promise<BoxSeen[]> {
  const client = await connect(b);
  const seen = new Map<string, BoxSeen>();
  try {
    client.on('message', (topic, payload) => {
      const m = /^fleet\/v1\/([^/]+)\/status$/.exec(topic);
      if (!m || payload.length === 0) return;
      let s: Record<string, unknown>;
      try {
        s = parseJsonSafe(payload.toString('utf8')) as Record<string, unknown>;
      } catch {
        return;
      }
      seen.set(m[1]!, {
        boxId: m[1]!,
        online: s.online === true,
        version: typeof s.version === 'string' ? s.version : null,
        configVersion: typeof s.configVersion === 'number' ? s.configVersion : null,
        connectedAt: typeof s.connectedAt === 'string' ? s.connectedAt : null,
        status: s,
      });
    });
    await client.subscribeAsync('fleet/v1/+/status', { qos: 1 });
    await new Promise((r) => setTimeout(r, waitMs));
  } finally {
    await client.endAsync(true);
  }
  return [...seen.values()].sort((a, b2) => a.boxId.localeCompare(b2.boxId));
}

export interface SendOptions {
  id?: string;
  /** Command lifetime (default 1 hour): a box offline longer does not run it. */
  ttlMs?: number;
  /** How long to wait for an answer (default 30 s). */
  timeoutMs?: number;
  /** For long commands (list.import): wait past `accepted`/`running` for the final state. */
  waitFinal?: boolean;
  onMessage?: (reply: CommandReply) => void;
}

/** Publish one command and resolve with its answer (or the final one); rejects on timeout. */
export async function sendCommand(b: BrokerAccess, boxId: string, type: string, data: unknown, o: SendOptions = {}): Promise<CommandReply> {
  const topics = fleetTopics(boxId);
  const client = await connect(b);
  const id = o.id ?? randomUUID();
  // Under the box's own topic tree, so a broker ACL confining each box to fleet/v1/<boxId>/# lets it answer.
  const replyTopic = `${topics.cmdResponse}/${randomUUID()}`;
  const correlationData = Buffer.from(id);
  try {
    const answer = new Promise<CommandReply>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer from ${boxId} within ${o.timeoutMs ?? 30_000} ms (the command stays queued for the box until it expires)`)), o.timeoutMs ?? 30_000);
      client.on('message', (topic, payload, packet) => {
        if (topic !== replyTopic || !packet.properties?.correlationData?.equals(correlationData)) return;
        let r: CommandReply;
        try {
          r = parseJsonSafe(payload.toString('utf8')) as CommandReply;
        } catch {
          return;
        }
        o.onMessage?.(r);
        const state = (r.data as { state?: unknown } | null)?.state;
        if (o.waitFinal && r.status === 'ok' && (state === 'accepted' || state === 'running')) return;
        clearTimeout(timer);
        resolve(r);
      });
    });
    await client.subscribeAsync(replyTopic, { qos: 1 });
    const expiresAt = new Date(Date.now() + (o.ttlMs ?? 3_600_000)).toISOString();
    await client.publishAsync(topics.cmd, JSON.stringify({ id, expiresAt, type, data }), {
      qos: 1, properties: { responseTopic: replyTopic, correlationData },
    });
    return await answer;
  } finally {
    await client.endAsync(true);
  }
}

/** The newest audit chain head a box published (`audit.head` event), as the fleet keeps it. */
export interface FleetAuditHead { boxId: string; seq: number; hash: string; at: string | null; eventSeq: number }

/**
 * Collect the boxes' `audit.head` events on a persistent session named `clientId`, for `waitMs` (or
 * until `until` resolves); `onHead` gets each head newer than the one known for its box.
 */
export async function collectAuditHeads(b: BrokerAccess, o: { clientId: string; known: (boxId: string) => number; onHead: (h: FleetAuditHead) => Promise<void> | void; waitMs?: number; until?: Promise<void> }): Promise<void> {
  // The listener is in place before the session resumes: queued events arrive right after CONNACK.
  const client = mqtt.connect(b.url, clientOptions(b, { clientId: o.clientId }));
  let chain: Promise<void> = Promise.resolve();
  client.on('message', (topic, payload) => {
    const m = /^fleet\/v1\/([^/]+)\/events$/.exec(topic);
    if (!m) return;
    let ev: { seq?: unknown; type?: unknown; payload?: { seq?: unknown; hash?: unknown; at?: unknown } };
    try {
      ev = parseJsonSafe(payload.toString('utf8')) as typeof ev;
    } catch {
      return;
    }
    const p = ev.payload;
    if (ev.type !== 'audit.head' || !p || !Number.isSafeInteger(p.seq) || typeof p.hash !== 'string' || !/^[0-9a-f]{64}$/.test(p.hash)) return;
    const head: FleetAuditHead = { boxId: m[1]!, seq: p.seq as number, hash: p.hash, at: typeof p.at === 'string' ? p.at : null, eventSeq: Number(ev.seq) || 0 };
    chain = chain.then(async () => { if (head.seq > o.known(head.boxId)) await o.onHead(head); });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error(`the broker ${b.url} closed the connection`)));
    });
    await client.subscribeAsync('fleet/v1/+/events', { qos: 1 });
    await (o.until ?? new Promise((r) => setTimeout(r, o.waitMs ?? 2000)));
    await chain;
  } finally {
    await client.endAsync();
  }
}

// Simulated boxes for load: N MQTT 5 clients on one broker, each publishing its events QoS 1 in seq
// order (as a box's outbox does), and optionally telemetry (QoS 0) every few seconds. Prints
// {"published": n, "ms": …} once every event was acknowledged by the broker. Seqs start after
// --from (a box restarted keeps counting).
// Usage: sim-boxes.ts --broker URL --boxes N --events-per-box N [--prefix sim] [--rate EVENTS_PER_SEC] [--telemetry-sec S] [--run-sec S]
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';

const { values: v } = parseArgs({ options: {
  broker: { type: 'string' }, boxes: { type: 'string' }, 'events-per-box': { type: 'string' }, prefix: { type: 'string' },
  rate: { type: 'string' }, 'telemetry-sec': { type: 'string' }, 'run-sec': { type: 'string' },
} });
const boxes = Number(v.boxes ?? 10);
const perBox = Number(v['events-per-box'] ?? 100);
const prefix = v.prefix ?? 'sim';
const rate = Number(v.rate ?? 0); // events per second over all boxes; 0: as fast as the broker takes them
const telemetrySec = Number(v['telemetry-sec'] ?? 0);
const runSec = Number(v['run-sec'] ?? 0);

const clients: MqttClient[] = [];
for (let i = 0; i < boxes; i++) {
  const boxId = `${prefix}-${String(i).padStart(5, '0')}`;
  clients.push(await mqtt.connectAsync(v.broker!, { protocolVersion: 5, clientId: boxId, clean: true, reconnectPeriod: 500,
    will: { topic: `fleet/v1/${boxId}/status`, payload: Buffer.from(JSON.stringify({ online: false, boxId, runId: 'sim' })), qos: 1, retain: true } }));
}
const t0 = Date.now();
let published = 0;
let acked = 0;
const total = boxes * perBox;
const next = new Array<number>(boxes).fill(0);
const telemetryTimers: NodeJS.Timeout[] = [];
let telemetrySent = 0;
if (telemetrySec > 0) {
  clients.forEach((c, i) => {
    const boxId = `${prefix}-${String(i).padStart(5, '0')}`;
    const send = (): void => {
      const at = new Date().toISOString();
      telemetrySent += 1;
      c.publish(`fleet/v1/${boxId}/telemetry`, JSON.stringify({ boxId, at, sentAt: Date.now(), cpu: { loadPct: 12, load1: 0.2, temperatureC: 51 }, memory: { usedPct: 40 }, disk: [{ mount: '/', usedPct: 30 }], activeCalls: 1, trunks: [], campaigns: [] }), { qos: 0 });
    };
    // Spread the boxes over the interval, as real boxes are.
    setTimeout(() => { send(); telemetryTimers.push(setInterval(send, telemetrySec * 1000)); }, Math.random() * telemetrySec * 1000);
  });
}

const progress = setInterval(() => process.stdout.write(JSON.stringify({ progress: acked }) + '\n'), 500);
await new Promise<void>((resolve) => {
  const publishOne = (): boolean => {
    if (published >= total) return false;
    const i = published % boxes;
    const boxId = `${prefix}-${String(i).padStart(5, '0')}`;
    next[i]! += 1;
    const seq = next[i]!;
    published += 1;
    clients[i]!.publish(`fleet/v1/${boxId}/events`, JSON.stringify({ boxId, seq, type: 'attempt.outcome', payload: { n: seq, sentAt: Date.now() }, createdAt: new Date().toISOString() }), { qos: 1 }, (err) => {
      if (err) { process.stderr.write(`publish failed: ${err.message}\n`); process.exit(1); }
      acked += 1;
      if (acked === total) resolve();
    });
    return true;
  };
  if (total === 0) { resolve(); return; }
  if (rate <= 0) {
    const burst = (): void => { for (let k = 0; k < 500 && publishOne(); k++); if (published < total) setImmediate(burst); };
    burst();
  } else {
    const tick = 20;
    const perTick = Math.max(1, Math.round(rate * tick / 1000));
    const timer = setInterval(() => { for (let k = 0; k < perTick; k++) if (!publishOne()) { clearInterval(timer); break; } }, tick);
  }
});
clearInterval(progress);
process.stdout.write(JSON.stringify({ published: total, ms: Date.now() - t0 }) + '\n');
if (runSec > 0) await new Promise((r) => setTimeout(r, Math.max(0, runSec * 1000 - (Date.now() - t0))));
for (const t of telemetryTimers) clearInterval(t);
await Promise.all(clients.map((c) => c.endAsync()));
if (telemetrySec > 0) process.stdout.write(JSON.stringify({ telemetrySent }) + '\n');

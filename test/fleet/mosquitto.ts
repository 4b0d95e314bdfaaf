// A real mosquitto on a free loopback port with its own config and persistence folder, so the
// sessions it keeps survive a stop and start (like a fleet broker restarting).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { freePort } from '../peers/ports.ts';

export class Mosquitto {
  private proc: ChildProcess | null = null;
  private log = '';

  private constructor(readonly dir: string, readonly port: number) {}

  /** With `tls`, the listener speaks TLS only and wants a client certificate from the given CA. */
  static async create(opts: { tls?: { ca: string; cert: string; key: string }; extraConfig?: string[] } = {}): Promise<Mosquitto> {
    const dir = mkdtempSync(join(tmpdir(), 'mosq-'));
    const port = await freePort();
    const tls = opts.tls
      ? [`cafile ${opts.tls.ca}`, `certfile ${opts.tls.cert}`, `keyfile ${opts.tls.key}`, 'require_certificate true', 'use_identity_as_username true']
      : [];
    writeFileSync(join(dir, 'mosquitto.conf'), [
      `listener ${port} 127.0.0.1`,
      ...tls,
      ...(opts.extraConfig ?? []),
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${dir}/`,
      'persistence_file mosquitto.db',
      'max_queued_messages 100000',
      `user ${userInfo().username}`,
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      '',
    ].join('\n'));
    const m = new Mosquitto(dir, port);
    await m.start();
    return m;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const proc = spawn('mosquitto', ['-c', join(this.dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (d: Buffer) => { this.log += d.toString(); });
    this.proc = proc;
    const until = Date.now() + 30_000; // a process start: wide, it ends as soon as the port answers
    while (Date.now() < until) {
      if (proc.exitCode !== null) throw new Error(`mosquitto exited with ${proc.exitCode}: ${this.log}`);
      const up = await new Promise<boolean>((resolve) => {
        const s = connect(this.port, '127.0.0.1', () => { s.destroy(); resolve(true); });
        s.on('error', () => resolve(false));
      });
      if (up) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`mosquitto did not listen on ${this.port}: ${this.log}`);
  }

  /** SIGTERM: mosquitto writes its persistence file (sessions, queued messages, retained) and exits. */
  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The fleet side: an MQTT 5 client with a persistent session, as a fleet manager would run. */
export async function fleetClient(url: string, clientId: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    protocolVersion: 5,
    clientId,
    clean: false,
    properties: { sessionExpiryInterval: 3600 },
    reconnectPeriod: 200,
  });
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// drachtio-server and FreeSWITCH for tests, from the project's own configuration files (systemd/drachtio,
// systemd/freeswitch, with free loopback ports and a per-run secret substituted), stopped at the end.
// Where they come from: the binaries on PATH or named by DRACHTIO_BIN / FREESWITCH_BIN; without them,
// containers (containers.ts: images DRACHTIO_IMAGE / FREESWITCH_IMAGE, host networking, so still on
// 127.0.0.1) when testcontainers reaches a container runtime on this machine. Never faked: with neither,
// callers skip with one line saying why, including what testcontainers reported.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { eslApi, profileAddress } from '../../media/freeswitch/esl-probe.ts';
import { freePort, rtpRange } from '../peers/ports.ts';
import { containerProcesses, imagesFromEnv, probeContainerRuntime, type ContainerImages, type RuntimeProbe } from './containers.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SKIP_LINE = 'skipped: drachtio-server/FreeSWITCH not available';

function onPath(name: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : null;
}

function executable(p: string | undefined): string | null {
  if (!p) return null;
  try { fs.accessSync(p, fs.constants.X_OK); return p; } catch { return null; }
}

// Both looked for once, when this module loads; the container runtime only if a binary is missing
// (findServers() is synchronous, and the test files call it at their top level). Bounded: a machine
// without a runtime answers in ms.
const local = { drachtio: executable(process.env.DRACHTIO_BIN) ?? onPath('drachtio'), freeswitch: executable(process.env.FREESWITCH_BIN) ?? onPath('freeswitch') };
const runtime: RuntimeProbe | null = local.drachtio && local.freeswitch ? null : await probeContainerRuntime(5000);

/**
 * The project's drachtio.conf.xml with loopback ports and a per-run secret. DRACHTIO_LOGLEVEL=debug
 * (when chasing a request drachtio-server drops) raises its log level and sofia-sip's to the most
 * verbose; the output is kept in memory (the last 20 kB, shown when the server does not come up).
 */
function drachtioConf(adminPort: number, sipPort: number, secret: string, wsPort: number): string {
  const level = process.env.DRACHTIO_LOGLEVEL;
  const verbose = (text: string): string => (level
    ? text.replace(/<loglevel>[^<]*<\/loglevel>/, `<loglevel>${level}</loglevel>`).replace(/<sofia-loglevel>\d+<\/sofia-loglevel>/, '<sofia-loglevel>9</sofia-loglevel>')
    : text);
  return verbose(fs.readFileSync(path.join(ROOT, 'systemd/drachtio/drachtio.conf.xml'), 'utf8'))
    .replace(/<admin port="\d+" secret="[^"]*">[^<]*<\/admin>/, `<admin port="${adminPort}" secret="${secret}">127.0.0.1</admin>`)
    .replace(/<contact>[^<]*transport=ws<\/contact>/, `<contact>sip:127.0.0.1:${wsPort};transport=ws</contact>`)
    .replace(/<contact>[^<]*transport=udp,tcp<\/contact>/, `<contact>sip:127.0.0.1:${sipPort};transport=udp,tcp</contact>`);
}

export interface Binaries { kind: 'binaries'; drachtio: string; freeswitch: string }
/** Where the two servers come from (field `bins` of findServers(), kept for its callers). */
export type ServerSource = Binaries | ContainerImages;

/** Both servers' source, or null (with the reason) when neither binaries nor a container runtime are here. */
export function findServers(): { bins: ServerSource | null; why: string } {
  const { drachtio, freeswitch } = local;
  if (drachtio && freeswitch) return { bins: { kind: 'binaries', drachtio, freeswitch }, why: '' };
  if (runtime?.ok) return { bins: imagesFromEnv(), why: '' };
  const missing = `${!drachtio ? 'drachtio (DRACHTIO_BIN) ' : ''}${!freeswitch ? 'freeswitch (FREESWITCH_BIN) ' : ''}not found`;
  return { bins: null, why: `${missing}; no Docker engine for testcontainers: ${runtime?.why}` };
}

/** One run's ports, secret and configuration text, the same for binaries and containers. */
export interface EngineConfig {
  secret: string; adminPort: number; sipPort: number; wsPort: number; eslPort: number; fsSipPort: number;
  rtp: { min: number; max: number };
  drachtioXml: string; freeswitchXml: string; varsXml: string;
  /** FreeSWITCH's private folders (each instance its own, so runs can sit side by side). */
  fsDirs: string[];
  /** FreeSWITCH's arguments with its configuration in `${base}/conf` and each folder in `${base}/<name>`. */
  freeswitchArgs(base: string): string[];
}

/** How one run's servers are launched and stopped; startServers() waits for them the same way for both. */
export interface EngineProcesses {
  startDrachtio(): Promise<void>;
  stopDrachtio(): Promise<void>;
  startFreeswitch(): Promise<void>;
  stopFreeswitch(): Promise<void>;
  log(which: 'drachtio' | 'freeswitch'): string;
  pids(): { drachtio: number | null; freeswitch: number | null };
  drachtioVersion(): Promise<string>;
  /** Stop both and remove whatever was written for them. */
  dispose(): Promise<void>;
}

export interface RunningServers {
  drachtio: { host: string; port: number; secret: string; sipPort: number; /** WebSocket contact (engine option staffWsUrl). */ wsUrl: string };
  freeswitch: { host: string; port: number; secret: string; sipPort: number; rtp: { min: number; max: number } };
  versions: { drachtio: string; freeswitch: string };
  /** Settings fragment for engine "drachtio". */
  settings: { host: string; port: number; secret: string; freeswitch: { host: string; port: number; secret: string } };
  /** Stop FreeSWITCH only (reconnection tests); start() brings it back on the same ports. */
  stopFreeswitch(): Promise<void>;
  /** Process ids (benches read their CPU time); null when not known (a container's, on some runtimes). */
  pids(): { drachtio: number | null; freeswitch: number | null };
  startFreeswitch(): Promise<void>;
  /** The same for drachtio-server (same ports and secret). */
  stopDrachtio(): Promise<void>;
  startDrachtio(): Promise<void>;
  stop(): Promise<void>;
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string, log: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up within ${ms} ms: ${log().slice(-2000)}`);
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

function stopChild(c: ChildProcess | null): Promise<void> {
  if (!c || c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => c.kill('SIGKILL'), 4000);
    c.once('exit', () => { clearTimeout(t); resolve(); });
    c.kill('SIGTERM');
  });
}

function versionIn(text: string): string {
  return /\d+\.\d+\.\d+[^\s]*/.exec(text)?.[0] ?? (text.trim() || 'unknown');
}

const FS_DIRS = ['log', 'db', 'run', 'temp', 'storage', 'cache', 'recordings', 'certs'];

async function engineConfig(o: { rtpPorts?: number; rtp?: { min: number; max: number }; maxSessions?: number }): Promise<EngineConfig> {
  const secret = `t${Math.random().toString(36).slice(2, 10)}`;
  const adminPort = await freePort();
  const sipPort = await freePort();
  const wsPort = await freePort();
  const eslPort = await freePort();
  const fsSipPort = await freePort();
  const rtp = o.rtp ?? rtpRange(o.rtpPorts ?? 200);
  const set = (text: string, name: string, value: string | number): string =>
    text.replace(new RegExp(`data="${name}=[^"]*"`), `data="${name}=${value}"`);
  let vars = fs.readFileSync(path.join(ROOT, 'systemd/freeswitch/vars.xml'), 'utf8');
  vars = set(vars, 'esl_port', eslPort);
  vars = set(vars, 'esl_password', secret);
  vars = set(vars, 'mrf_sip_port', fsSipPort);
  vars = set(vars, 'mrf_rtp_ip', '127.0.0.1');
  vars = set(vars, 'mrf_rtp_start', rtp.min);
  vars = set(vars, 'mrf_rtp_end', rtp.max);
  if (o.maxSessions) vars = set(vars, 'mrf_max_sessions', o.maxSessions);
  return {
    secret, adminPort, sipPort, wsPort, eslPort, fsSipPort, rtp,
    drachtioXml: drachtioConf(adminPort, sipPort, secret, wsPort),
    freeswitchXml: fs.readFileSync(path.join(ROOT, 'systemd/freeswitch/freeswitch.xml'), 'utf8'),
    varsXml: vars,
    fsDirs: FS_DIRS,
    // -nc alone daemonizes; with -nf it stays in the foreground without a console.
    freeswitchArgs: (base) => ['-nf', '-nc', '-nonat', '-conf', `${base}/conf`, ...FS_DIRS.flatMap((d) => [`-${d}`, `${base}/${d}`])],
  };
}

function binaryProcesses(bins: Binaries, cfg: EngineConfig): EngineProcesses {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vba-servers-'));
  const fsBase = path.join(dir, 'freeswitch');
  fs.writeFileSync(path.join(dir, 'drachtio.conf.xml'), cfg.drachtioXml);
  for (const d of ['conf', ...cfg.fsDirs]) fs.mkdirSync(path.join(fsBase, d), { recursive: true });
  fs.writeFileSync(path.join(fsBase, 'conf', 'freeswitch.xml'), cfg.freeswitchXml);
  fs.writeFileSync(path.join(fsBase, 'conf', 'vars.xml'), cfg.varsXml);
  const logs = { drachtio: '', freeswitch: '' };
  const launch = (which: 'drachtio' | 'freeswitch', bin: string, args: string[]): ChildProcess => {
    const c = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer): void => { logs[which] = (logs[which] + b.toString()).slice(-20_000); };
    c.stdout?.on('data', keep);
    c.stderr?.on('data', keep);
    return c;
  };
  let dchild: ChildProcess | null = null;
  let fchild: ChildProcess | null = null;
  return {
    startDrachtio: async () => { dchild = launch('drachtio', bins.drachtio, ['-f', path.join(dir, 'drachtio.conf.xml')]); },
    stopDrachtio: () => stopChild(dchild),
    startFreeswitch: async () => { fchild = launch('freeswitch', bins.freeswitch, cfg.freeswitchArgs(fsBase)); },
    stopFreeswitch: () => stopChild(fchild),
    log: (which) => logs[which],
    pids: () => ({ drachtio: dchild?.pid ?? null, freeswitch: fchild?.pid ?? null }),
    drachtioVersion: async () => {
      const r = spawnSync(bins.drachtio, ['--version'], { encoding: 'utf8', timeout: 10_000 });
      return `${r.stdout ?? ''}${r.stderr ?? ''}`;
    },
    dispose: async () => {
      await Promise.all([stopChild(dchild), stopChild(fchild)]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Start both servers on free loopback ports with the project's configuration. */
export async function startServers(source: ServerSource, o: { rtpPorts?: number; rtp?: { min: number; max: number }; maxSessions?: number } = {}): Promise<RunningServers> {
  const cfg = await engineConfig(o);
  const p = source.kind === 'binaries' ? binaryProcesses(source, cfg) : await containerProcesses(source, cfg);
  const esl = { host: '127.0.0.1', port: cfg.eslPort, secret: cfg.secret };
  const startDrachtio = async (): Promise<void> => {
    await p.startDrachtio();
    await waitFor(() => tcpOpen(cfg.adminPort), 20_000, 'drachtio-server', () => p.log('drachtio'));
  };
  const startFreeswitch = async (): Promise<void> => {
    await p.startFreeswitch();
    await waitFor(async () => !!profileAddress(await eslApi(esl, 'sofia status', 1000), 'drachtio_mrf'), 45_000, 'FreeSWITCH', () => p.log('freeswitch'));
  };
  try {
    await startDrachtio();
    await startFreeswitch();
  } catch (e) {
    await p.dispose();
    throw e;
  }
  const fsVersion = (await eslApi(esl, 'version').catch(() => '')).trim();
  return {
    drachtio: { host: '127.0.0.1', port: cfg.adminPort, secret: cfg.secret, sipPort: cfg.sipPort, wsUrl: `ws://127.0.0.1:${cfg.wsPort}` },
    freeswitch: { ...esl, sipPort: cfg.fsSipPort, rtp: cfg.rtp },
    versions: { drachtio: versionIn(await p.drachtioVersion()), freeswitch: versionIn(fsVersion) },
    settings: { host: '127.0.0.1', port: cfg.adminPort, secret: cfg.secret, freeswitch: esl },
    stopFreeswitch: () => p.stopFreeswitch(),
    startFreeswitch,
    stopDrachtio: () => p.stopDrachtio(),
    startDrachtio,
    pids: () => p.pids(),
    stop: () => p.dispose(),
  };
}

export function findDrachtio(): string | null {
  return local.drachtio;
}

export interface RunningDrachtio {
  settings: { host: string; port: number; secret: string };
  sipPort: number;
  /** drachtio-server's WebSocket contact (the engine's staffWsUrl). */
  wsUrl: string;
  stop(): Promise<void>;
}

/** drachtio-server alone (registration and guard tests place no call, so need no FreeSWITCH). */
export async function startDrachtioOnly(bin: string): Promise<RunningDrachtio> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vba-drachtio-'));
  const secret = `t${Math.random().toString(36).slice(2, 10)}`;
  const adminPort = await freePort();
  const sipPort = await freePort();
  const wsPort = await freePort();
  fs.writeFileSync(path.join(dir, 'drachtio.conf.xml'), drachtioConf(adminPort, sipPort, secret, wsPort));
  let log = '';
  const child = spawn(bin, ['-f', path.join(dir, 'drachtio.conf.xml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (b: Buffer) => { log = (log + b.toString()).slice(-20_000); });
  child.stderr?.on('data', (b: Buffer) => { log = (log + b.toString()).slice(-20_000); });
  const stop = async (): Promise<void> => { await stopChild(child); fs.rmSync(dir, { recursive: true, force: true }); };
  try {
    await waitFor(() => tcpOpen(adminPort), 20_000, 'drachtio-server', () => log);
  } catch (e) {
    await stop();
    throw e;
  }
  return { settings: { host: '127.0.0.1', port: adminPort, secret }, sipPort, wsUrl: `ws://127.0.0.1:${wsPort}`, stop };
}

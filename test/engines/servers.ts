// drachtio-server and FreeSWITCH for tests: found on PATH or through DRACHTIO_BIN / FREESWITCH_BIN,
// started on loopback with free ports from the project's own configuration files (systemd/drachtio,
// systemd/freeswitch, copied to a temp folder with the ports substituted), stopped at the end.
// Never faked: when a binary is missing, callers skip with one clear line.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { eslApi, profileAddress } from '../../media/freeswitch/esl-probe.ts';
import { freePort, rtpRange } from '../peers/ports.ts';

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

/** The project's drachtio.conf.xml with loopback ports and a per-run secret. */
function drachtioConf(adminPort: number, sipPort: number, secret: string): string {
  return fs.readFileSync(path.join(ROOT, 'systemd/drachtio/drachtio.conf.xml'), 'utf8')
    .replace(/<admin port="\d+" secret="[^"]*">[^<]*<\/admin>/, `<admin port="${adminPort}" secret="${secret}">127.0.0.1</admin>`)
    .replace(/<contact>[^<]*<\/contact>/, `<contact>sip:127.0.0.1:${sipPort};transport=udp,tcp</contact>`);
}

export interface Binaries { drachtio: string; freeswitch: string }

/** Both binaries, or null (with the reason) when either is missing. */
export function findServers(): { bins: Binaries | null; why: string } {
  const drachtio = executable(process.env.DRACHTIO_BIN) ?? onPath('drachtio');
  const freeswitch = executable(process.env.FREESWITCH_BIN) ?? onPath('freeswitch');
  if (drachtio && freeswitch) return { bins: { drachtio, freeswitch }, why: '' };
  // The testcontainers path needs a running Docker engine and images from a registry; neither is
  // available offline here, so it is not attempted.
  const docker = fs.existsSync('/var/run/docker.sock') ? 'a Docker engine exists, but this offline suite pulls no images' : 'no Docker engine for testcontainers';
  return { bins: null, why: `${!drachtio ? 'drachtio (DRACHTIO_BIN) ' : ''}${!freeswitch ? 'freeswitch (FREESWITCH_BIN) ' : ''}not found; ${docker}` };
}

export interface RunningServers {
  drachtio: { host: string; port: number; secret: string; sipPort: number };
  freeswitch: { host: string; port: number; secret: string; sipPort: number; rtp: { min: number; max: number } };
  versions: { drachtio: string; freeswitch: string };
  /** Settings fragment for engine "drachtio". */
  settings: { host: string; port: number; secret: string; freeswitch: { host: string; port: number; secret: string } };
  /** Stop FreeSWITCH only (reconnection tests); start() brings it back on the same ports. */
  stopFreeswitch(): Promise<void>;
  /** Process ids (benches read their CPU time). */
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

function versionOf(bin: string, args: string[]): string {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 10_000 });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return /\d+\.\d+\.\d+[^\s]*/.exec(text)?.[0] ?? 'unknown';
}

/** Start both servers on free loopback ports with the project's configuration. */
export async function startServers(bins: Binaries, o: { rtpPorts?: number; rtp?: { min: number; max: number }; maxSessions?: number } = {}): Promise<RunningServers> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vba-servers-'));
  const secret = `t${Math.random().toString(36).slice(2, 10)}`;
  const adminPort = await freePort();
  const sipPort = await freePort();
  const eslPort = await freePort();
  const fsSipPort = await freePort();
  const rtp = o.rtp ?? rtpRange(o.rtpPorts ?? 200);

  fs.writeFileSync(path.join(dir, 'drachtio.conf.xml'), drachtioConf(adminPort, sipPort, secret));

  const conf = path.join(dir, 'fs-conf');
  fs.mkdirSync(conf);
  // Every folder private, so instances can run side by side (the pid file lives in -run).
  const FS_DIRS = ['log', 'db', 'run', 'temp', 'storage', 'cache', 'recordings', 'certs'];
  for (const d of FS_DIRS) fs.mkdirSync(path.join(dir, `fs-${d}`));
  fs.copyFileSync(path.join(ROOT, 'systemd/freeswitch/freeswitch.xml'), path.join(conf, 'freeswitch.xml'));
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
  fs.writeFileSync(path.join(conf, 'vars.xml'), vars);

  let dLog = '';
  let fLog = '';
  let dchild: ChildProcess = spawnDrachtio();
  function spawnDrachtio(): ChildProcess {
    const c = spawn(bins.drachtio, ['-f', path.join(dir, 'drachtio.conf.xml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout?.on('data', (b: Buffer) => { dLog = (dLog + b.toString()).slice(-20_000); });
    c.stderr?.on('data', (b: Buffer) => { dLog = (dLog + b.toString()).slice(-20_000); });
    return c;
  }
  let fchild: ChildProcess | null = null;
  const startFs = async (): Promise<void> => {
    // -nc alone daemonizes; with -nf it stays in the foreground without a console.
    fchild = spawn(bins.freeswitch, ['-nf', '-nc', '-nonat', '-conf', conf, ...FS_DIRS.flatMap((d) => [`-${d}`, path.join(dir, `fs-${d}`)])],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    fchild.stdout?.on('data', (b: Buffer) => { fLog = (fLog + b.toString()).slice(-20_000); });
    fchild.stderr?.on('data', (b: Buffer) => { fLog = (fLog + b.toString()).slice(-20_000); });
    await waitFor(async () => !!profileAddress(await eslApi({ host: '127.0.0.1', port: eslPort, secret }, 'sofia status', 1000), 'drachtio_mrf'),
      45_000, 'FreeSWITCH', () => fLog);
  };
  const stopAll = async (): Promise<void> => {
    await Promise.all([stopChild(dchild), stopChild(fchild)]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(() => tcpOpen(adminPort), 20_000, 'drachtio-server', () => dLog);
    await startFs();
  } catch (e) {
    await stopAll();
    throw e;
  }
  const fsVersion = (await eslApi({ host: '127.0.0.1', port: eslPort, secret }, 'version').catch(() => '')).trim();
  return {
    drachtio: { host: '127.0.0.1', port: adminPort, secret, sipPort },
    freeswitch: { host: '127.0.0.1', port: eslPort, secret, sipPort: fsSipPort, rtp },
    versions: { drachtio: versionOf(bins.drachtio, ['--version']), freeswitch: /\d+\.\d+\.\d+[^\s]*/.exec(fsVersion)?.[0] ?? fsVersion },
    settings: { host: '127.0.0.1', port: adminPort, secret, freeswitch: { host: '127.0.0.1', port: eslPort, secret } },
    stopFreeswitch: () => stopChild(fchild),
    stopDrachtio: () => stopChild(dchild),
    startDrachtio: async () => {
      dchild = spawnDrachtio();
      await waitFor(() => tcpOpen(adminPort), 20_000, 'drachtio-server', () => dLog);
    },
    pids: () => ({ drachtio: dchild.pid ?? null, freeswitch: (fchild as ChildProcess | null)?.pid ?? null }),
    startFreeswitch: startFs,
    stop: stopAll,
  };
}

export function findDrachtio(): string | null {
  return executable(process.env.DRACHTIO_BIN) ?? onPath('drachtio');
}

export interface RunningDrachtio {
  settings: { host: string; port: number; secret: string };
  sipPort: number;
  stop(): Promise<void>;
}

/** drachtio-server alone (registration and guard tests place no call, so need no FreeSWITCH). */
export async function startDrachtioOnly(bin: string): Promise<RunningDrachtio> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vba-drachtio-'));
  const secret = `t${Math.random().toString(36).slice(2, 10)}`;
  const adminPort = await freePort();
  const sipPort = await freePort();
  fs.writeFileSync(path.join(dir, 'drachtio.conf.xml'), drachtioConf(adminPort, sipPort, secret));
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
  return { settings: { host: '127.0.0.1', port: adminPort, secret }, sipPort, stop };
}

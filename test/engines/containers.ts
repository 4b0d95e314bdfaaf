// drachtio-server and FreeSWITCH as containers, for machines that have a container runtime but not the
// two binaries. testcontainers finds the runtime (its own detection, bounded here by a timeout so a
// machine without one is not slowed), pulls the images named by DRACHTIO_IMAGE / FREESWITCH_IMAGE and
// runs them with host networking, so every port stays on this machine's 127.0.0.1 exactly as on the
// binary path, with the same configuration text (servers.ts writes it; it is copied in, never built).
//
// NOT EXERCISED where this was written: that machine has no container runtime. Only the probe ran (no
// runtime; an engine that never answers; a stub answering /info, local and remote). The start path
// follows testcontainers' documented API (GenericContainer, withNetworkMode, withCopyContentToContainer,
// withTmpFs, withLogConsumer, stop) and is untested.
// testcontainers is imported only when needed: the binary path never loads it.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { StartedTestContainer } from 'testcontainers';
import type { EngineConfig, EngineProcesses } from './servers.ts';

// Defaults: the drachtio project's own images. drachtio-server at a release tag (the binary path here
// runs 0.9.10); drachtio-freeswitch-mrf, the FreeSWITCH image drachtio-fsmrf is built against, which
// carries every module systemd/freeswitch/freeswitch.xml loads (sofia, event_socket, sndfile, ...).
export const DEFAULT_DRACHTIO_IMAGE = 'drachtio/drachtio-server:0.9.11';
export const DEFAULT_FREESWITCH_IMAGE = 'drachtio/drachtio-freeswitch-mrf:latest';

export interface ContainerImages { kind: 'containers'; drachtio: string; freeswitch: string }

export function imagesFromEnv(): ContainerImages {
  return {
    kind: 'containers',
    drachtio: process.env.DRACHTIO_IMAGE?.trim() || DEFAULT_DRACHTIO_IMAGE,
    freeswitch: process.env.FREESWITCH_IMAGE?.trim() || DEFAULT_FREESWITCH_IMAGE,
  };
}

export type RuntimeProbe = { ok: true } | { ok: false; why: string };

// Host networking puts the servers on the engine host's loopback: only an engine on this machine will do.
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);

function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

// Run in a child process: testcontainers' detection cannot be cancelled, and an engine that accepts
// but never answers would otherwise keep the test process alive after the timeout.
const PROBE = `
const { getContainerRuntimeClient } = await import(process.argv[1]);
let answer;
try {
  const client = await getContainerRuntimeClient();
  answer = { ok: true, host: client.info.containerRuntime.host };
} catch (e) {
  answer = { ok: false, why: e instanceof Error ? e.message : String(e) };
}
process.stdout.write(JSON.stringify(answer), () => process.exit(0));
`;

/** Whether testcontainers reaches a container runtime on this machine, answered within `timeoutMs`. */
export function probeContainerRuntime(timeoutMs = 5000): Promise<RuntimeProbe> {
  let lib: string;
  try {
    lib = pathToFileURL(createRequire(import.meta.url).resolve('testcontainers')).href;
  } catch (e) {
    return Promise.resolve({ ok: false, why: `testcontainers is not installed (${oneLine(e)})` });
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', PROBE, lib], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { err = (err + b.toString()).slice(-2000); });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ ok: false, why: `no container runtime answered within ${timeoutMs} ms` });
    }, timeoutMs);
    child.once('error', (e) => { clearTimeout(timer); resolve({ ok: false, why: oneLine(e) }); });
    child.once('close', () => {
      clearTimeout(timer);
      resolve(answerOf(out, err));
    });
  });
}

function answerOf(out: string, err: string): RuntimeProbe {
  let a: unknown;
  try { a = JSON.parse(out); } catch { return { ok: false, why: `the probe gave no answer: ${oneLine(err) || 'no output'}` }; }
  if (typeof a !== 'object' || a === null) return { ok: false, why: 'the probe gave no answer' };
  const { ok, host, why } = a as { ok?: unknown; host?: unknown; why?: unknown };
  if (ok === true && typeof host === 'string') {
    return LOCAL_HOSTS.has(host) ? { ok: true } : { ok: false, why: `the container runtime is on ${host}; host networking needs one on this machine` };
  }
  return { ok: false, why: oneLine(typeof why === 'string' ? why : 'unknown answer') };
}

const DRACHTIO_CONF = '/etc/vba-test/drachtio.conf.xml';
const FS_BASE = '/var/lib/vba-test/freeswitch';

/** Container-backed processes for servers.ts: same config, same loopback ports, same stop/start hooks. */
export async function containerProcesses(images: ContainerImages, cfg: EngineConfig): Promise<EngineProcesses> {
  const { GenericContainer, getContainerRuntimeClient } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  const logs = { drachtio: '', freeswitch: '' };
  const keep = (which: 'drachtio' | 'freeswitch') => (stream: Readable): void => {
    stream.on('data', (b: Buffer | string) => { logs[which] = (logs[which] + b.toString()).slice(-20_000); });
  };
  let drachtio: StartedTestContainer | null = null;
  let freeswitch: StartedTestContainer | null = null;
  const hostPid = { drachtio: null as number | null, freeswitch: null as number | null };
  const pidOf = async (c: StartedTestContainer): Promise<number | null> => {
    const info = await client.container.inspect(client.container.getById(c.getId())).catch(() => null);
    return info?.State.Pid || null;
  };

  // A stopped server is removed; starting it again makes a new container from the same definition
  // (host networking and the same configuration keep its ports and secret).
  const startDrachtio = async (): Promise<void> => {
    // The image's entrypoint script is bypassed: the project's configuration file says everything.
    drachtio = await new GenericContainer(images.drachtio)
      .withNetworkMode('host')
      .withEntrypoint(['drachtio'])
      .withCommand(['-f', DRACHTIO_CONF])
      .withCopyContentToContainer([{ content: cfg.drachtioXml, target: DRACHTIO_CONF }])
      .withLogConsumer(keep('drachtio'))
      .withStartupTimeout(120_000)
      .start();
    hostPid.drachtio = await pidOf(drachtio);
  };
  const startFreeswitch = async (): Promise<void> => {
    const args = cfg.freeswitchArgs(FS_BASE);
    freeswitch = await new GenericContainer(images.freeswitch)
      .withNetworkMode('host')
      .withEntrypoint(['freeswitch'])
      .withCommand(args)
      .withCopyContentToContainer([
        { content: cfg.freeswitchXml, target: `${FS_BASE}/conf/freeswitch.xml` },
        { content: cfg.varsXml, target: `${FS_BASE}/conf/vars.xml` },
      ])
      .withTmpFs(Object.fromEntries(cfg.fsDirs.map((d) => [`${FS_BASE}/${d}`, 'rw'])))
      .withLogConsumer(keep('freeswitch'))
      .withStartupTimeout(120_000)
      .start();
    hostPid.freeswitch = await pidOf(freeswitch);
  };
  const stopOne = async (which: 'drachtio' | 'freeswitch'): Promise<void> => {
    const c = which === 'drachtio' ? drachtio : freeswitch;
    if (which === 'drachtio') drachtio = null; else freeswitch = null;
    hostPid[which] = null;
    await c?.stop({ timeout: 4000 });
  };

  return {
    startDrachtio,
    stopDrachtio: () => stopOne('drachtio'),
    startFreeswitch,
    stopFreeswitch: () => stopOne('freeswitch'),
    log: (which) => logs[which],
    // Host pids (Docker on Linux shares them) so benches can read CPU time; null when not known.
    pids: () => ({ ...hostPid }),
    drachtioVersion: async () => {
      const r = await drachtio?.exec(['drachtio', '--version']).catch(() => null);
      return r?.output ?? '';
    },
    dispose: async () => { await Promise.all([stopOne('drachtio'), stopOne('freeswitch')]); },
  };
}

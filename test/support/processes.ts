// Child processes of the real executable (`bin/appliance.js`) for tests that kill and restart the box.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultSettings } from '../../appliance/config/defaults.ts';
import type { Settings } from '../../core/settings-types.ts';
import { trunkDefaults } from '../../core/trunk-defaults.ts';
import { rtpRange } from '../peers/ports.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'appliance.js');

export interface Child {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export function runAppliance(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    out: () => out,
    err: () => err,
    async waitFor(re, timeoutMs) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const m = re.exec(out) ?? re.exec(err);
        if (m) return m;
        if (proc.exitCode !== null) throw new Error(`appliance ${args[0]} exited with ${proc.exitCode}:\n${err.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`appliance ${args[0]}: no ${re} within ${timeoutMs} ms:\n${err.slice(-2000)}`);
    },
    async kill(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

/**
 * The settings of a box run in its own process against a sandbox (itself a process) on loopback:
 * HTTP and SIP on the given ports, its own RTP range, one sandbox trunk.
 */
export function sandboxBoxSettings(o: { httpPort: number; sipPort: number; sandboxPort: number; rtpPorts: number; channels: number; cps: number }): Settings {
  const settings = defaultSettings();
  settings.http = { ...settings.http, port: o.httpPort, bindAddress: '127.0.0.1' };
  settings.sip.bindAddress = '127.0.0.1';
  settings.sip.port = o.sipPort;
  const rtp = rtpRange(o.rtpPorts);
  settings.media.rtpPortMin = rtp.min;
  settings.media.rtpPortMax = rtp.max;
  settings.trunks = [trunkDefaults({ name: 'sandbox', kind: 'sandbox', host: '127.0.0.1', port: o.sandboxPort, allowedSources: ['127.0.0.1'], channels: o.channels, cps: o.cps, codecs: ['PCMU', 'PCMA'], optionsIntervalSec: 0, keepPlus: true })];
  settings.defaultTrunk = 'sandbox';
  return settings;
}

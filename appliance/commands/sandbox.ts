// `appliance sandbox`: the simulated public network in the foreground, for demos, dry runs and
// benchmarks. It prints where it listens and how to point a trunk at it; SIGTERM/SIGINT stop it.
import { join, resolve } from 'node:path';
import { AppError, isAppError } from '../../core/errors.ts';
import { createLogger, maskNumber } from '../../core/log.ts';
import { optionalInt, type CommandContext } from '../cli.ts';
import { SandboxNetwork } from '../../sip/sandbox/network.ts';
import { formatMix, parseKeys, parseMix, DEFAULT_KEYS_SPEC, DEFAULT_MIX_SPEC, type KeyWeights, type Mix } from '../../sip/sandbox/mix.ts';
import type { SandboxCallRecord } from '../../sip/sandbox/records.ts';

export const SANDBOX_USAGE = 'appliance sandbox [--port N] [--bind ADDRESS] [--mix SPEC] [--keys SPEC] [--seed N] [--time-scale X] [--log FILE] [--json] [--data DIR]';
export const DEFAULT_SANDBOX_PORT = 5080;

function str(ctx: CommandContext, key: string): string | undefined {
  const v = ctx.values[key];
  return typeof v === 'string' ? v : undefined;
}

function usageError(option: string, e: unknown): AppError {
  const msg = (isAppError(e) ? e.message : String(e)).replace(/^(mix|keys)(: | )/, '');
  return new AppError('E_USAGE', `--${option}: ${msg}\nusage: ${SANDBOX_USAGE}`, { option });
}

function parseOptions(ctx: CommandContext): { port: number; bind: string; mix: Mix; keys: KeyWeights; seed: number | string; timeScale: number; logFile?: string } {
  let mix: Mix;
  let keys: KeyWeights;
  try { mix = parseMix(str(ctx, 'mix') ?? DEFAULT_MIX_SPEC); } catch (e) { throw usageError('mix', e); }
  try { keys = parseKeys(str(ctx, 'keys') ?? DEFAULT_KEYS_SPEC); } catch (e) { throw usageError('keys', e); }
  const seedText = str(ctx, 'seed') ?? '1';
  const seed = /^-?\d+$/.test(seedText) ? Number(seedText) : seedText;
  const tsText = str(ctx, 'time-scale') ?? '1';
  const timeScale = Number(tsText);
  if (!(Number.isFinite(timeScale) && timeScale > 0 && timeScale <= 100)) {
    throw new AppError('E_USAGE', `--time-scale must be a number above 0 (1 = realistic, 0.1 = ten times faster), got "${tsText}"`, { option: 'time-scale' });
  }
  const port = optionalInt(ctx, 'port') ?? DEFAULT_SANDBOX_PORT;
  if (port > 65535) throw new AppError('E_USAGE', `--port must be at most 65535, got ${port}`, { option: 'port' });
  const logFile = str(ctx, 'log');
  return { port, bind: str(ctx, 'bind') ?? '127.0.0.1', mix, keys, seed, timeScale, ...(logFile ? { logFile: resolve(logFile) } : {}) };
}

function summary(r: SandboxCallRecord): string {
  const secs = r.endedMonoMs !== null ? ((r.endedMonoMs - r.inviteMonoMs) / 1000).toFixed(1) : '?';
  const extra = [r.dtmfSent ? `pressed ${r.dtmfSent}` : '', r.heard.speechMs ? `heard ${(r.heard.speechMs / 1000).toFixed(1)} s` : '',
    r.heard.messageStartAfterBeepMs !== null ? `message ${r.heard.messageStartAfterBeepMs} ms after beep` : ''].filter(Boolean).join(', ');
  return `call ${r.seq} ${r.number ? maskNumber(r.number) : '(not a number)'} attempt ${r.attempt}: ${r.behaviour ?? '-'} -> ${r.finalCode ?? '-'} ${r.endReason ?? ''} (${secs} s${extra ? `; ${extra}` : ''})`;
}

export async function runSandbox(ctx: CommandContext): Promise<number> {
  const o = parseOptions(ctx);
  // The sip package reports transport errors (a caller that vanished) with console.log; keep stdout for
  // our own lines, which scripts parse with --json.
  console.log = (...args: unknown[]) => console.error(...args);
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'sandbox' });
  const audioDir = join(ctx.dataDir, 'sandbox-audio');
  const net = new SandboxNetwork({
    bindAddress: o.bind,
    port: o.port,
    transports: ['udp', 'tcp'],
    seed: o.seed,
    mix: o.mix,
    keys: o.keys,
    timeScale: o.timeScale,
    audioDir,
    logger,
    ...(o.logFile ? { logFile: o.logFile } : {}),
  });
  await net.start();
  const info = { address: o.bind, port: net.port, transports: ['udp', 'tcp'], seed: o.seed, mix: formatMix(o.mix), timeScale: o.timeScale, audioDir, logFile: o.logFile ?? null };
  if (ctx.json) {
    ctx.out(JSON.stringify({ listening: info }));
  } else {
    ctx.out(`Sandbox network listening on ${o.bind}:${net.port} (UDP and TCP)`);
    ctx.out(`  seed ${String(o.seed)}, time scale ${o.timeScale}, mix ${info.mix}`);
    ctx.out(`  audio cached in ${audioDir}${o.logFile ? `; every INVITE logged to ${o.logFile}` : ''}`);
    ctx.out('Point a trunk at it: kind "sandbox", host ' + `${o.bind}, port ${net.port}, transport udp (or tcp), auth "ip".`);
    ctx.out('Any E.164 number works (with or without +, or after 00/011); the same number always behaves the same way.');
    ctx.out('Stop with Ctrl-C (SIGINT) or SIGTERM.');
  }
  net.on('call-ended', (r) => ctx.out(ctx.json ? JSON.stringify({ call: { ...r, number: r.number ? maskNumber(r.number) : null, requestUri: undefined } }) : summary(r)));
  return await new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'sandbox stopping');
      net.stop().then(() => {
        if (!ctx.json) ctx.out(`Sandbox stopped (${net.calls().length} INVITEs handled).`);
        resolveExit(0);
      }, (e: unknown) => {
        ctx.err(`appliance sandbox: stop failed: ${(e as Error).message}`);
        resolveExit(1);
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

// `appliance call <number|sip:uri> --play <audio>`: one call, the message played, DTMF and the outcome
// reported. Staff use it to test a trunk; the web UI's "test call" button takes the same path.
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { SettingsStore } from '../config/settings.ts';
import { createLogger, maskNumber } from '../../core/log.ts';
import { createEngine } from '../engine.ts';
import { AppError } from '../../core/errors.ts';
import { optionalInt, requireString, type CommandContext } from '../cli.ts';
import { runScriptedCall } from '../scripts/message-script.ts';
import { normaliseTarget } from '../scripts/dial-target.ts';
import { callPlace } from '../actions/trunk-test-action.ts';
import { runCliAction } from './cli-actions.ts';

export { normaliseTarget };
import { readRecording } from '../../media/prompts/library.ts';
import { importRecording } from '../../media/prompts/import.ts';
import type { CallEnded, PromptRef } from '../../core/call-port.ts';
import type { Settings } from '../../core/settings-types.ts';

const USAGE = 'appliance call <number|sip:uri> --play <audio> [--voicemail <audio>] [--trunk NAME] [--json]';

export interface CallReport extends CallEnded {
  dtmf: string;
  amd: 'human' | 'machine' | 'unknown' | null;
  messagePlayedMs: number;
  messageCompleted: boolean;
}

/** Prompts for ad-hoc calls are imported once into <data>/recordings/adhoc, keyed by the file's hash. */
async function promptFor(dataDir: string, file: string, option: string): Promise<PromptRef> {
  if (!existsSync(file)) throw new AppError('E_PROMPT', `--${option}: no such file ${file}`, { option });
  const hash = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
  const libraryDir = join(dataDir, 'recordings', 'adhoc');
  const known = await readRecording(libraryDir, hash);
  return (known ?? (await importRecording(file, { libraryDir, id: hash, name: file }))).prompt;
}

export async function placeCall(opts: {
  dataDir: string;
  settings: Settings;
  target: string;
  play: PromptRef;
  voicemail?: PromptRef;
  trunk?: string;
  from?: string;
  ringTimeoutMs?: number;
  collectMs?: number;
  logLevel?: string;
}): Promise<CallReport> {
  const logger = createLogger({ level: opts.logLevel ?? (process.env.LOG_LEVEL || 'warn') });
  const isUri = opts.target.startsWith('sip');
  const trunkName = isUri ? undefined : (opts.trunk ?? opts.settings.defaultTrunk ?? undefined);
  if (!isUri && !trunkName) {
    throw new AppError('E_TRUNK_UNKNOWN', 'no trunk given and no default trunk configured: pass --trunk NAME or dial a sip: URI', { option: 'trunk' });
  }
  if (trunkName && !opts.settings.trunks.some((t) => t.name === trunkName)) {
    throw new AppError('E_TRUNK_UNKNOWN', `no trunk named "${trunkName}" (configured: ${opts.settings.trunks.map((t) => t.name).join(', ') || 'none'})`, { option: 'trunk' });
  }
  // An ephemeral SIP port: the command must work beside a running box on 5060.
  const settings: Settings = { ...opts.settings, sip: { ...opts.settings.sip, port: 0 } };
  const engine = await createEngine(settings, logger, opts.dataDir);
  await engine.start();
  try {
    logger.info({ to: isUri ? opts.target : maskNumber(opts.target), trunk: trunkName }, 'placing call');
    const call = engine.dial({
      to: opts.target,
      from: opts.from ?? settings.callerIds.find((c) => c.verified)?.number ?? 'anonymous',
      trunk: trunkName,
      ringTimeoutMs: opts.ringTimeoutMs ?? 30000,
      amd: Boolean(opts.voicemail),
    });
    // Every key of the call, in order: during the message and in the --collect-ms window after it.
    let keys = '';
    call.on('dtmf', (d) => { keys += d.digit; });
    const { ended, script: r, outcome } = await runScriptedCall(call, { message: opts.play, voicemail: opts.voicemail }, {
      amd: Boolean(opts.voicemail),
      ...(opts.collectMs ? { afterScript: () => call.collect({ max: 32, timeoutMs: opts.collectMs! }) } : {}),
    });
    return {
      ...ended,
      outcome,
      dtmf: keys,
      amd: r?.amd ?? null,
      messagePlayedMs: r?.messagePlayedMs ?? 0,
      messageCompleted: r?.messageCompleted ?? false,
    };
  } finally {
    await engine.close();
  }
}

export async function runCall(ctx: CommandContext): Promise<number> {
  const [rawTarget, extra] = ctx.positionals;
  if (!rawTarget || extra) throw new AppError('E_USAGE', `give exactly one number or sip: URI\nusage: ${USAGE}`);
  const playFile = requireString(ctx, 'play', USAGE);
  const settings = await new SettingsStore(SettingsStore.pathIn(ctx.dataDir)).load({ env: process.env });
  const play = await promptFor(ctx.dataDir, playFile, 'play');
  const vmFile = typeof ctx.values.voicemail === 'string' ? ctx.values.voicemail : undefined;
  const voicemail = vmFile ? await promptFor(ctx.dataDir, vmFile, 'voicemail') : undefined;
  const ringSec = optionalInt(ctx, 'ring-timeout');
  const trunk = typeof ctx.values.trunk === 'string' ? ctx.values.trunk : undefined;
  // A call placed outside any campaign's rules: the call.place action puts who placed it, on which
  // trunk, to whom (masked) in the audit log before the call exists, as actor `cli`.
  const placed = await runCliAction<{ report: Promise<CallReport> }>(ctx.dataDir, callPlace, { to: rawTarget, ...(trunk ? { trunk } : {}) }, {
    calls: {
      place: (req) => placeCall({
        dataDir: ctx.dataDir,
        settings,
        target: req.to,
        play,
        voicemail,
        trunk: req.trunk,
        from: typeof ctx.values.from === 'string' ? ctx.values.from : undefined,
        ringTimeoutMs: ringSec !== undefined ? ringSec * 1000 : undefined,
        collectMs: optionalInt(ctx, 'collect-ms'),
      }),
      trunks: settings.trunks.map((t) => t.name),
      defaultTrunk: settings.defaultTrunk ?? null,
    },
  });
  const report = await placed.report;
  if (ctx.json) {
    ctx.out(JSON.stringify({
      outcome: report.outcome,
      sipCode: report.sipCode,
      q850: report.q850,
      dtmf: report.dtmf,
      durations: report.durations,
      amd: report.amd,
      messagePlayedMs: report.messagePlayedMs,
      messageCompleted: report.messageCompleted,
      endedBy: report.endedBy,
    }));
  } else {
    const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
    ctx.out(`outcome: ${report.outcome} (SIP ${report.sipCode ?? '-'}, Q.850 ${report.q850 ?? '-'})`);
    ctx.out(`message: ${report.messageCompleted ? 'played to the end' : 'not played to the end'} (${secs(report.messagePlayedMs)})`);
    if (report.amd) ctx.out(`answering-machine detection: ${report.amd}`);
    ctx.out(`keys pressed: ${report.dtmf || 'none'}`);
    ctx.out(`durations: setup ${secs(report.durations.setupMs)}, ringing ${secs(report.durations.ringMs)}, talk ${secs(report.durations.talkMs)}; ended by ${report.endedBy}`);
  }
  // A call that did not connect is still a successful command: the outcome is the answer.
  return 0;
}

// Command-line entry: `appliance <command> [options]`. Every command takes --data <dir>
// (default ./data, or $STATE_DIRECTORY under systemd) and --json where it reports something.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { resolve } from 'node:path';
import { AppError, isAppError } from '../core/errors.ts';

export interface CommandContext {
  dataDir: string;
  json: boolean;
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
}

interface CommandSpec {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run: (ctx: CommandContext) => Promise<number>;
}

const common: NonNullable<ParseArgsConfig['options']> = {
  data: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

const COMMANDS: Record<string, CommandSpec> = {
  start: {
    summary: 'run the box (web UI, dialer, engine)',
    usage: 'appliance start [--http-port N] [--sip-port N] [--data DIR]',
    options: { 'http-port': { type: 'string' }, 'sip-port': { type: 'string' } },
    run: async (ctx) => (await import('./commands/start.ts')).runStart(ctx),
  },
  call: {
    summary: 'place one call, play a message, report DTMF and the outcome',
    usage: 'appliance call <number|sip:uri> --play <audio> [--voicemail <audio>] [--trunk NAME] [--from CALLERID] [--ring-timeout SEC] [--json] [--data DIR]',
    options: {
      play: { type: 'string' },
      voicemail: { type: 'string' },
      trunk: { type: 'string' },
      from: { type: 'string' },
      'ring-timeout': { type: 'string' },
      'collect-ms': { type: 'string' },
      transport: { type: 'string' },
    },
    run: async (ctx) => (await import('./commands/call.ts')).runCall(ctx),
  },
  import: {
    summary: 'import a contact list (CSV or XLSX) and print the import report',
    usage: 'appliance import <file> --list NAME [--country CC] [--json] [--data DIR]',
    options: { list: { type: 'string' }, country: { type: 'string' } },
    run: async (ctx) => (await import('./commands/import.ts')).runImport(ctx),
  },
  preflight: {
    summary: 'the compliance preflight report of a campaign: who would be called, who is blocked and why',
    usage: 'appliance preflight <campaign id or name> [--pack PACK] [--json] [--data DIR]',
    options: { pack: { type: 'string' } },
    run: async (ctx) => (await import('./commands/preflight.ts')).runPreflight(ctx),
  },
  audit: {
    summary: "check the audit log's hash chain (verify) or print it (list)",
    usage: 'appliance audit verify [--fleet-head JSON|@FILE] | list [--after N] [--json] [--data DIR]',
    options: { after: { type: 'string' }, 'fleet-head': { type: 'string' } },
    run: async (ctx) => (await import('./commands/audit.ts')).runAudit(ctx),
  },
  user: {
    summary: 'web UI users: list, add, set a role or a new password (e.g. a forgotten admin password), delete; with the box stopped',
    usage: 'appliance user list | add NAME --role ROLE --password-file FILE | set NAME [--role ROLE] [--password-file FILE] | delete NAME [--json] [--data DIR]',
    options: { role: { type: 'string' }, 'password-file': { type: 'string' } },
    run: async (ctx) => (await import('./commands/user.ts')).runUser(ctx),
  },
  provision: {
    summary: 'first boot: make the box identity and enrol with the fleet (provision.json, or a claim code with --fleet-url)',
    usage: 'appliance provision [--file provision.json] [--fleet-url https://H:P --ca-sha256 HEX] [--json] [--data DIR]',
    options: { file: { type: 'string' }, 'fleet-url': { type: 'string' }, 'ca-sha256': { type: 'string' } },
    run: async (ctx) => (await import('./commands/provision.ts')).runProvision(ctx),
  },
  sandbox: {
    summary: 'run the simulated public network (a trunk for demos, dry runs and benchmarks)',
    usage: 'appliance sandbox [--port N] [--bind ADDRESS] [--mix SPEC] [--keys SPEC] [--seed N] [--time-scale X] [--log FILE] [--json] [--data DIR]',
    options: { port: { type: 'string' }, bind: { type: 'string' }, mix: { type: 'string' }, keys: { type: 'string' }, seed: { type: 'string' }, 'time-scale': { type: 'string' }, log: { type: 'string' } },
    run: async (ctx) => (await import('./commands/sandbox.ts')).runSandbox(ctx),
  },
};

function helpText(): string {
  const lines = ['usage: appliance <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push('', 'Every command takes --data DIR (default ./data, or $STATE_DIRECTORY under systemd).', "Run 'appliance <command> --help' for its options.");
  return lines.join('\n');
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  // systemd may pass several folders separated by ':'; the first is ours.
  const fromSystemd = env.STATE_DIRECTORY?.split(':')[0];
  return resolve(fromSystemd || './data');
}

export async function main(argv: string[], io: { out?: (l: string) => void; err?: (l: string) => void } = {}): Promise<number> {
  const out = io.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const err = io.err ?? ((l: string) => process.stderr.write(l + '\n'));
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(helpText());
    return name ? 0 : 2;
  }
  const spec = COMMANDS[name];
  if (!spec) {
    err(`appliance: unknown command "${name}"\n\n${helpText()}`);
    return 2;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: { ...common, ...spec.options }, allowPositionals: true, strict: true });
  } catch (e) {
    err(`appliance ${name}: ${(e as Error).message}\nusage: ${spec.usage}`);
    return 2;
  }
  if (parsed.values.help) {
    out(`usage: ${spec.usage}\n\n${spec.summary}`);
    return 0;
  }
  // Whatever a command writes into the state folder (database, identity, recordings) is the owner's only.
  process.umask(0o077);
  const ctx: CommandContext = {
    dataDir: typeof parsed.values.data === 'string' ? resolve(parsed.values.data) : defaultDataDir(),
    json: parsed.values.json === true,
    positionals: parsed.positionals,
    values: parsed.values as CommandContext['values'],
    out,
    err,
  };
  try {
    return await spec.run(ctx);
  } catch (e) {
    if (isAppError(e)) {
      // The same code, where and field errors as the HTTP error body and the fleet's answer.
      if (ctx.json) out(JSON.stringify({ error: { ...e.toJSON(), ...(e.fields?.length ? { fields: e.fields } : {}) } }));
      err(`appliance ${name}: ${e.message} [${e.code}]`);
      return e.code === 'E_USAGE' ? 2 : 1;
    }
    err(`appliance ${name}: unexpected failure: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}

/** Helpers for commands' own option checks. */
export function requireString(ctx: CommandContext, key: string, usage: string): string {
  const v = ctx.values[key];
  if (typeof v !== 'string' || v === '') throw new AppError('E_USAGE', `--${key} is required\nusage: ${usage}`, { option: key });
  return v;
}

export function optionalInt(ctx: CommandContext, key: string): number | undefined {
  const v = ctx.values[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < 0) throw new AppError('E_USAGE', `--${key} must be a whole number, got "${String(v)}"`, { option: key });
  return n;
}

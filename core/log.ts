// pino logging: structured, one event per line. Phone numbers never appear above debug level:
// use maskNumber() (last digits) or hashNumber() (stable pseudonym) in log fields.
import { createHash } from 'node:crypto';
import { pino, destination, stdTimeFunctions, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

const REDACT = ['password', 'secret', '*.password', '*.secret', 'auth.password', 'trunk.password', 'headers.authorization', 'headers.cookie'];

export function createLogger(opts: { level?: string; name?: string; destination?: number | string } = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    name: opts.name ?? 'appliance',
    redact: { paths: REDACT, censor: '[secret]' },
    base: undefined,
    timestamp: stdTimeFunctions.isoTime,
  };
  const dest = destination({ dest: opts.destination ?? 2, sync: true });
  return pino(options, dest);
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** "+33612345678" -> "+33…5678": enough for staff to recognise, not enough to identify. */
export function maskNumber(n: string): string {
  const digits = n.replace(/[^0-9+]/g, '');
  if (digits.length <= 4) return '…';
  const cc = digits.startsWith('+') ? digits.slice(0, 3) : '';
  return `${cc}…${digits.slice(-4)}`;
}

/** Stable pseudonym for a number in logs and events (not a security hash; suppression uses its own). */
export function hashNumber(n: string): string {
  return createHash('sha256').update(`vba-log:${n}`).digest('hex').slice(0, 12);
}

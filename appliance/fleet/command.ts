// Fleet commands: parsed from untrusted MQTT payloads into typed values, and the answers first
// given remembered in SQLite by command id, so a repeat is answered again but never run twice.
import type { Db } from '../store/db.ts';
import { AppError } from '../errors.ts';

export type CampaignAction = 'campaign.start' | 'campaign.pause' | 'campaign.resume' | 'campaign.stop';

export type FleetCommand =
  | { id: string; expiresAt: number; type: CampaignAction | 'report.get'; data: { campaignId: number } }
  | { id: string; expiresAt: number; type: 'config.desired'; data: DesiredDocument };

/** The versioned desired configuration: a partial settings document merged into the stored one. */
export interface DesiredDocument {
  version: number;
  settings: Record<string, unknown>;
}

export interface CommandAnswer {
  data: unknown;
  status: 'ok' | 'error';
  /** Null when ok; 'expired' for an expired command; otherwise a message a person can act on. */
  error: string | null;
  /** The command id (null when the payload had none). */
  transaction: string | null;
}

export const COMMAND_TYPES = ['campaign.start', 'campaign.pause', 'campaign.resume', 'campaign.stop', 'report.get', 'config.desired'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(field: string, message: string): AppError {
  return new AppError('E_FLEET_COMMAND', `command field "${field}": ${message}`, { field });
}

/** The id alone, so that even an invalid command can be answered and remembered under it. */
export function commandIdOf(raw: unknown): string | null {
  return isObject(raw) && typeof raw.id === 'string' && raw.id.length >= 1 && raw.id.length <= 128 ? raw.id : null;
}

export function parseDesired(raw: unknown, field = 'data'): DesiredDocument {
  const bad = (f: string, m: string): AppError => new AppError('E_FLEET_CONFIG', `desired configuration field "${f}": ${m}`, { field: f });
  if (!isObject(raw)) throw bad(field, 'must be an object {version, settings}');
  if (!Number.isSafeInteger(raw.version) || (raw.version as number) < 1) throw bad(`${field}.version`, 'must be a whole number from 1 up');
  if (!isObject(raw.settings)) throw bad(`${field}.settings`, 'must be an object (a partial settings document)');
  return { version: raw.version as number, settings: raw.settings };
}

/** Parse a command payload; throws AppError E_FLEET_COMMAND naming the first bad field. */
export function parseCommand(raw: unknown): FleetCommand {
  if (!isObject(raw)) throw invalid('(root)', 'must be a JSON object {id, expiresAt, type, data}');
  const id = commandIdOf(raw);
  if (id === null) throw invalid('id', 'a string of 1 to 128 characters');
  let expiresAt: number;
  if (typeof raw.expiresAt === 'number' && Number.isFinite(raw.expiresAt)) expiresAt = raw.expiresAt;
  else if (typeof raw.expiresAt === 'string' && !Number.isNaN(Date.parse(raw.expiresAt))) expiresAt = Date.parse(raw.expiresAt);
  else throw invalid('expiresAt', 'an ISO 8601 date-time or epoch milliseconds');
  const type = raw.type;
  if (typeof type !== 'string' || !(COMMAND_TYPES as readonly string[]).includes(type)) throw invalid('type', `one of ${COMMAND_TYPES.join(', ')}`);
  if (type === 'config.desired') {
    try {
      return { id, expiresAt, type, data: parseDesired(raw.data) };
    } catch (e) {
      throw new AppError('E_FLEET_COMMAND', (e as Error).message.replace(/^desired configuration/, 'command'), (e as AppError).where);
    }
  }
  if (!isObject(raw.data)) throw invalid('data', 'must be an object {campaignId}');
  const campaignId = raw.data.campaignId;
  if (!Number.isSafeInteger(campaignId) || (campaignId as number) < 1) throw invalid('data.campaignId', 'the id of a campaign (a whole number)');
  return { id, expiresAt, type: type as CampaignAction | 'report.get', data: { campaignId: campaignId as number } };
}

/** Executed command ids and their first answers. */
export class CommandLog {
  constructor(private readonly db: Db) {}

  answerFor(id: string): CommandAnswer | null {
    const row = this.db.prepare('SELECT answer FROM fleet_commands WHERE id = ?').pluck().get(id) as string | undefined;
    return row === undefined ? null : (JSON.parse(row) as CommandAnswer);
  }

  /** Call inside the transaction that carried the command out, so both happen or neither. */
  remember(id: string, type: string, answer: CommandAnswer, now: number): void {
    this.db.prepare('INSERT OR IGNORE INTO fleet_commands (id, type, answer, executed_at) VALUES (?, ?, ?, ?)').run(id, type, JSON.stringify(answer), now);
  }

  /** Forget ids older than the broker could still redeliver (the session expiry). */
  prune(olderThan: number): number {
    return this.db.prepare('DELETE FROM fleet_commands WHERE executed_at < ?').run(olderThan).changes;
  }
}

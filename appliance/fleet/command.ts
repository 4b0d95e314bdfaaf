// Fleet commands: parsed from untrusted MQTT payloads into typed values, and the answers first
// given remembered in SQLite by command id, so a repeat is answered again but never run twice.
import type { Db } from '../store/db.ts';
import { AppError } from '../../core/errors.ts';
import type { CommandAnswer } from '../../core/fleet-wire.ts';

export type { CommandAnswer };

export type CampaignAction = 'campaign.start' | 'campaign.pause' | 'campaign.resume' | 'campaign.stop';

export type FleetCommand =
  | { id: string; expiresAt: number; type: CampaignAction | 'report.get'; data: { campaignId: number } }
  | { id: string; expiresAt: number; type: 'config.desired'; data: DesiredDocument }
  | { id: string; expiresAt: number; type: 'dnc.add'; data: DncAddData }
  | { id: string; expiresAt: number; type: 'dnc.remove'; data: DncRemoveData }
  | { id: string; expiresAt: number; type: 'list.import'; data: ListImportData }
  | { id: string; expiresAt: number; type: 'audit.verify'; data: AuditHeadData }
  | { id: string; expiresAt: number; type: 'certificate.install'; data: CertificateData }
  | { id: string; expiresAt: number; type: 'certificate.use-own'; data: Record<string, never> }
  | { id: string; expiresAt: number; type: 'campaign.pause-all'; data: Record<string, never> };

/** The web UI's certificate and its private key, PEM (checked by the certificate.install action). */
export interface CertificateData { cert: string; key: string }

/** The audit chain head the fleet holds (from the box's `audit.head` events). */
export interface AuditHeadData { seq: number; hash: string }

/** A number (E.164, or national in `country`) or, for an opt-out made on another box, its hash only. */
export interface DncAddData { number?: string; numberHash?: string; country?: string; reason?: string; campaignId?: number }
/** Removal needs the number itself (the box keeps only hashes) and a reason for the audit log. */
export interface DncRemoveData { number: string; country?: string; reason: string }
export interface ListImportData { url: string; list: string; country?: string; maxBytes?: number }

/** The versioned desired configuration: a partial settings document merged into the stored one. */
export interface DesiredDocument {
  version: number;
  settings: Record<string, unknown>;
}

export const COMMAND_TYPES = ['campaign.start', 'campaign.pause', 'campaign.resume', 'campaign.stop', 'report.get', 'config.desired', 'dnc.add', 'dnc.remove', 'list.import', 'audit.verify', 'certificate.install', 'certificate.use-own', 'campaign.pause-all'] as const;

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
  if (type === 'audit.verify') {
    if (!isObject(raw.data)) throw invalid('data', 'must be an object {seq, hash} (the head the fleet holds)');
    const { seq, hash } = raw.data;
    if (!Number.isSafeInteger(seq) || (seq as number) < 1) throw invalid('data.seq', 'the head\'s entry number (a whole number from 1)');
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) throw invalid('data.hash', 'the head\'s MAC (64 lower-case hex digits)');
    return { id, expiresAt, type, data: { seq: seq as number, hash } };
  }
  if (type === 'certificate.install') {
    if (!isObject(raw.data)) throw invalid('data', 'must be an object {cert, key} (PEM texts)');
    const cert = optString(raw.data, 'cert', (v) => v.length >= 1 && v.length <= 65536, 'the certificate, PEM (with its chain after it)');
    const key = optString(raw.data, 'key', (v) => v.length >= 1 && v.length <= 65536, 'its private key, PEM, without a passphrase');
    if (cert === undefined) throw invalid('data.cert', 'the certificate, PEM (with its chain after it)');
    if (key === undefined) throw invalid('data.key', 'its private key, PEM, without a passphrase');
    return { id, expiresAt, type, data: { cert, key } };
  }
  if (type === 'certificate.use-own') {
    if (raw.data !== undefined && !(isObject(raw.data) && Object.keys(raw.data).length === 0)) throw invalid('data', 'must be empty ({}) or left out');
    return { id, expiresAt, type, data: {} };
  }
  if (type === 'campaign.pause-all') {
    // The fleet's emergency stop: no campaign id, and nothing else accepted either.
    if (raw.data !== undefined && raw.data !== null && !(isObject(raw.data) && Object.keys(raw.data).length === 0)) throw invalid('data', 'must be empty ({}): every running campaign is paused');
    return { id, expiresAt, type, data: {} };
  }
  if (type === 'dnc.add' || type === 'dnc.remove' || type === 'list.import') {
    if (!isObject(raw.data)) throw invalid('data', 'must be an object');
    if (type === 'dnc.add') return { id, expiresAt, type, data: parseDncAdd(raw.data) };
    if (type === 'dnc.remove') return { id, expiresAt, type, data: parseDncRemove(raw.data) };
    return { id, expiresAt, type, data: parseListImport(raw.data) };
  }
  if (!isObject(raw.data)) throw invalid('data', 'must be an object {campaignId}');
  const campaignId = raw.data.campaignId;
  if (!Number.isSafeInteger(campaignId) || (campaignId as number) < 1) throw invalid('data.campaignId', 'the id of a campaign (a whole number)');
  return { id, expiresAt, type: type as CampaignAction | 'report.get', data: { campaignId: campaignId as number } };
}

function optString(d: Record<string, unknown>, key: string, test: (v: string) => boolean, what: string): string | undefined {
  const v = d[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !test(v)) throw invalid(`data.${key}`, what);
  return v;
}

const isCountry = (v: string): boolean => /^[A-Z]{2}$/.test(v);
const isNumberText = (v: string): boolean => v.length >= 3 && v.length <= 40;

function parseDncAdd(d: Record<string, unknown>): DncAddData {
  const number = optString(d, 'number', isNumberText, 'a phone number (E.164, or national with "country")');
  const numberHash = optString(d, 'numberHash', (v) => /^[0-9a-f]{64}$/.test(v), 'the number\'s hash (64 lower-case hex digits)');
  if ((number === undefined) === (numberHash === undefined)) throw invalid('data.number', 'give either "number" or "numberHash", not both');
  const country = optString(d, 'country', isCountry, 'a two-letter country code such as FR');
  const reason = optString(d, 'reason', (v) => v.length <= 200, 'at most 200 characters');
  const campaignId = d.campaignId;
  if (campaignId !== undefined && (!Number.isSafeInteger(campaignId) || (campaignId as number) < 1)) throw invalid('data.campaignId', 'the id of a campaign (a whole number)');
  return { ...(number ? { number } : {}), ...(numberHash ? { numberHash } : {}), ...(country ? { country } : {}), ...(reason ? { reason } : {}), ...(campaignId !== undefined ? { campaignId: campaignId as number } : {}) };
}

function parseDncRemove(d: Record<string, unknown>): DncRemoveData {
  if (d.numberHash !== undefined && d.number === undefined) throw invalid('data.number', 'removal needs the number itself (a hash cannot be checked against consent)');
  const number = optString(d, 'number', isNumberText, 'a phone number (E.164, or national with "country")');
  if (number === undefined) throw invalid('data.number', 'a phone number (E.164, or national with "country")');
  const reason = optString(d, 'reason', (v) => v.trim().length >= 3 && v.length <= 200, '3 to 200 characters saying why (kept in the audit log)');
  if (reason === undefined) throw invalid('data.reason', '3 to 200 characters saying why (kept in the audit log)');
  const country = optString(d, 'country', isCountry, 'a two-letter country code such as FR');
  return { number, reason, ...(country ? { country } : {}) };
}

function parseListImport(d: Record<string, unknown>): ListImportData {
  const url = optString(d, 'url', (v) => v.length <= 2048 && /^https?:\/\//i.test(v), 'an http:// or https:// URL on the LAN');
  if (url === undefined) throw invalid('data.url', 'an http:// or https:// URL on the LAN');
  const list = optString(d, 'list', (v) => v.trim().length >= 1 && v.length <= 100, 'the new list\'s name (1 to 100 characters)');
  if (list === undefined) throw invalid('data.list', 'the new list\'s name (1 to 100 characters)');
  const country = optString(d, 'country', isCountry, 'a two-letter country code such as FR');
  const maxBytes = d.maxBytes;
  if (maxBytes !== undefined && (!Number.isSafeInteger(maxBytes) || (maxBytes as number) < 1)) throw invalid('data.maxBytes', 'a whole number of bytes');
  return { url, list: list.trim(), ...(country ? { country } : {}), ...(maxBytes !== undefined ? { maxBytes: maxBytes as number } : {}) };
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

  /** Replace the remembered answer (a long job's final state, so a repeat of its id learns how it ended). */
  replace(id: string, answer: CommandAnswer): void {
    this.db.prepare('UPDATE fleet_commands SET answer = ? WHERE id = ?').run(JSON.stringify(answer), id);
  }

  /** Answers of one type (to find jobs a crash interrupted). */
  byType(type: string): Array<{ id: string; answer: CommandAnswer }> {
    return (this.db.prepare('SELECT id, answer FROM fleet_commands WHERE type = ?').all(type) as Array<{ id: string; answer: string }>)
      .map((r) => ({ id: r.id, answer: JSON.parse(r.answer) as CommandAnswer }));
  }

  /** Forget ids older than the broker could still redeliver (the session expiry). */
  prune(olderThan: number): number {
    return this.db.prepare('DELETE FROM fleet_commands WHERE executed_at < ?').run(olderThan).changes;
  }
}

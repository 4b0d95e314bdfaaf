// Untrusted MQTT payloads from boxes, parsed at the edge into typed values. A payload that does not
// parse is dropped with a reason (logged by the caller); it never reaches the database half-read.
import { parseInboundTopic } from '../core/fleet-topics.ts';
import { DNC_HASH, type CommandAnswer } from '../core/fleet-wire.ts';

export type Inbound =
  | { kind: 'event'; boxId: string; seq: number; type: string; payload: unknown; createdAt: string | null }
  | { kind: 'telemetry'; boxId: string; at: string; doc: Record<string, unknown> }
  | { kind: 'birth'; boxId: string; runId: string; connectedAt: string; version: string | null; configVersion: number | null; doc: Record<string, unknown> }
  | { kind: 'gone'; boxId: string; runId: string; doc: Record<string, unknown> }
  | { kind: 'reported'; boxId: string; status: 'applied' | 'rejected'; version: number | null; reason: string | null; doc: Record<string, unknown> }
  | { kind: 'response'; boxId: string; commandId: string; answer: CommandAnswer; final: boolean };

export class BadMessage extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isDate = (v: unknown): v is string => typeof v === 'string' && v.length <= 40 && !Number.isNaN(Date.parse(v));

/** Parses one message; throws BadMessage naming the topic and the field at fault. */
export function parseInbound(topic: string, payload: Buffer, correlationData?: Buffer): Inbound {
  const where = parseInboundTopic(topic);
  if (!where) throw new BadMessage(`${topic}: not a fleet topic`);
  const { boxId, kind } = where;
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new BadMessage(`${topic}: payload is not JSON`);
  }
  const bad = (field: string, what: string): BadMessage => new BadMessage(`${topic}: field "${field}" ${what}`);
  if (!isObject(body)) throw bad('(root)', 'must be a JSON object');
  if (body.boxId !== undefined && body.boxId !== boxId && kind !== 'response') throw bad('boxId', `says ${String(body.boxId)}, the topic says ${boxId}`);
  switch (kind) {
    case 'events': {
      if (!Number.isSafeInteger(body.seq) || (body.seq as number) < 1) throw bad('seq', 'must be a whole number from 1 up');
      if (typeof body.type !== 'string' || body.type.length === 0 || body.type.length > 64) throw bad('type', 'must be a short string');
      return { kind: 'event', boxId, seq: body.seq as number, type: body.type, payload: body.payload ?? null, createdAt: isDate(body.createdAt) ? body.createdAt : null };
    }
    case 'telemetry':
      if (!isDate(body.at)) throw bad('at', 'must be a date-time');
      return { kind: 'telemetry', boxId, at: body.at, doc: body };
    case 'status':
      if (typeof body.runId !== 'string' || body.runId.length === 0) throw bad('runId', 'must be a string');
      if (body.online === true) {
        if (!isDate(body.connectedAt)) throw bad('connectedAt', 'must be a date-time');
        return {
          kind: 'birth', boxId, runId: body.runId, connectedAt: body.connectedAt, doc: body,
          version: typeof body.version === 'string' ? body.version : null,
          configVersion: Number.isSafeInteger(body.configVersion) ? body.configVersion as number : null,
        };
      }
      if (body.online === false) return { kind: 'gone', boxId, runId: body.runId, doc: body };
      throw bad('online', 'must be true or false');
    case 'reported':
      if (body.status !== 'applied' && body.status !== 'rejected') throw bad('status', "must be 'applied' or 'rejected'");
      return { kind: 'reported', boxId, status: body.status, version: Number.isSafeInteger(body.version) ? body.version as number : null, reason: typeof body.reason === 'string' ? body.reason.slice(0, 500) : null, doc: body };
    case 'response': {
      const commandId = correlationData?.toString('utf8') ?? (typeof body.transaction === 'string' ? body.transaction : null);
      if (!commandId) throw bad('transaction', 'is missing (and no correlation data)');
      if (body.status !== 'ok' && body.status !== 'error') throw bad('status', "must be 'ok' or 'error'");
      const answer: CommandAnswer = { data: body.data ?? null, status: body.status, error: typeof body.error === 'string' ? body.error : null, transaction: typeof body.transaction === 'string' ? body.transaction : null };
      // A long job (list.import) first answers `accepted`, then `running`: only its end is final.
      const state = isObject(answer.data) ? answer.data.state : undefined;
      return { kind: 'response', boxId, commandId, answer, final: answer.status === 'error' || (state !== 'accepted' && state !== 'running') };
    }
  }
}

/** The hash an `optout` event carries, or null when the payload has none (never a number in clear). */
export function optOutHash(payload: unknown): { numberHash: string; channel: string | null } | null {
  if (!isObject(payload) || typeof payload.numberHash !== 'string' || !DNC_HASH.test(payload.numberHash)) return null;
  return { numberHash: payload.numberHash, channel: typeof payload.channel === 'string' ? payload.channel : null };
}

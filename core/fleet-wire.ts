// The shapes that cross the wire between a box and the fleet manager (appliance/fleet/README.md).
// Types only: each side parses untrusted payloads into these at its own edge.

/** `fleet/v1/<box>/status`, retained. A birth on every connect; the last will and a clean stop say offline. */
export type StatusMessage =
  | { online: true; boxId: string; bootId: string; runId: string; version: string; configVersion: number; startedAt: string; connectedAt: string; engine?: unknown; clock?: unknown }
  | { online: false; boxId: string; runId: string; at?: string };

/** `fleet/v1/<box>/events`, QoS 1, in seq order, at least once: deduplicate by (boxId, seq). */
export interface EventEnvelope {
  boxId: string;
  seq: number;
  type: string;
  payload: unknown;
  createdAt: string;
}

/** The payload of an `optout` event: only the number's hash ever leaves the box. */
export interface OptOutPayload {
  numberHash: string;
  channel: 'keypress' | 'staff' | 'fleet';
  campaignId: number | null;
  digit: string | null;
  at: string;
}

/** `fleet/v1/<box>/cmd`: with a response topic and correlation data (MQTT 5 properties). */
export interface CommandBody {
  id: string;
  /** ISO 8601 date-time or epoch milliseconds; an expired command is answered `expired` and not run. */
  expiresAt: string | number;
  type: string;
  data: unknown;
}

export interface CommandAnswer {
  data: unknown;
  status: 'ok' | 'error';
  /** Null when ok; 'expired' for an expired command; otherwise a message a person can act on. */
  error: string | null;
  /** The command id (null when the payload had none). */
  transaction: string | null;
}

/** `fleet/v1/<box>/config/desired`, retained, from the fleet. */
export interface DesiredDocument {
  version: number;
  settings: Record<string, unknown>;
}

/** `fleet/v1/<box>/config/reported`, retained, from the box. */
export interface ReportedConfig {
  version: number;
  status: 'applied' | 'rejected';
  reason: string | null;
  appliedVersion: number;
  at: string;
}

/** The hash a box keeps for a suppressed number: sha256("vba-dnc:v1:" + E.164), 64 lower-case hex digits. */
export const DNC_HASH = /^[0-9a-f]{64}$/;

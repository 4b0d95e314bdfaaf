// The live feed (GET /api/live, a WebSocket): each message is `{type, data, at}`. The events and their data
// are listed here once; the box publishes them (appliance/http/live-feed.ts) and the web UI reads them.
import { Type, type Static } from './kit.ts';
import { CountersEvent } from './campaigns.ts';
import { ImportProgressEvent } from './lists.ts';
import { Role } from './auth.ts';
import { LiveCall } from './staff.ts';

/** First message on every connection: who the socket belongs to. */
export const HelloEvent = Type.Object({ username: Type.String(), role: Role });

/** Every event of the feed, by type. */
export const LIVE_EVENTS = {
  hello: HelloEvent,
  'import.progress': ImportProgressEvent,
  'campaign.counters': CountersEvent,
  /** The live calls after each change (issue 16's listen-in; numbers as their last digits only). */
  'calls.live': Type.Object({ calls: Type.Array(LiveCall) }),
} as const;

export type LiveEvents = { [K in keyof typeof LIVE_EVENTS]: Static<(typeof LIVE_EVENTS)[K]> };
export type LiveType = keyof LiveEvents;

export interface LiveMessage<K extends LiveType = LiveType> {
  type: K;
  data: LiveEvents[K];
  /** ISO time the event was published. */
  at: string;
}

/** The feed's messages as one JSON Schema (for documentation: a WebSocket has no response schema). */
export const LiveMessageSchema = Type.Union(Object.entries(LIVE_EVENTS).map(([type, data]) => Type.Object({ type: Type.Literal(type), data, at: Type.String({ format: 'date-time' }) })));

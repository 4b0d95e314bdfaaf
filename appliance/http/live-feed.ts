// The live feed: typed events {type, data, at} pushed to every logged-in browser over GET /api/live
// (WebSocket). Any service may publish; a slow or dead client is dropped, never waited for.
// The events and their data are the API contract's (appliance/http/contract/live.ts): add an event there.
import type { LiveEvents, LiveMessage, LiveType } from './contract/live.ts';

export type { LiveEvents, LiveMessage, LiveType } from './contract/live.ts';
export type { ImportProgressEvent as ImportProgress } from './contract/lists.ts';

/** What the feed needs of a socket (a `ws` WebSocket fits). */
export interface LiveSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: 'close', listener: () => void): unknown;
}

interface Client {
  socket: LiveSocket;
  sessionIdHash: string;
}

const OPEN = 1;
// A browser this far behind has stopped reading; dropping it is kinder to the box than buffering.
const MAX_BUFFERED_BYTES = 1 << 20;
export const CLOSE_SESSION_ENDED = 4401;

export class LiveFeed {
  private readonly clients = new Set<Client>();
  private readonly listeners = new Set<(msg: LiveMessage) => void>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Sends an event to every connected browser and in-process subscriber. */
  publish<K extends LiveType>(type: K, data: LiveEvents[K]): void {
    const msg: LiveMessage<K> = { type, data, at: new Date(this.now()).toISOString() };
    const text = JSON.stringify(msg);
    for (const c of this.clients) this.sendTo(c, text);
    for (const l of this.listeners) {
      try {
        l(msg as LiveMessage);
      } catch {
        // A failing subscriber must not stop the others or the publisher.
      }
    }
  }

  /** In-process subscription (tests, other services); returns the unsubscribe function. */
  subscribe(listener: (msg: LiveMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Adds a browser connection; used by the /api/live route once the session is checked. */
  attach(socket: LiveSocket, sessionIdHash: string, hello: LiveEvents['hello']): void {
    const client: Client = { socket, sessionIdHash };
    this.clients.add(client);
    socket.on('close', () => this.clients.delete(client));
    this.sendTo(client, JSON.stringify({ type: 'hello', data: hello, at: new Date(this.now()).toISOString() } satisfies LiveMessage<'hello'>));
  }

  /** Closes the connections of sessions that have ended (logout, expiry, user deleted). */
  closeSessions(isLive: (sessionIdHash: string) => boolean): void {
    for (const c of this.clients) {
      if (!isLive(c.sessionIdHash)) this.drop(c, CLOSE_SESSION_ENDED, 'session ended');
    }
  }

  closeAll(): void {
    for (const c of this.clients) this.drop(c, 1001, 'server stopping');
  }

  get connections(): number {
    return this.clients.size;
  }

  private sendTo(c: Client, text: string): void {
    if (c.socket.readyState !== OPEN) return;
    if (c.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.drop(c, 1013, 'too slow');
      return;
    }
    try {
      c.socket.send(text);
    } catch {
      this.drop(c, 1011, 'send failed');
    }
  }

  private drop(c: Client, code: number, reason: string): void {
    this.clients.delete(c);
    try {
      c.socket.close(code, reason);
    } catch {
      // already closed
    }
  }
}

// One shared WebSocket to /api/live for the whole page: opened on the first subscription, reopened after
// a drop (with a growing pause), closed when nobody listens. Topics are the feed's event types.
type Callback = (data: unknown) => void;

const subs = new Map<string, Set<Callback>>();
let socket: WebSocket | null = null;
let retryMs = 1000;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
const CLOSE_SESSION_ENDED = 4401;

function count(): number {
  let n = 0;
  for (const s of subs.values()) n += s.size;
  return n;
}

function open(): void {
  if (socket || count() === 0) return;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live`;
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => {
    retryMs = 1000;
  };
  ws.onmessage = (ev) => {
    let msg: { type?: unknown; data?: unknown };
    try {
      msg = JSON.parse(String(ev.data)) as { type?: unknown; data?: unknown };
    } catch {
      return;
    }
    if (typeof msg.type !== 'string') return;
    for (const topic of [msg.type, '*']) {
      for (const cb of subs.get(topic) ?? []) {
        try {
          cb(topic === '*' ? msg : msg.data);
        } catch {
          // one page's bug must not stop the others' updates
        }
      }
    }
  };
  ws.onclose = (ev) => {
    if (socket === ws) socket = null;
    if (ev.code === CLOSE_SESSION_ENDED || count() === 0) return;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(open, retryMs);
    retryMs = Math.min(retryMs * 2, 15000);
  };
}

/** Calls cb with each event's data of that type ("*" gets whole {type, data, at} messages); returns the unsubscribe. */
export function subscribe(topic: string, cb: (data: unknown) => void): () => void {
  let set = subs.get(topic);
  if (!set) subs.set(topic, (set = new Set()));
  set.add(cb);
  open();
  return () => {
    set.delete(cb);
    if (count() === 0) {
      clearTimeout(retryTimer);
      const ws = socket;
      socket = null;
      ws?.close(1000, 'no listeners');
    }
  };
}

/** Reconnects now (after a new login). */
export function reconnectLive(): void {
  clearTimeout(retryTimer);
  retryMs = 1000;
  if (!socket) open();
}

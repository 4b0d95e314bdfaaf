// The box's live calls as staff may see them (issue 16's listen-in): campaign calls while they last,
// with no number in clear (its last digits only). The dialer adds each call it places and removes it when
// it has ended; the list tells its listener (the live feed) of every change.
import type { Call } from '../../core/call-port.ts';

/** One live call, as the web UI lists it. */
export interface LiveCallInfo {
  /** The engine's call id. */
  id: string;
  kind: 'campaign' | 'inbound';
  campaignId: number | null;
  campaignName: string | null;
  /** The number's last digits. */
  numberTail: string;
  /** Epoch ms the call was placed. */
  since: number;
  /** Answered (a call still ringing cannot be listened to). */
  answered: boolean;
}

export function numberTail(e164: string): string {
  return e164.replace(/\D/g, '').slice(-4);
}

export class LiveCallList {
  private readonly calls = new Map<string, { info: LiveCallInfo; call: Call }>();
  private readonly listeners = new Set<(calls: LiveCallInfo[]) => void>();

  /** Adds a call; returns the function that removes it. */
  add(call: Call, info: Omit<LiveCallInfo, 'id' | 'answered'>): () => void {
    const id = call.id;
    const entry = { info: { id, ...info, answered: call.state === 'answered' }, call };
    this.calls.set(id, entry);
    if (!entry.info.answered) {
      call.once('answered', () => {
        entry.info = { ...entry.info, answered: true };
        if (this.calls.get(id) === entry) this.changed();
      });
    }
    this.changed();
    return () => {
      if (this.calls.delete(id)) this.changed();
    };
  }

  list(): LiveCallInfo[] {
    return [...this.calls.values()].map((c) => c.info).sort((a, b) => a.since - b.since);
  }

  get(id: string): { info: LiveCallInfo; call: Call } | null {
    return this.calls.get(id) ?? null;
  }

  /** Called with the whole list after each change; returns the unsubscribe. */
  onChange(fn: (calls: LiveCallInfo[]) => void): () => void {
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  }

  private changed(): void {
    const list = this.list();
    for (const fn of this.listeners) {
      try {
        fn(list);
      } catch {
        // A failing listener must not stop the dialer.
      }
    }
  }
}

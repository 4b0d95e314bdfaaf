// Since when each trunk has been in its present health, from the engine's 'trunk' events, so a
// campaign whose lines are all down can say "down since 14:02, the box keeps retrying".
import type { CallEngine, TrunkHealth, TrunkStatus } from '../../core/call-port.ts';

export interface TrunkState {
  name: string;
  health: TrunkHealth;
  lastError: string | null;
  /** Epoch ms since the trunk has had this health (the watch's start when it already had it then). */
  since: number;
}

/** A trunk that cannot carry a call now: its registration or pings fail, its server is away, or it is turned off. */
export function trunkUnusable(h: TrunkHealth): boolean {
  return h === 'down' || h === 'paused';
}

export class TrunkWatch {
  readonly name = 'trunk-watch';
  private readonly states = new Map<string, TrunkState>();

  /** `onChange`: a trunk's health changed (the pages of running campaigns then show it at once). */
  constructor(private readonly engine: Pick<CallEngine, 'trunks' | 'on' | 'off'>, private readonly now: () => number = Date.now, private readonly onChange?: (s: TrunkState) => void) {}

  async start(): Promise<void> {
    for (const s of this.engine.trunks()) this.note(s);
    this.engine.on('trunk', this.note);
  }

  async stop(): Promise<void> {
    this.engine.off('trunk', this.note);
  }

  /** The trunk's health now (read from the engine) and since when it has had it. */
  state(name: string): TrunkState | null {
    const s = this.engine.trunks().find((x) => x.name === name);
    if (!s) return null;
    this.note(s);
    return { ...this.states.get(name)! };
  }

  private readonly note = (s: TrunkStatus): void => {
    const known = this.states.get(s.name);
    if (known && known.health === s.health) {
      known.lastError = s.lastError;
      return;
    }
    const state = { name: s.name, health: s.health, lastError: s.lastError, since: this.now() };
    this.states.set(s.name, state);
    if (known) this.onChange?.({ ...state });
  };
}

// The calls an engine has in progress: counted until they end, and hung up together when the engine
// closes (politely first, then at once).
export interface LiveCall {
  readonly done: Promise<unknown>;
  hangup(reason?: string): Promise<void>;
  /** End at once without waiting for the far end. */
  forceEnd(reason: string): void;
}

export class LiveCalls<C extends LiveCall> {
  private readonly calls = new Set<C>();

  get size(): number {
    return this.calls.size;
  }

  /** Count the call until it ends; returns it. */
  add(call: C): C {
    this.calls.add(call);
    void call.done.then(() => this.calls.delete(call));
    return call;
  }

  /** Hang every call up, give them graceMs to end, then end what is left without waiting. */
  async hangUpAll(graceMs = 5000): Promise<void> {
    const hangups = [...this.calls].map((c) => c.hangup('engine-closing').catch(() => {}));
    await Promise.race([Promise.all(hangups), new Promise((r) => setTimeout(r, graceMs).unref())]);
    for (const c of this.calls) c.forceEnd('engine closed');
  }
}

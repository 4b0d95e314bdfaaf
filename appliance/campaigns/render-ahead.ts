// Personalised messages (`tts` campaigns) rendered a bounded window ahead of the dialer: the next
// `window` contacts in the dialer's own order, looked at again as the dialer moves on. Memory and work
// per round stay the same whatever the size of the list (the whole list used to be loaded at start).
import type { Logger } from '../../core/log.ts';
import type { CampaignRow, CampaignsRepo, DueContact } from '../store/campaigns-repo.ts';

export interface RenderAheadDeps {
  repo: CampaignsRepo;
  /** Render these contacts' messages (those already rendered are skipped); failures by index in `contacts`. */
  render: (campaign: CampaignRow, contacts: DueContact[]) => Promise<{ rendered: number; failed: Array<{ index: number; message: string }> }>;
  /** A contact's message cannot be rendered (the dialer blocks the contact). */
  onFailed: (campaignId: number, contactId: number, message: string) => void;
  logger?: Logger;
  /** Contacts rendered ahead of the dialer (default 64). */
  window?: number;
  /** How long to wait before looking again once the window is rendered, in ms (default 1000). */
  idleMs?: number;
}

export class RenderAhead {
  private readonly loops = new Map<number, Promise<void>>();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  constructor(private readonly deps: RenderAheadDeps) {}

  /** Keep the window ahead of the dialer rendered for this campaign while it runs or is paused. */
  follow(campaignId: number): void {
    if (this.closed || this.loops.has(campaignId)) return;
    const loop = this.run(campaignId).catch((e: unknown) => {
      this.deps.logger?.error({ campaignId, err: (e as Error).message }, 'rendering personalised messages failed');
    }).finally(() => this.loops.delete(campaignId));
    this.loops.set(campaignId, loop);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [t, wake] of this.timers) {
      clearTimeout(t);
      wake();
    }
    this.timers.clear();
    await Promise.all([...this.loops.values()]);
  }

  private async run(campaignId: number): Promise<void> {
    const window = this.deps.window ?? 64;
    let rendered = 0;
    while (!this.closed) {
      const campaign = this.deps.repo.get(campaignId);
      if (!campaign.config.tts || (campaign.status !== 'running' && campaign.status !== 'paused')) break;
      const contacts = this.deps.repo.upcoming(campaignId, window);
      const r = await this.deps.render(campaign, contacts);
      rendered += r.rendered;
      for (const f of r.failed) this.deps.onFailed(campaignId, contacts[f.index]!.contactId, f.message);
      // Nothing new to render: the dialer has not moved on yet.
      if (r.rendered === 0) await this.sleep(this.deps.idleMs ?? 1000);
    }
    this.deps.logger?.info({ campaignId, rendered }, 'personalised messages rendered ahead of the dialer');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      t.unref();
      this.timers.set(t, resolve);
    });
  }
}

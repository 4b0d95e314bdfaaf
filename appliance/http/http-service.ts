// The HTTP service: JSON API under /api, live feed, static web UI. The constructor only stores its
// dependencies; start() builds the app, creates the first admin if needed and listens; stop() undoes it.
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { buildApp } from './build-app.ts';
import type { HttpContext, HttpDeps } from './context.ts';
import { ensureFirstAdmin } from './first-admin.ts';
import { LiveFeed } from './live-feed.ts';
import type { RouteRecord, RouteTable } from './openapi.ts';
import { purgeUploads } from './uploads.ts';

export type { HttpDeps } from './context.ts';

const HOUSEKEEPING_MS = 30_000;

export class HttpService {
  readonly name = 'http';
  /** Publish live events here (import progress, campaign counters, ...); usable before start(). */
  readonly live: LiveFeed;
  private built: { app: FastifyInstance; ctx: HttpContext; routes: RouteTable } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private boundPort = 0;

  constructor(private readonly deps: HttpDeps) {
    this.live = deps.live ?? new LiveFeed(deps.now);
  }

  /** The port actually bound (settings.http.port 0 picks a free one); 0 before start(). */
  get port(): number {
    return this.boundPort;
  }

  /** The fastify instance (for inject() in tests); throws before start(). */
  get app(): FastifyInstance {
    if (!this.built) throw new Error('HttpService not started');
    return this.built.app;
  }

  /** Every registered route (method, url, access, schema), from the server's own onRoute hook. */
  get routes(): readonly RouteRecord[] {
    if (!this.built) throw new Error('HttpService not started');
    return this.built.routes.routes;
  }

  async start(): Promise<void> {
    const { settingsStore, logger } = this.deps;
    const built = await buildApp(this.deps, this.live);
    this.built = built;
    try {
      await ensureFirstAdmin({
        users: () => settingsStore.stored().users,
        updateSettings: built.ctx.updateSettings,
        initialAdminPassword: this.deps.initialAdminPassword,
        out: this.deps.out ?? ((line) => process.stdout.write(line + '\n')),
        logger,
      });
      await this.housekeeping();
      const { port, bindAddress } = settingsStore.get().http;
      await built.app.listen({ port, host: bindAddress });
      this.boundPort = (built.app.server.address() as AddressInfo).port;
    } catch (e) {
      await built.app.close().catch(() => undefined);
      this.built = null;
      throw e;
    }
    this.timer = setInterval(() => void this.housekeeping(), HOUSEKEEPING_MS);
    this.timer.unref();
    logger.info({ svc: 'http', address: settingsStore.get().http.bindAddress, port: this.boundPort }, 'web UI and API listening');
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (!this.built) return;
    this.live.closeAll();
    await this.built.app.close();
    this.built = null;
    this.boundPort = 0;
  }

  private async housekeeping(): Promise<void> {
    const ctx = this.built?.ctx;
    if (!ctx) return;
    try {
      ctx.sessions.purgeExpired();
      this.live.closeSessions((h) => ctx.sessions.isLive(h));
      await purgeUploads(ctx.uploadsDir, ctx.now());
    } catch (e) {
      this.deps.logger.warn({ svc: 'http', err: (e as Error).message }, 'HTTP housekeeping failed');
    }
  }
}

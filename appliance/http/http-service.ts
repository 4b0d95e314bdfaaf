// The HTTP service: JSON API under /api, live feed, static web UI. The constructor only stores its
// dependencies; start() builds the app, creates the first admin if needed and listens; stop() undoes it.
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { RequestListener, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { dualProtocolServer, redirectServer } from './tls/serve.ts';
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
  private boundRedirectPort: number | null = null;
  private redirect: HttpServer | null = null;
  private unwatchTls: (() => void) | null = null;

  constructor(private readonly deps: HttpDeps) {
    this.live = deps.live ?? new LiveFeed(deps.now);
  }

  /** The port actually bound (settings.http.port 0 picks a free one); 0 before start(). */
  get port(): number {
    return this.boundPort;
  }

  /** Whether the port speaks HTTPS (settings http.tls.enabled and a certificate given). */
  get https(): boolean {
    return this.deps.tls !== undefined;
  }

  /** The plain-HTTP redirect port actually bound (settings http.tls.redirectPort); null when none. */
  get redirectPort(): number | null {
    return this.boundRedirectPort;
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
    const { settingsStore, logger, tls } = this.deps;
    let server: HttpsServer | null = null;
    let handler: RequestListener | null = null;
    const built = await buildApp(this.deps, this.live, tls ? {
      serverFactory: (h) => {
        handler = h;
        server = dualProtocolServer(h, tls.current());
        return server;
      },
      httpsPort: () => this.boundPort,
    } : undefined);
    this.built = built;
    // The first-start login line is printed once the web UI answers, not before: whoever reads it
    // (staff at the console, systemd's journal, a script) can log in at once. If the web UI cannot
    // listen, it is printed all the same: the admin is kept, and its password must not be lost.
    const out = this.deps.out ?? ((l: string) => process.stdout.write(`${l}\n`));
    const loginLines: string[] = [];
    try {
      await ensureFirstAdmin({
        users: () => settingsStore.stored().users,
        updateSettings: built.ctx.updateSettings,
        initialAdminPassword: this.deps.initialAdminPassword,
        out: (line) => { loginLines.push(line); },
        logger,
      });
      await this.housekeeping();
      const { port, bindAddress } = settingsStore.get().http;
      await built.app.listen({ port, host: bindAddress });
      this.boundPort = (built.app.server.address() as AddressInfo).port;
      if (tls && server && handler) {
        const https: HttpsServer = server;
        // An installed, reverted or remade certificate is served to the next connection, without a restart.
        this.unwatchTls = tls.onChange((c) => https.setSecureContext({ key: c.key, cert: c.cert }));
        const redirectPort = settingsStore.get().http.tls.redirectPort;
        if (redirectPort !== null) await this.listenRedirect(redirectPort, bindAddress, handler, https);
      }
    } catch (e) {
      for (const line of loginLines) out(line);
      await built.app.close().catch(() => undefined);
      this.built = null;
      throw e;
    }
    this.timer = setInterval(() => void this.housekeeping(), HOUSEKEEPING_MS);
    this.timer.unref();
    for (const line of loginLines) out(line);
    logger.info({ svc: 'http', address: settingsStore.get().http.bindAddress, port: this.boundPort, https: this.https, redirectPort: this.boundRedirectPort }, 'web UI and API listening');
  }

  /** The plain-HTTP port that only redirects; a port the box may not take is said, and the box goes on without it. */
  private async listenRedirect(port: number, host: string, handler: RequestListener, https: HttpsServer): Promise<void> {
    const server = redirectServer(handler, https);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port, host }, () => { server.off('error', reject); resolve(); });
      });
      this.redirect = server;
      this.boundRedirectPort = (server.address() as AddressInfo).port;
    } catch (e) {
      this.deps.logger.warn({ svc: 'http', port, err: (e as Error).message }, `the plain-HTTP redirect port ${port} cannot be opened (ports under 1024 need CAP_NET_BIND_SERVICE); HTTPS is served on ${this.boundPort} all the same`);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unwatchTls?.();
    this.unwatchTls = null;
    if (this.redirect) {
      const r = this.redirect;
      this.redirect = null;
      this.boundRedirectPort = null;
      await new Promise<void>((resolve) => { r.close(() => resolve()); r.closeAllConnections(); });
    }
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
      // New addresses (DHCP, a second interface) get a certificate that names them.
      await this.deps.tls?.refresh();
    } catch (e) {
      this.deps.logger.warn({ svc: 'http', err: (e as Error).message }, 'HTTP housekeeping failed');
    }
  }
}

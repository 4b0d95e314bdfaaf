// Builds the fastify app: route table and guard first (they must see every route), then the error
// handler, plugins, each route module in its own encapsulated scope, extra routes, and the static UI.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import { readFileSync } from 'node:fs';
import type { RequestListener, Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { installHttpsRedirect } from './tls/serve.ts';
import { tlsRoutes } from './routes/tls.ts';
import { join } from 'node:path';
import type { Settings } from '../../core/settings-types.ts';
import type { HttpContext, HttpDeps, RouteModule } from './context.ts';
import { defaultContactsPort } from './contacts-port.ts';
import { installErrorHandler } from './error-handler.ts';
import { installGuard } from './guard.ts';
import { installJsonBodyParser } from './json-body.ts';
import { LiveFeed } from './live-feed.ts';
import { DEFAULT_LOGIN_LIMIT, LoginLimiter } from './login-limiter.ts';
import { buildOpenApi, RouteTable } from './openapi.ts';
import { replyShape } from './reply-shape.ts';
import { publicRoute } from './route-kit.ts';
import { authRoutes } from './routes/auth.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { healthRoutes } from './routes/health.ts';
import { listsRoutes } from './routes/lists.ts';
import { liveRoutes } from './routes/live.ts';
import { sipSocketRoutes } from './sip-socket.ts';
import { settingsRoutes } from './routes/settings.ts';
import { usersRoutes } from './routes/users.ts';
import { DEFAULT_SESSION_TIMES, SessionStore } from './sessions.ts';
import { DEFAULT_WEB_ROOT, staticUi } from './static-ui.ts';
import { DEFAULT_UPLOAD_LIMIT } from './uploads.ts';
import { ActionRunner } from '../actions/run.ts';
import { AppError } from '../../core/errors.ts';
import { staffOf } from './staff-audit.ts';
import { ACTIONS } from '../actions/registry.ts';

export const BUILTIN_ROUTES: RouteModule[] = [authRoutes, healthRoutes, dashboardRoutes, settingsRoutes, usersRoutes, listsRoutes, liveRoutes, tlsRoutes, sipSocketRoutes];

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface BuiltApp {
  app: FastifyInstance;
  ctx: HttpContext;
  routes: RouteTable;
}

export function createContext(deps: HttpDeps, live: LiveFeed): HttpContext {
  const now = deps.now ?? Date.now;
  const sessionTimes = deps.sessionTimes ?? DEFAULT_SESSION_TIMES;
  let queue: Promise<unknown> = Promise.resolve();
  const updateSettings = (change: (draft: Settings) => void): Promise<Settings> => {
    const next = queue.then(() => deps.settingsStore.update(change));
    queue = next.catch(() => undefined);
    return next;
  };
  const sessions = new SessionStore(deps.db, sessionTimes, now);
  const contacts = deps.contacts ?? defaultContactsPort(deps.db);
  return {
    deps,
    sessions,
    sessionTimes,
    limiter: new LoginLimiter(deps.loginLimit ?? DEFAULT_LOGIN_LIMIT, now),
    live,
    contacts,
    uploadsDir: join(deps.dataDir, 'uploads'),
    uploadLimitBytes: deps.uploadLimitBytes ?? DEFAULT_UPLOAD_LIMIT,
    startedAt: now(),
    version: VERSION,
    now,
    updateSettings,
    actions: new ActionRunner({
      db: deps.db, now, logger: deps.logger, country: () => deps.settingsStore.get().box.country,
      settings: { stored: () => deps.settingsStore.stored(), current: () => deps.settingsStore.get(), update: updateSettings },
      contacts,
      // A user whose access ended or changed loses their sessions, and their live feed with them.
      endSessions: (username) => {
        sessions.deleteForUser(username);
        live.closeSessions((h) => sessions.isLive(h));
      },
      ...(deps.campaigns ? { campaigns: deps.campaigns } : {}),
      ...(deps.tls ? { tls: deps.tls } : {}),
      ...deps.actionPorts,
    }, ACTIONS),
  };
}

/** How the app is served over HTTPS (http-service.ts): the server it runs on, and the port HTTP redirects to. */
export interface ServeOptions {
  serverFactory: (handler: RequestListener) => Server | HttpsServer;
  httpsPort: () => number;
}

export async function buildApp(deps: HttpDeps, live: LiveFeed = deps.live ?? new LiveFeed(deps.now), serve?: ServeOptions): Promise<BuiltApp> {
  const ctx = createContext(deps, live);
  const app = Fastify({
    ...(serve ? { serverFactory: serve.serverFactory as never } : {}),
    loggerInstance: deps.logger.child({ svc: 'http' }),
    // Request lines are logged by our own hook, without query strings (they can hold phone numbers).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // allErrors: a settings form shows every wrong field at once, not one per round trip.
    ajv: { customOptions: { allErrors: true } },
  }) as unknown as FastifyInstance;

  // First, so its onRequest hook marks upgrade requests before the guard may refuse them; otherwise a
  // refused upgrade leaves its socket open and close() waits for it.
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  const routes = new RouteTable();
  routes.install(app);
  // After the route table (the OpenAPI document keeps the contract's unions): each route's reply is written
  // with a shape whose unions of plain values need no validator compiled on its first reply (reply-shape.ts).
  app.addHook('onRoute', (route) => {
    if (route.schema?.response) route.schema = { ...route.schema, response: replyShape(route.schema.response) };
  });
  // Before the guard: plain HTTP from the LAN is sent to HTTPS whatever the route and the session.
  if (serve) installHttpsRedirect(app, serve.httpsPort);
  installGuard(app, { sessions: ctx.sessions, users: () => deps.settingsStore.get().users });
  installErrorHandler(app, (req, action, code, message, fields) => {
    if (!req.session) return; // no staff member to name: a request without a session changes nothing
    ctx.actions.refused(staffOf(req), action, new AppError(code, message, undefined, { fields }));
  });
  installJsonBodyParser(app);
  app.addHook('onResponse', async (req, reply) => {
    const fields = { method: req.method, route: req.routeOptions.url ?? '(none)', status: reply.statusCode, ms: Math.round(reply.elapsedTime), user: req.session?.username };
    if (reply.statusCode >= 500) req.log.warn(fields, 'request');
    else if (req.method === 'GET' || req.method === 'HEAD') req.log.debug(fields, 'request');
    else req.log.info(fields, 'request');
  });

  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
  });

  for (const mod of BUILTIN_ROUTES) await app.register(async (scope) => mod(scope, ctx));

  let openapi: Record<string, unknown> | undefined; // routes are fixed once the server is ready
  app.get('/api/openapi.json', {
    config: publicRoute(),
    schema: { summary: 'This OpenAPI document', tags: ['api'], response: { 200: { type: 'object', additionalProperties: true } } },
  }, async () => (openapi ??= buildOpenApi(routes, { title: 'Voice-broadcast appliance API', version: VERSION })));

  for (const mod of deps.extraRoutes ?? []) await app.register(async (scope) => mod(scope, ctx));

  await app.register(async (scope) => staticUi(scope, deps.webRoot ?? DEFAULT_WEB_ROOT));
  return { app, ctx, routes };
}

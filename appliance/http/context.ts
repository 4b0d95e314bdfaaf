// What the HTTP service is given (HttpDeps) and what its route modules share (HttpContext).
import type { FastifyInstance } from 'fastify';
import type { CallEngine } from '../../core/call-port.ts';
import type { SettingsStore } from '../config/settings.ts';
import type { Settings } from '../../core/settings-types.ts';
import type { Logger } from '../../core/log.ts';
import type { Db } from '../store/db.ts';
import type { ContactsPort } from './contacts-port.ts';
import type { LiveFeed } from './live-feed.ts';
import type { LoginLimit, LoginLimiter } from './login-limiter.ts';
import type { SessionStore, SessionTimes } from './sessions.ts';
import type { ClockStatus } from '../system/clock.ts';
import type { ToolStatus } from '../../media/prompts/tools.ts';
import type { ActionRunner } from '../actions/run.ts';
import type { ActionEnv, CampaignActionsPort } from '../actions/action.ts';
import type { TlsCertificates } from './tls/certificate-store.ts';

export type RouteModule = (app: FastifyInstance, ctx: HttpContext) => void;

export interface HttpDeps {
  settingsStore: SettingsStore;
  db: Db;
  logger: Logger;
  /** State folder; uploads go to <dataDir>/uploads. */
  dataDir: string;
  /** Only trunks(), activeCalls() and name are used (health route). */
  engine: Pick<CallEngine, 'name' | 'trunks' | 'activeCalls' | 'servers' | 'mediaStats' | 'acceptStaffSocket'>;
  /** Whether a web user may take calls (the browser softphone's WebSocket, issue 16); absent: nobody may. */
  mayTakeCalls?: (username: string) => boolean;
  /** More routes (campaigns, ...), registered after the built-in ones; each must declare access and schemas. */
  extraRoutes?: Array<RouteModule | ((app: FastifyInstance) => void)>;
  /** First admin's password from provisioning; without it a random one is printed once on stdout. */
  initialAdminPassword?: string;
  /** Share one feed with the services that publish to it; created when absent (see HttpService.live). */
  live?: LiveFeed;
  /** Where the one-time first-start password line goes; default process.stdout. */
  out?: (line: string) => void;
  /** Clock (sessions, rate limit); default Date.now. */
  now?: () => number;
  /** Built web UI folder; default <repo>/web-ui/dist. */
  webRoot?: string;
  /** Largest contact-list upload in bytes; default 200 MB. */
  uploadLimitBytes?: number;
  sessionTimes?: SessionTimes;
  loginLimit?: LoginLimit;
  /** Contact-list import; default the appliance/contacts module. */
  contacts?: ContactsPort;
  /** Clock synchronisation state for /api/health (appliance/system/clock.ts). */
  clock?: () => ClockStatus;
  /** The campaign service, for the campaign actions (appliance/actions); absent in builds without campaigns. */
  campaigns?: CampaignActionsPort;
  /** Debian audio tools present or missing, for /api/health (media/prompts/tools.ts). */
  tools?: () => readonly ToolStatus[];
  /**
   * The box's certificate (http/tls/): with it, the port speaks HTTPS (and plain HTTP only on loopback;
   * from the LAN it redirects), the session cookie is Secure over HTTPS, and the certificate actions
   * work. main.ts gives it when settings http.tls.enabled is true.
   */
  tls?: TlsCertificates;
  /** What the composition root gives the actions besides the store: the recording library, the verifier, the engine. */
  actionPorts?: Pick<ActionEnv, 'recordings' | 'verifier' | 'engine' | 'flowTrial' | 'browserWalk' | 'listenIn'>;
}

export interface HttpContext {
  deps: HttpDeps;
  sessions: SessionStore;
  sessionTimes: SessionTimes;
  limiter: LoginLimiter;
  live: LiveFeed;
  contacts: ContactsPort;
  uploadsDir: string;
  uploadLimitBytes: number;
  startedAt: number;
  version: string;
  now: () => number;
  /** Settings changes made through the API, one at a time (the store's update is read-modify-write). */
  updateSettings(change: (draft: Settings) => void): Promise<Settings>;
  /** Every state-changing route runs its action here: validation, role, audit (appliance/actions). */
  actions: ActionRunner;
}

// Composition root: builds every service, starts them in order, stops them in reverse.
// Constructors only store what they are given; work happens in start() and stop().
// With engine.ts (the engine factory it calls), the one place in appliance/ that knows which call engine exists.
import { allPrompts } from './flows/model.ts';
import { flowOf } from './campaigns/model.ts';
import { TrunkWatch } from './campaigns/trunk-watch.ts';
import { join } from 'node:path';
import type { CallEngine, PromptRef } from '../core/call-port.ts';
import { createEngine } from './engine.ts';
// Kept for callers of the box's API that took the factory from here.
export { createEngine };
import type { Settings } from '../core/settings-types.ts';
import { SettingsStore, weakEngineSecrets } from './config/settings.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { openStore, type Db } from './store/db.ts';
import { StateLock } from './state-lock.ts';
import { AppError } from '../core/errors.ts';
import { sweepInterruptedImports } from './contacts/import.ts';
import { RecordingLibrary } from './recordings.ts';
import { Dialer } from './campaigns/dialer.ts';
import { systemTimerClock } from '../core/time.ts';
import { CampaignService } from './campaigns/service.ts';
import { HttpService } from './http/http-service.ts';
import { LiveFeed } from './http/live-feed.ts';
import { RenderAhead } from './campaigns/render-ahead.ts';
import { BrowserWalk } from './flows/browser-walk.ts';
import { LiveCallList } from './staff/live-call-list.ts';
import { ListenIn } from './staff/listen-in.ts';
import { staffCallRoutes } from './http/routes/staff-calls.ts';
import { FlowTrial } from './flows/trial.ts';
import { ContactsRepo } from './store/contacts-repo.ts';
import type { TrialCallee } from './http/contract/flows.ts';
import { campaignRoutes } from './http/routes/campaigns.ts';
import { recordingRoutes } from './http/routes/recordings.ts';
import { trunkTestRoutes } from './http/routes/trunk-test.ts';
import { flowRoutes } from './http/routes/flows.ts';
import { personalFields } from './campaigns/personal-fields.ts';
import type { FleetAgent } from './fleet/agent.ts';
import { firstBootNeeded, runFirstBoot } from '../provisioning/first-boot.ts';
import { provisioningStatus, type ProvisioningStatus } from '../provisioning/box-identity.ts';
import { provisioningRoutes } from './http/routes/provisioning.ts';
import { campaignPack, createComplianceGate } from './compliance/gate.ts';
import { callerIdPresentable, checkCampaignStart } from './compliance/campaign-start.ts';
import { complianceRoutes } from './http/routes/compliance.ts';
import { callerIdRoutes } from './http/routes/caller-ids.ts';
import { CallerIdVerifier } from './compliance/caller-id-verify.ts';
import { verificationPrompts } from './compliance/verification-prompts.ts';
import { createRequire } from 'node:module';
import { PromptRenderer, type RenderItem } from '../media/prompts/renderer.ts';
import { SettingsStaffDirectory } from './staff/directory.ts';
import { TransferService } from './staff/transfer.ts';
import { StaffCallOutService } from './staff/call-out.ts';
import { holdMusic } from './staff/hold-music.ts';
import { InboundService } from './inbound/inbound-service.ts';
import { staffRoutes } from './http/routes/staff.ts';
import type { RecentCall } from './inbound/recent.ts';
import { detectTools, missingToolsMessage, type ToolStatus } from '../media/prompts/tools.ts';
import type { CampaignRow, DueContact } from './store/campaigns-repo.ts';
import { SystemdNotifier } from './system/notify.ts';
import { ClockMonitor, systemClockReader, type ClockReader } from './system/clock.ts';
import { TlsCertificates } from './http/tls/certificate-store.ts';
import { webUiLine } from './http/tls/console-line.ts';

const APP_VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export interface Service {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A box with no real trunk dials the sandbox (a simulated public network on loopback). */
export function needsSandbox(s: Settings): boolean {
  return !s.trunks.some((t) => t.enabled);
}

export interface ApplianceOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  /** Command-line overrides (not persisted). */
  overrides?: Array<(s: Settings) => void>;
  logger?: Logger;
  /** Where the first-start admin password line goes (default stdout). */
  out?: (line: string) => void;
  /** Options for the built-in sandbox (tests: seed, time scale). */
  sandbox?: { seed?: number; timeScale?: number; mix?: string; rtpPortMin?: number; rtpPortMax?: number; timings?: { noAnswerCapMs?: number } };
  now?: () => number;
  /** Reads the clock synchronisation state (default: systemd-timesyncd / timedatectl). */
  clockReader?: ClockReader;
  /** Tests: the caller-ID verification code (default: random 6 digits). */
  verificationCode?: () => string;
}

export class Appliance {
  readonly settingsStore: SettingsStore;
  logger: Logger;
  settings!: Settings;
  db!: Db;
  engine!: CallEngine;
  recordings!: RecordingLibrary;
  dialer!: Dialer;
  campaigns!: CampaignService;
  http!: HttpService;
  fleet: FleetAgent | null = null;
  /** Result of this start's first-boot provisioning (null when it did not run). */
  provisioning: ProvisioningStatus | null = null;
  verifier!: CallerIdVerifier;
  clock!: ClockMonitor;
  /** Since when each trunk has had its health (a campaign with every line down says since when). */
  trunkWatch!: TrunkWatch;
  /** systemd's notify protocol (READY, WATCHDOG, STATUS); does nothing outside systemd. */
  notifier: SystemdNotifier | null = null;
  readonly live = new LiveFeed();
  sandboxPort: number | null = null;
  /** A number the in-process sandbox answers as this kind of callee (null: none in its mix, or no sandbox here). */
  private sandboxCallee: (callee: TrialCallee) => string | null = () => null;
  /** The web UI's certificate; null while HTTPS is off (settings http.tls.enabled). */
  tls: TlsCertificates | null = null;
  /** The Debian audio tools found on PATH at start (/api/health `tools`). */
  tools: ToolStatus[] = [];
  private readonly lock: StateLock;
  private readonly started: Service[] = [];
  private readonly progressTimers = new Map<number, NodeJS.Timeout>();
  private renderer!: PromptRenderer;
  /** Who may be a staff endpoint (asked by the engine), from the settings in force. */
  staffDirectory!: SettingsStaffDirectory;
  transfers!: TransferService;
  /** The live calls staff may see and an admin may listen to (issue 16). */
  readonly liveCalls = new LiveCallList();
  inbound!: InboundService;
  private renderAhead!: RenderAhead;
  /** Personalised renders that failed, by campaign:contact, with the reason. */
  private readonly renderFailures = new Map<string, string>();

  constructor(private readonly opts: ApplianceOptions) {
    this.settingsStore = new SettingsStore(SettingsStore.pathIn(opts.dataDir));
    this.lock = new StateLock(opts.dataDir);
    this.logger = opts.logger ?? createLogger();
  }

  async start(): Promise<void> {
    this.lock.acquire();
    try {
      this.settings = await this.settingsStore.load({ env: this.opts.env ?? process.env, overrides: this.opts.overrides });
      if (!this.opts.logger) this.logger = createLogger({ level: this.settings.logging.level });
      // The key only, never the value: a default secret lets anything on the box drive the engine.
      for (const key of weakEngineSecrets(this.settings)) this.logger.warn({ key }, `setting ${key} is still a well-known default: run systemd/install.sh (it writes /etc/appliance/engine.env) or set a secret of your own`);
      // The box runs without them; say once what is off and the line that installs them.
      this.tools = detectTools(process.env.PATH);
      const missing = missingToolsMessage(this.tools);
      if (missing) {
        this.logger.warn({ missing: this.tools.filter((t) => !t.present).map((t) => t.name) }, missing);
        (this.opts.out ?? ((l: string) => process.stdout.write(`${l}\n`)))(missing);
      }
      this.notifier = new SystemdNotifier({ env: this.opts.env ?? process.env, logger: this.logger.child({ svc: 'systemd' }) });
      this.db = openStore({ dir: this.opts.dataDir });
      const swept = sweepInterruptedImports(this.db);
      if (swept > 0) this.logger.warn({ lists: swept }, 'removed contact lists whose import was interrupted');

      if (needsSandbox(this.settings)) await this.startSandbox();
      if (this.sandboxPort !== null && this.settings.compliance.pack === null) {
        // Only the simulated network can be dialled: no law applies to it, so a first campaign runs at
        // once. The moment a real trunk is configured, no pack means no calls.
        this.settings = this.settingsStore.addOverride((s) => { s.compliance.pack ??= 'none'; });
        this.logger.warn('sandbox only and no compliance pack chosen: the permissive "none" pack applies until a real trunk is configured');
      }

      this.clock = new ClockMonitor({
        read: this.opts.clockReader ?? systemClockReader(),
        requireSync: () => this.settingsStore.get().clock.requireSync,
        realTrunkEnabled: () => this.settingsStore.get().trunks.some((t) => t.enabled && t.kind !== 'sandbox'),
        logger: this.logger.child({ svc: 'clock' }),
        onChange: (_status, permission) => { if (!permission.ok) void this.notifier?.status(permission.reason); },
      });
      await this.startService(this.clock);

      this.staffDirectory = new SettingsStaffDirectory(() => this.settingsStore.get());
      // The realm is read at start: a new staff.sipRealm takes effect at the next start (and needs the desk phones' secrets set again).
      this.engine = await createEngine(this.settings, this.logger, this.opts.dataDir, { directory: this.staffDirectory, realm: this.settings.staff.sipRealm });
      await this.startService({ name: 'engine', start: () => this.engine.start(), stop: () => this.engine.close() });
      // A line going down or coming back changes what running campaigns say: publish their views again.
      this.trunkWatch = new TrunkWatch(this.engine, this.opts.now ?? Date.now, () => {
        for (const c of this.campaigns?.repo.list() ?? []) if (c.status === 'running') this.publishProgress(c.id);
      });
      await this.startService(this.trunkWatch);

      this.recordings = new RecordingLibrary(this.opts.dataDir);
      await this.startService(this.recordings);

      this.renderer = new PromptRenderer({ libraryDir: join(this.opts.dataDir, 'recordings', 'rendered'), concurrency: 1 });
      const now = this.opts.now;
      // Transfers to staff or the organisation's own numbers (issue 16): the whisper in the inbound voice.
      this.transfers = new TransferService({
        engine: this.engine,
        settings: () => this.settingsStore.get(),
        db: this.db,
        logger: this.logger.child({ svc: 'transfer' }),
        now: now ?? Date.now,
        holdMusic: () => holdMusic(join(this.opts.dataDir, 'recordings', 'hold')),
        speak: async (text) => (await this.renderer.render({ text, voice: this.settingsStore.get().inbound.voice, fields: {} })).prompt,
      });
      this.dialer = new Dialer({
        db: this.db,
        groupCommit: true,
        engine: this.engine,
        logger: this.logger.child({ svc: 'dialer' }),
        prompt: (id) => this.recordings.prompt(id),
        trunkLimits: (name) => {
          const t = this.settingsStore.get().trunks.find((x) => x.name === name && x.enabled);
          return t ? { channels: t.channels, cps: t.cps, sandbox: t.kind === 'sandbox' } : null;
        },
        personalPrompt: (campaign, contact) => this.personalPrompt(campaign, contact),
        textPrompt: (campaign, contact, text) => this.personalPrompt(campaign, contact, text),
        answersRoot: this.opts.dataDir,
        gate: createComplianceGate({
          db: this.db,
          pack: (c) => campaignPack(c, this.settingsStore.get().compliance.pack),
          callerIdAllowed: (c) => callerIdPresentable(c, this.settingsStore.get()),
        }),
        canDial: () => this.clock.canDial(),
        onProgress: (id) => { this.publishProgress(id); this.fleet?.notify(); },
        clock: now ? { ...systemTimerClock, now } : systemTimerClock,
        transfer: this.transfers,
        liveCalls: this.liveCalls,
      });
      // Every change of the live calls goes to the browsers (the softphone's list of calls to listen in on).
      this.liveCalls.onChange((calls) => this.live.publish('calls.live', { calls }));
      this.campaigns = new CampaignService({
        db: this.db,
        settings: () => this.settingsStore.get(),
        recordingExists: (id) => this.recordings.has(id),
        activeFor: (id) => this.dialer.activeFor(id),
        kick: () => this.dialer.kick(),
        onChange: (id) => { this.publishProgress(id); this.fleet?.notify(); },
        onStarted: (id) => this.prerender(id),
        hold: () => this.dialer.hold,
        trunkState: (name) => this.trunkWatch.state(name),
        checkStart: (campaign) => {
          this.checkClock();
          const s = this.settingsStore.get();
          checkCampaignStart(this.db, campaign, campaignPack(campaign, s.compliance.pack), (now ?? Date.now)(), s);
        },
        now,
        logger: this.logger.child({ svc: 'campaigns' }),
      });
      this.renderAhead = new RenderAhead({
        repo: this.campaigns.repo,
        render: (campaign, contacts) => this.renderer.prerender(contacts.map((c) => this.renderItem(campaign, c))),
        onFailed: (campaignId, contactId, message) => this.renderFailures.set(`${campaignId}:${contactId}`, message),
        logger: this.logger.child({ svc: 'render-ahead' }),
      });

      // Calls from the trunks (issue 16): the engine hands over only calls from configured trunks.
      this.inbound = new InboundService({
        engine: this.engine,
        db: this.db,
        logger: this.logger.child({ svc: 'inbound' }),
        settings: () => this.settingsStore.get(),
        now: now ?? Date.now,
        speak: async (text, voice) => (await this.renderer.render({ text, voice, fields: {} })).prompt,
        campaignMessage: (recent) => this.campaignMessage(recent),
        transfer: this.transfers,
        liveCalls: this.liveCalls,
      });
      await this.startService({ name: 'inbound', start: async () => this.inbound.start(), stop: () => this.inbound.stop() });
      // Staff calling out from a desk phone (issue 16): off unless staff.outboundCalls, then through the campaigns' gate.
      const callOut = new StaffCallOutService({
        engine: this.engine, settings: () => this.settingsStore.get(), db: this.db, logger: this.logger.child({ svc: 'staff-call-out' }), now: now ?? Date.now,
      });
      await this.startService({ name: 'staff-call-out', start: async () => callOut.start(), stop: () => callOut.stop() });

      this.verifier = new CallerIdVerifier({
        engine: this.engine,
        settings: () => this.settingsStore.get(),
        updateSettings: (change) => this.settingsStore.update(change),
        db: this.db,
        prompts: verificationPrompts(this.opts.dataDir, () => this.settingsStore.get().box.country),
        logger: this.logger.child({ svc: 'caller-id-verifier' }),
        ...(this.opts.verificationCode ? { code: this.opts.verificationCode } : {}),
        ...(now ? { now } : {}),
      });
      await this.startService(this.verifier);

      if (this.settingsStore.get().http.tls.enabled) {
        // Made (or remade for new addresses) before the web UI listens: it is served from the first request.
        const tls = new TlsCertificates({ dataDir: this.opts.dataDir, logger: this.logger.child({ svc: 'tls' }), boxName: () => this.settingsStore.get().box.name, ...(now ? { now } : {}) });
        this.tls = tls;
        await this.startService({ name: 'tls', start: async () => { await tls.start(); }, stop: async () => undefined });
      }
      this.http = new HttpService({
        ...(this.tls ? { tls: this.tls } : {}),
        settingsStore: this.settingsStore,
        db: this.db,
        logger: this.logger.child({ svc: 'http' }),
        dataDir: this.opts.dataDir,
        engine: this.engine,
        live: this.live,
        out: this.opts.out,
        clock: () => this.clock.status(),
        campaigns: this.campaigns,
        tools: () => this.tools,
        // The browser softphone's WebSocket (issue 16) is for users allowed to take calls.
        mayTakeCalls: (u: string) => this.staffDirectory.mayTakeCalls(u),
        // The box's clock for the compliance API too (preflight, start check, consents): one instant everywhere.
        ...(now ? { now } : {}),
        // The actions' ports: the recording library (and which recordings an unfinished campaign plays),
        // the caller-ID verifier, and the engine for the trunk test call.
        actionPorts: {
          recordings: {
            importFile: (path, o) => this.recordings.importFile(path, o), synthesize: (text, o) => this.recordings.synthesize(text, o),
            rename: (id, name) => this.recordings.rename(id, name), remove: (id, inUse) => this.recordings.remove(id, inUse),
            prompt: (id) => this.recordings.prompt(id), inUse: (id) => this.recordingInUse(id),
          },
          verifier: this.verifier,
          engine: this.engine,
          flowTrial: this.flowTrial(),
          browserWalk: this.browserWalk(),
          listenIn: new ListenIn({
            engine: this.engine, live: this.liveCalls, settings: () => this.settingsStore.get(), db: this.db,
            logger: this.logger.child({ svc: 'listen-in' }), now: this.opts.now ?? Date.now,
          }),
        },
        extraRoutes: [staffCallRoutes(this.liveCalls), trunkTestRoutes(), flowRoutes(), staffRoutes(() => this.engine.staffEndpoints?.() ?? []),
          campaignRoutes(this.campaigns), recordingRoutes(this.recordings), complianceRoutes(), callerIdRoutes(this.verifier),
          provisioningRoutes(() => ({ ...provisioningStatus(this.opts.dataDir), ...(this.provisioning?.error ? { error: this.provisioning.error } : {}) }))],
      });
      await this.startService(this.http);
      // Where staff open the web UI, and the fingerprint to compare with what their browser shows.
      const line = webUiLine({ http: this.settingsStore.get().http, port: this.http.port, tls: this.tls, out: this.opts.out });
      this.logger.info(line.fields, 'web UI address');
      const env = this.opts.env ?? process.env;
      if (firstBootNeeded(this.opts.dataDir, env)) {
        // After the UI is up: a failed enrolment is shown at /api/provisioning and never stops the box.
        this.provisioning = await runFirstBoot({ dataDir: this.opts.dataDir, settingsStore: this.settingsStore, logger: this.logger.child({ svc: 'provisioning' }), env });
      }
      const f = this.settingsStore.get().fleet;
      if (f.enabled && f.url && f.boxId) {
        // Started before the dialer, so it stops after it: events of calls still finishing can go out.
        // Loaded only when the box is in a fleet: the MQTT client is a large module a lone box never needs.
        const { FleetAgent } = await import('./fleet/agent.ts');
        this.fleet = new FleetAgent({
          db: this.db,
          settings: () => this.settingsStore.get(),
          updateSettings: (change) => this.settingsStore.update(change),
          logger: this.logger.child({ svc: 'fleet' }),
          boxId: f.boxId,
          version: APP_VERSION,
          campaigns: this.campaigns,
          trunks: () => this.engine.trunks(),
          activeCalls: () => this.dialer.activeCalls,
          engine: () => {
            const sv = this.engine.servers?.();
            return { name: this.engine.name, servers: sv ? { drachtio: sv.drachtio, freeswitch: sv.freeswitch } : null, media: this.engine.mediaStats?.() ?? null };
          },
          clock: () => this.clock.status(),
          dataDir: this.opts.dataDir,
          ...(this.tls ? { tls: this.tls } : {}),
          ...(now ? { now } : {}),
        });
        await this.startService(this.fleet);
      }
      // Starts and stops of big lists a restart interrupted go on in the background (campaigns/list-copy.ts),
      // and personalised messages are rendered ahead of the dialer again.
      await this.startService({
        name: 'campaign-lists',
        start: async () => {
          this.campaigns.resumeBackground();
          for (const c of this.campaigns.repo.byStatus('running')) this.prerender(c.id);
        },
        stop: async () => {
          await this.renderAhead.close();
          await this.campaigns.close();
        },
      });
      // The dialer starts last and stops first: SIGTERM stops new calls before anything else goes.
      await this.startService({ name: 'dialer', start: () => this.dialer.start(), stop: () => this.dialer.stop() });
      this.logger.info({ dataDir: this.opts.dataDir, engine: this.engine.name, httpPort: this.http.port, sandbox: this.sandboxPort !== null }, 'appliance started');
      const clock = this.clock.canDial();
      void this.notifier.ready(clock.ok ? `serving on HTTP port ${this.http.port}, engine ${this.engine.name}` : clock.reason);
      if (this.provisioning?.error) void this.notifier.status(`fleet provisioning failed (see /api/provisioning): ${this.provisioning.error}`);
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  private async startSandbox(): Promise<void> {
    const { SandboxNetwork } = await import('../sip/sandbox/network.ts');
    const { sandboxTrunk } = await import('../sip/sandbox/trunk.ts');
    const net = new SandboxNetwork({
      audioDir: join(this.opts.dataDir, 'sandbox-audio'),
      bindAddress: '127.0.0.1',
      port: 0,
      seed: this.opts.sandbox?.seed ?? 1,
      timeScale: this.opts.sandbox?.timeScale ?? 1,
      ...(this.opts.sandbox?.mix ? { mix: this.opts.sandbox.mix } : {}),
      ...(this.opts.sandbox?.timings ? { timings: this.opts.sandbox.timings } : {}),
      ...(this.opts.sandbox?.rtpPortMin ? { rtpPortMin: this.opts.sandbox.rtpPortMin, rtpPortMax: this.opts.sandbox.rtpPortMax } : {}),
      logger: this.logger.child({ svc: 'sandbox' }),
    });
    await this.startService({ name: 'sandbox', start: () => net.start(), stop: () => net.stop() });
    this.sandboxPort = net.port;
    // "Try it" (flow editor) asks for a simulated callee of a kind: a number this sandbox's mix gives it.
    const { baseBehaviour } = await import('../sip/sandbox/mix.ts');
    let turn = 0;
    this.sandboxCallee = (callee) => {
      for (let i = 0; i < 10_000; i++) {
        const n = `+1202555${String(turn++ % 10_000).padStart(4, '0')}`;
        if (baseBehaviour(net.seed, n, net.mix) === callee) return n;
      }
      return null;
    };
    this.settings = this.settingsStore.addOverride((s) => {
      if (!s.trunks.some((t) => t.name === 'sandbox')) s.trunks.push(sandboxTrunk({ address: net.address, port: net.port }));
      s.defaultTrunk ??= 'sandbox';
    });
    this.logger.warn({ port: net.port }, 'no trunk configured: calls go to the SANDBOX, a simulated network on this box; nobody real is called');
  }

  /** The campaign's personalised message, or (flows) another text in the campaign's voice ('en' without one). */
  private renderItem(campaign: CampaignRow, contact: DueContact, text?: string): RenderItem {
    const tts = campaign.config.tts ?? { text: '', voice: 'en' };
    return { text: text ?? tts.text, voice: tts.voice, ...(tts.rate ? { rate: tts.rate } : {}), fields: personalFields(contact.fields), ...(contact.zones[0] ? { timeZone: contact.zones[0] } : {}) };
  }

  /** A campaign's message again, for one of its contacts who calls back (its recording, or its text rendered for them). */
  private async campaignMessage(recent: RecentCall): Promise<PromptRef | null> {
    const campaign = this.campaigns.repo.get(recent.campaignId);
    if (campaign.config.message) return this.recordings.has(campaign.config.message) ? this.recordings.prompt(campaign.config.message) : null;
    if (!campaign.config.tts) return null;
    const contact = { contactId: recent.contactId, e164: '', zones: recent.zones, fields: recent.fields, attempts: 0, retries: {}, nextAt: 0 };
    return (await this.renderer.render(this.renderItem(campaign, contact))).prompt;
  }

  /** The dialer never waits for espeak-ng: a contact whose message is not rendered yet waits a second. */
  private personalPrompt(campaign: CampaignRow, contact: DueContact, text?: string): { prompt: PromptRef } | { waitMs: number } | { error: string } {
    const key = `${campaign.id}:${contact.contactId}${text === undefined ? '' : `:${text}`}`;
    const failed = this.renderFailures.get(key);
    if (failed) return { error: failed };
    const item = this.renderItem(campaign, contact, text);
    const ready = this.renderer.ready(item);
    if (ready) return { prompt: ready };
    this.renderer.render(item).catch((e: unknown) => { this.renderFailures.set(key, (e as Error).message); });
    return { waitMs: 1000 };
  }

  /** "Try it" of the flow editor: a campaign's flow on one call to the sandbox trunk (appliance/flows/trial.ts). */
  private flowTrial(): FlowTrial {
    const contacts = new ContactsRepo(this.db);
    return new FlowTrial({
      engine: this.engine,
      sandbox: () => {
        const trunk = this.settingsStore.get().trunks.find((t) => t.enabled && t.kind === 'sandbox');
        if (!trunk) return null;
        return {
          trunk: trunk.name,
          number: (callee) => {
            const n = this.sandboxPort !== null ? this.sandboxCallee(callee) : null;
            return n ? { number: n, chosen: true } : { number: '+12025550100', chosen: false };
          },
        };
      },
      campaign: (id) => this.campaigns.repo.get(id),
      firstContact: (listId) => {
        const c = contacts.searchContacts(listId, { limit: 1 })?.items[0];
        return c ? { fields: personalFields({ ...c.fields, ...(c.name ? { name: c.name } : {}) }), zones: c.timezones } : null;
      },
      recording: (id) => this.recordings.prompt(id),
      render: async (item) => (await this.renderer.render(item)).prompt,
      now: this.opts.now ?? Date.now,
      logger: this.logger.child({ svc: 'flow-try' }),
    });
  }

  /** "Call my browser" (issue 16): a campaign's flow on a call to the user's own softphone (appliance/flows/browser-walk.ts). */
  private browserWalk(): BrowserWalk {
    const contacts = new ContactsRepo(this.db);
    return new BrowserWalk({
      engine: this.engine,
      campaign: (id) => this.campaigns.repo.get(id),
      firstContact: (listId) => {
        const c = contacts.searchContacts(listId, { limit: 1 })?.items[0];
        return c ? { fields: personalFields({ ...c.fields, ...(c.name ? { name: c.name } : {}) }), zones: c.timezones } : null;
      },
      mayTakeCalls: (u) => this.staffDirectory.mayTakeCalls(u),
      recording: (id) => this.recordings.prompt(id),
      render: async (item) => (await this.renderer.render(item)).prompt,
      now: this.opts.now ?? Date.now,
      logger: this.logger.child({ svc: 'call-my-browser' }),
    });
  }

  /** Render a started campaign's personalised messages in the background, a window ahead of the dialer. */
  private prerender(campaignId: number): void {
    this.renderAhead.follow(campaignId);
  }

  private recordingInUse(id: string): boolean {
    return this.campaigns.list().some((c) => (c.status === 'draft' || c.status === 'running' || c.status === 'paused') &&
      ([c.config.message, c.config.voicemail, c.config.menuPrompt].includes(id) || allPrompts(flowOf(c.config)).some((p) => 'recording' in p && p.recording === id)));
  }

  /** Live counters, at most four times a second per campaign. */
  private publishProgress(id: number): void {
    if (this.progressTimers.has(id)) return;
    this.progressTimers.set(id, setTimeout(() => {
      this.progressTimers.delete(id);
      try {
        const v = this.campaigns.view(id);
        this.live.publish('campaign.counters', { id: v.id, name: v.name, status: v.status, counters: v.counters, etaMs: v.etaMs, waitingReason: v.waitingReason, waitingCode: v.waitingCode, waitingFor: v.waitingFor, nextRetryAt: v.nextRetryAt, trunksDown: v.trunksDown, paused: v.paused, boxTimeZone: v.boxTimeZone });
      } catch (e) {
        this.logger.debug({ err: (e as Error).message }, 'live counters skipped');
      }
    }, 250));
  }

  /** Campaign start needs a synchronised clock when one is required (see system/clock.ts). */
  private checkClock(): void {
    const p = this.clock.canDial();
    if (!p.ok) throw new AppError('E_CLOCK_UNSYNCED', p.reason);
  }

  private async startService(svc: Service): Promise<void> {
    await svc.start();
    this.started.push(svc);
  }

  /** Stop in reverse order; a service that fails to stop is logged and the rest still stop. */
  async stop(): Promise<void> {
    void this.notifier?.stopping();
    while (this.started.length > 0) {
      const svc = this.started.pop()!;
      try {
        await svc.stop();
      } catch (e) {
        this.logger.error({ svc: svc.name, err: (e as Error).message }, 'service failed to stop cleanly');
      }
    }
    for (const t of this.progressTimers.values()) clearTimeout(t);
    this.progressTimers.clear();
    if (this.db?.open) this.db.close();
    await this.notifier?.close();
    this.lock.release();
  }
}

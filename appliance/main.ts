// Composition root: builds every service, starts them in order, stops them in reverse.
// Constructors only store what they are given; work happens in start() and stop().
// This is the one place in appliance/ that knows which call engine exists.
import type { CallEngine } from './call-port.ts';
import type { Settings } from './config/types.ts';
import { SettingsStore } from './config/settings.ts';
import { createLogger, type Logger } from './log.ts';
import { openStore, type Db } from './store/db.ts';
import { StateLock } from './state-lock.ts';
import { AppError } from './errors.ts';

export interface Service {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function createEngine(settings: Settings, logger: Logger): Promise<CallEngine> {
  if (settings.engine === 'embedded') {
    const { EmbeddedEngine } = await import('../sip/embedded/engine.ts');
    return new EmbeddedEngine({ settings, logger: logger.child({ svc: 'engine' }) });
  }
  if (settings.engine === 'drachtio') {
    throw new AppError('E_CONFIG_INVALID', 'engine "drachtio" is not available in this build yet; set engine to "embedded"', { key: 'engine' });
  }
  throw new AppError('E_CONFIG_INVALID', `unknown engine "${String(settings.engine)}"`, { key: 'engine' });
}

export interface ApplianceOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  /** Command-line overrides (not persisted). */
  overrides?: Array<(s: Settings) => void>;
  logger?: Logger;
}

export class Appliance {
  readonly settingsStore: SettingsStore;
  logger: Logger;
  settings!: Settings;
  db!: Db;
  engine!: CallEngine;
  private readonly lock: StateLock;
  private readonly started: Service[] = [];

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
      this.db = openStore({ dir: this.opts.dataDir });
      this.engine = await createEngine(this.settings, this.logger);
      await this.startService({ name: 'engine', start: () => this.engine.start(), stop: () => this.engine.close() });
      this.logger.info({ dataDir: this.opts.dataDir, engine: this.engine.name, sipPort: this.settings.sip.port, trunks: this.settings.trunks.length }, 'appliance started');
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  private async startService(svc: Service): Promise<void> {
    await svc.start();
    this.started.push(svc);
  }

  /** Stop in reverse order; a service that fails to stop is logged and the rest still stop. */
  async stop(): Promise<void> {
    while (this.started.length > 0) {
      const svc = this.started.pop()!;
      try {
        await svc.stop();
      } catch (e) {
        this.logger.error({ svc: svc.name, err: (e as Error).message }, 'service failed to stop cleanly');
      }
    }
    if (this.db?.open) this.db.close();
    this.lock.release();
  }
}

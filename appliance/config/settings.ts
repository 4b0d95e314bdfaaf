// The settings document: defaults + JSON schema + environment overrides + versioned migrations,
// stored through lowdb with an adapter that fsyncs the file and its folder, so a change either
// happens whole or not at all, even across a power cut.
import { Low, type Adapter } from 'lowdb';
import { readFileSync, existsSync, } from 'node:fs';
import { join, } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { AppError, type FieldError } from '../../core/errors.ts';
import { defaultSettings, SETTINGS_VERSION } from './defaults.ts';
import { mediaSourceErrors } from '../../core/media-sources.ts';
import { settingsSchema } from './schema.ts';
import type { Settings } from '../../core/settings-types.ts';
import { writeFileDurably } from '../../core/durable-file.ts';
import { staffSettingsErrors } from '../staff/settings-check.ts';

/** lowdb adapter: write to a temporary file, fsync it, rename over the target, fsync the folder. */
export class FsyncJsonFile<T> implements Adapter<T> {
  constructor(private readonly file: string) {}

  async read(): Promise<T | null> {
    if (!existsSync(this.file)) return null;
    const text = readFileSync(this.file, 'utf8');
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new AppError('E_CONFIG_INVALID', `settings file ${this.file} is not valid JSON: ${(e as Error).message}`, { file: this.file });
    }
  }

  async write(data: T): Promise<void> {
    writeFileDurably(this.file, JSON.stringify(data, null, 2) + '\n');
  }
}


const ajv = new Ajv({ allErrors: true, useDefaults: false, allowUnionTypes: true });
const validateSchema = ajv.compile<Settings>(settingsSchema);

function keyOf(err: ErrorObject): string {
  const path = err.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (err.keyword === 'required') return [path, String((err.params as { missingProperty: string }).missingProperty)].filter(Boolean).join('.');
  if (err.keyword === 'additionalProperties') return [path, String((err.params as { additionalProperty: string }).additionalProperty)].filter(Boolean).join('.');
  return path || '(root)';
}

/** Schema plus cross-field checks; returns every problem with the key it concerns. */
export function checkSettings(doc: unknown): FieldError[] {
  if (!validateSchema(doc)) {
    return (validateSchema.errors ?? []).map((e) => ({
      key: keyOf(e),
      message: e.keyword === 'additionalProperties' ? 'unknown setting' : (e.message ?? 'invalid'),
    }));
  }
  const s = doc as Settings;
  const errors: FieldError[] = [];
  if (s.media.rtpPortMin >= s.media.rtpPortMax) errors.push({ key: 'media.rtpPortMax', message: 'must be greater than media.rtpPortMin' });
  const names = new Set<string>();
  s.trunks.forEach((t, i) => {
    if (names.has(t.name)) errors.push({ key: `trunks.${i}.name`, message: `duplicate trunk name "${t.name}"` });
    names.add(t.name);
    if ((t.auth === 'register' || t.auth === 'digest') && (!t.username || !t.password)) {
      errors.push({ key: `trunks.${i}.username`, message: `trunk "${t.name}" uses ${t.auth} authentication and needs a username and password` });
    }
    for (const e of mediaSourceErrors(t.mediaSources ?? [])) errors.push({ key: `trunks.${i}.mediaSources.${e.index}`, message: e.message });
    if (t.kind === 'gsm' && !t.gsm) errors.push({ key: `trunks.${i}.gsm`, message: `GSM gateway "${t.name}" needs ports, channelsPerPort and coolDownMs` });
    if (t.kind === 'gsm' && t.gsm && t.channels > t.gsm.ports * t.gsm.channelsPerPort) {
      errors.push({ key: `trunks.${i}.channels`, message: `at most ports x channelsPerPort (${t.gsm.ports * t.gsm.channelsPerPort}) for a GSM gateway` });
    }
  });
  if (s.http.tls.redirectPort !== null && s.http.tls.redirectPort === s.http.port) errors.push({ key: 'http.tls.redirectPort', message: 'must differ from http.port (that port already redirects plain HTTP)' });
  if (s.defaultTrunk !== null && !names.has(s.defaultTrunk)) errors.push({ key: 'defaultTrunk', message: `no trunk named "${s.defaultTrunk}"` });
  errors.push(...staffSettingsErrors(s));
  return errors;
}

export function assertValid(doc: unknown): Settings {
  const errors = checkSettings(doc);
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new AppError('E_CONFIG_INVALID', `setting ${first.key}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`, { key: first.key }, { fields: errors });
  }
  return doc as Settings;
}

type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;
/** Versioned migrations: MIGRATIONS[n] turns a version-n document into version n+1. */
const MIGRATIONS: Record<number, Migration> = {};

export function migrateSettings(doc: Record<string, unknown>): Record<string, unknown> {
  let version = typeof doc.version === 'number' ? doc.version : 1;
  let out = doc;
  while (version < SETTINGS_VERSION) {
    const step = MIGRATIONS[version];
    if (!step) throw new AppError('E_CONFIG_INVALID', `no migration from settings version ${version}`, { key: 'version' });
    out = { ...step(out), version: version + 1 };
    version += 1;
  }
  if (version > SETTINGS_VERSION) {
    throw new AppError('E_CONFIG_INVALID', `settings version ${version} is newer than this software understands (${SETTINGS_VERSION})`, { key: 'version' });
  }
  return out;
}

/** Fill keys missing from a stored document with defaults (one level deep into objects). */
function withDefaults(doc: Record<string, unknown>): Record<string, unknown> {
  const defaults = defaultSettings() as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { ...defaults, ...doc };
  for (const [k, v] of Object.entries(defaults)) {
    const cur = doc[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)) {
      out[k] = { ...(v as object), ...(cur as object) };
    }
  }
  return out;
}

/** Environment variables that carry secrets (the engine's, from /etc/appliance/engine.env). */
const SECRET_ENV = ['APPLIANCE_DRACHTIO_SECRET', 'APPLIANCE_FREESWITCH_PASSWORD'] as const;

/** Environment overrides, applied in memory at start (never written back). */
export function envOverrides(env: NodeJS.ProcessEnv): Array<(s: Settings) => void> {
  const out: Array<(s: Settings) => void> = [];
  const int = (name: string, key: string, set: (s: Settings, v: number) => void): void => {
    const raw = env[name];
    if (raw === undefined || raw === '') return;
    const v = Number(raw);
    if (!Number.isInteger(v)) throw new AppError('E_CONFIG_INVALID', `environment ${name}="${raw}" is not a whole number (setting ${key})`, { key });
    out.push((s) => set(s, v));
  };
  int('APPLIANCE_HTTP_PORT', 'http.port', (s, v) => { s.http.port = v; });
  int('APPLIANCE_SIP_PORT', 'sip.port', (s, v) => { s.sip.port = v; });
  int('APPLIANCE_RTP_PORT_MIN', 'media.rtpPortMin', (s, v) => { s.media.rtpPortMin = v; });
  int('APPLIANCE_RTP_PORT_MAX', 'media.rtpPortMax', (s, v) => { s.media.rtpPortMax = v; });
  int('APPLIANCE_MEDIA_WORKERS', 'media.workers', (s, v) => { s.media.workers = v; });
  if (env.APPLIANCE_ENGINE) out.push((s) => { s.engine = env.APPLIANCE_ENGINE as Settings['engine']; });
  if (env.APPLIANCE_SIP_BIND) out.push((s) => { s.sip.bindAddress = env.APPLIANCE_SIP_BIND!; });
  if (env.APPLIANCE_HTTP_BIND) out.push((s) => { s.http.bindAddress = env.APPLIANCE_HTTP_BIND!; });
  if (env.APPLIANCE_LOG_LEVEL) out.push((s) => { s.logging.level = env.APPLIANCE_LOG_LEVEL as Settings['logging']['level']; });
  // The engine's shared secrets, from /etc/appliance/engine.env (install.sh): in memory only, never logged.
  const drachtioSecret = env[SECRET_ENV[0]];
  const freeswitchPassword = env[SECRET_ENV[1]];
  if (drachtioSecret) out.push((s) => { s.drachtio.secret = drachtioSecret; });
  if (freeswitchPassword) out.push((s) => { s.drachtio.freeswitch.secret = freeswitchPassword; });
  return out;
}

/** Secrets anyone can look up: the shipped defaults and the placeholder of the engine's config files. */
const KNOWN_ENGINE_SECRETS: ReadonlySet<string> = new Set(['cymru', 'ClueCon', 'CHANGE-ME-SECRET']);

/** Keys of the production engine's secrets still at a well-known value (empty for the embedded engine). */
export function weakEngineSecrets(s: Settings): string[] {
  if (s.engine !== 'drachtio') return [];
  const weak: string[] = [];
  if (KNOWN_ENGINE_SECRETS.has(s.drachtio.secret)) weak.push('drachtio.secret');
  if (KNOWN_ENGINE_SECRETS.has(s.drachtio.freeswitch.secret)) weak.push('drachtio.freeswitch.secret');
  return weak;
}

export class SettingsStore {
  private readonly db: Low<Settings>;
  private overrides: Array<(s: Settings) => void> = [];
  private effective: Settings;

  constructor(readonly file: string) {
    this.db = new Low<Settings>(new FsyncJsonFile<Settings>(file), defaultSettings());
    this.effective = defaultSettings();
  }

  static pathIn(dataDir: string): string {
    return join(dataDir, 'settings.json');
  }

  /** Read (creating the file with defaults on first start), migrate, validate, apply overrides. */
  async load(opts: { env?: NodeJS.ProcessEnv; overrides?: Array<(s: Settings) => void> } = {}): Promise<Settings> {
    await this.db.read();
    const stored = (await new FsyncJsonFile<Record<string, unknown>>(this.file).read());
    const migrated = stored ? migrateSettings(withDefaults(stored)) : (defaultSettings() as unknown as Record<string, unknown>);
    const valid = assertValid(migrated);
    this.db.data = valid;
    if (!stored || stored.version !== valid.version) await this.db.write();
    this.overrides = [...envOverrides(opts.env ?? {}), ...(opts.overrides ?? [])];
    // Read once, kept in the overrides: taken out of this process's environment so that the programs it
    // starts (sox, ffmpeg, espeak-ng, openssl, systemd-notify, sipp) never inherit them.
    if (opts.env === process.env) for (const k of SECRET_ENV) delete process.env[k];
    this.effective = this.applyOverrides(valid);
    return this.effective;
  }

  private applyOverrides(doc: Settings): Settings {
    const copy = structuredClone(doc);
    for (const o of this.overrides) o(copy);
    return assertValid(copy);
  }

  /** Add an in-memory override after start (e.g. the sandbox trunk with its ephemeral port). */
  addOverride(o: (s: Settings) => void): Settings {
    this.overrides.push(o);
    this.effective = this.applyOverrides(this.db.data);
    return this.effective;
  }

  /** Settings in force (stored document plus environment and command-line overrides). */
  get(): Settings {
    return this.effective;
  }

  /** The stored document, without overrides (what the UI edits). */
  stored(): Settings {
    return structuredClone(this.db.data);
  }

  /** Change the stored document: the whole change is validated before anything is written. */
  async update(change: (draft: Settings) => void): Promise<Settings> {
    const draft = structuredClone(this.db.data);
    change(draft);
    const valid = assertValid(draft);
    const effective = this.applyOverrides(valid);
    this.db.data = valid;
    await this.db.write();
    this.effective = effective;
    return effective;
  }
}

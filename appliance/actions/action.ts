// Actions: every state-changing operation of the box, kept as data in one place (name, least role,
// the doors it is open on, input schema, run, what it audits). One runner (run.ts) validates, checks
// the role, runs, and writes the audit entry for success and for refusal, whichever door the request
// came through: HTTP (staff), a fleet command, or the command line.
import type { BrowserWalkReply, TryFlowReply } from '../http/contract/flows.ts';
import type { CallEngine, PromptRef } from '../../core/call-port.ts';
import type { Logger } from '../../core/log.ts';
import type { Settings } from '../../core/settings-types.ts';
import type { Role } from '../http/roles.ts';
import type { Db } from '../store/db.ts';
import type { ImportProgress, Mapping } from '../contacts/types.ts';

/** Where a request came in. */
export type Door = 'http' | 'fleet' | 'cli';

/** Who asked: a logged-in staff member (with the role of their session), a fleet command, or the command line. */
export type Actor =
  | { door: 'http'; user: string; role: Role }
  | { door: 'fleet'; commandId: string }
  | { door: 'cli'; user?: string };

/** The actor as the audit log writes it: `staff:<user>`, `fleet:<command id>`, `cli`. */
export function actorName(a: Actor): string {
  if (a.door === 'http') return `staff:${a.user}`;
  if (a.door === 'fleet') return `fleet:${a.commandId}`;
  return a.user ? `cli:${a.user}` : 'cli';
}

/** What the campaign actions need of the campaign service (a door that offers fewer actions gives fewer). */
export interface CampaignActionsPort {
  create?(input: { name: unknown; listId: unknown; config: unknown }): { id: number; name: string; listId: number; config: { purpose: string; pack?: string; callerId: string } };
  update?(id: number, config: unknown): { changed: string[] } | unknown;
  duplicate?(id: number, name?: string): { id: number; name: string; listId: number };
  remove?(id: number, inTx?: (c: { id: number; name: string; status: string; listId: number }) => void): { id: number };
  start(id: number): { status: string };
  pause(id: number, by?: string): { status: string };
  resume(id: number): { status: string };
  stop(id: number): { status: string };
  view?(id: number): { id: number; status: string; config: { purpose: string; pack?: string; callerId: string } };
}

/** What the settings actions need of the settings store. */
export interface SettingsPort {
  stored(): Settings;
  /** The settings in force (the stored ones with this start's overrides, e.g. the sandbox's pack). */
  current?(): Settings;
  update(change: (draft: Settings) => void): Promise<Settings>;
}

/** Everything an action may use. Parts a build lacks (no campaign service in a bare HTTP test) are absent. */
export interface ActionEnv {
  db: Db;
  now: () => number;
  logger: Logger;
  /** The box's country, for numbers written without +/00. */
  country: () => string;
  campaigns?: CampaignActionsPort;
  settings?: SettingsPort;
  /** The fleet's desired configuration (appliance/fleet/desired-config.ts). */
  desired?: DesiredPort;
  /** Contact lists: import a file into a new list, delete a list. */
  contacts?: ContactsActionsPort;
  /** The recording library (appliance/recordings.ts) and whether an unfinished campaign uses a recording. */
  recordings?: RecordingsPort;
  /** Caller-ID verification calls (appliance/compliance/caller-id-verify.ts). */
  verifier?: VerifierPort;
  /** The running box's call engine, for the trunk test call (given by the composition root). */
  engine?: Pick<CallEngine, 'dial' | 'trunks'>;
  /** A call placed by hand from the command line, on an engine of its own (appliance/commands/call.ts). */
  calls?: CallsPort;
  /** The compliance pack in force, where a door decides it otherwise than the settings (tests). */
  pack?: () => string | null;
  /** Ends a user's sessions on this box (the HTTP door's session store and live feed). */
  endSessions?: (username: string) => void;
  /** The certificate the web UI is served with (appliance/http/tls/certificate-store.ts); absent while HTTPS is off. */
  tls?: TlsPort;
  /** "Try it": a campaign's flow on one call to the sandbox (appliance/flows/trial.ts). Flow editor (issue 15). */
  flowTrial?: FlowTrialPort;
  /** "Call my browser": a campaign's flow on a call to the user's own softphone (appliance/flows/browser-walk.ts). Issue 16. */
  browserWalk?: BrowserWalkPort;
  /** Listen-in on a live call from an admin's softphone (appliance/staff/listen-in.ts). Issue 16. */
  listenIn?: ListenInPort;
}

/** What flow.callBrowser needs: checks, then rings the user's softphone; the report resolves when the call has ended. */
export interface BrowserWalkPort {
  start(campaignId: number, user: string, request?: string): { report: Promise<BrowserWalkReply> };
}

/** What call.listen needs: checks (setting, call live, softphone), then rings the admin's softphone. */
export interface ListenInPort {
  start(callId: string, user: string, request?: string): { call: { id: string; kind: string; campaignId: number | null }; done: Promise<ListenInEnd> };
}

/** How a listen-in ended, for its closing audit entry. */
export interface ListenInEnd {
  listenedMs: number;
  /** 'not-answered' when the softphone never picked up. */
  endedBy: 'listener' | 'call' | 'not-answered';
}

/** What the flow.try action needs: checks, then places the call; the report resolves when it has ended. */
export interface FlowTrialPort {
  start(campaignId: number, callee: 'presser' | 'listener' | 'voicemail'): { trunk: string; report: Promise<TryFlowReply> };
}

/** What an action may tell its door while it runs (an import's progress); each door shows it its own way. */
export interface ActionIo {
  progress?: (p: Record<string, unknown>) => void;
}

export interface ImportedList {
  list: { id: number; name: string };
  rows: number;
  accepted: number;
  rejected: ReadonlyArray<{ row: number; column?: string | null; reason: string }>;
  duplicates: number;
}

export interface ContactsActionsPort {
  importFile(file: string, req: { list: string; country: string; mapping?: Mapping; fileName: string; onProgress?: (p: ImportProgress) => void }): Promise<ImportedList>;
  /** false when the list does not exist; AppError when a campaign still uses it. */
  deleteList(listId: number): boolean;
}

export interface RecordingInfo {
  id: string;
  name: string;
}

export interface RecordingsPort {
  importFile(path: string, opts: { name: string; originalName?: string }): Promise<RecordingInfo>;
  synthesize(text: string, opts: { voice: string; name?: string; rate?: number }): Promise<RecordingInfo>;
  rename(id: string, name: string): Promise<RecordingInfo>;
  remove(id: string, inUse: (id: string) => boolean): Promise<void>;
  prompt(id: string): PromptRef;
  /** An unfinished campaign plays it. */
  inUse(id: string): boolean;
}

export interface CallsPort {
  place(req: { to: string; trunk?: string }): Promise<unknown>;
  /** The configured trunks' names, and the default one. */
  trunks: readonly string[];
  defaultTrunk: string | null;
}

export interface VerifierPort {
  begin(number: string, opts: { actor: string; trunk?: string }): { id: string; number: string };
}

/** What the certificate actions need: install one (checked, served at once), or go back to the box's own. */
export interface TlsPort {
  install(cert: string, key: string, by: string): { source: 'own' | 'installed'; info: CertificateSummary };
  useOwn(): { removed: boolean; served: { source: 'own' | 'installed'; info: CertificateSummary } };
}

export interface CertificateSummary { fingerprint256: string; spkiSha256: string; subject: string; names: string[]; validTo: string }

/** What the fleet's desired-configuration action needs. */
export interface DesiredPort {
  apply(raw: unknown): Promise<{ report: { version: number | null; status: 'applied' | 'rejected'; reason: string | null; appliedVersion: number; at: string }; changed: boolean }>;
}

/** A JSON schema of an object (validated with Ajv before the action runs). */
export type InputSchema = { type: 'object'; properties: Record<string, unknown>; required?: readonly string[]; additionalProperties?: boolean | Record<string, unknown> };

export interface AuditRecord {
  subject: string | null;
  details?: Record<string, unknown>;
}

export interface ActionDef<I = Record<string, unknown>, O = unknown> {
  /** Dotted name; also the audit action (`<name>` on success, `<name>-refused` on refusal). */
  name: string;
  /** The least staff role; the fleet and the command line are trusted doors, but only where listed. */
  role: Role;
  doors: readonly Door[];
  input: InputSchema;
  /**
   * Does the work. A synchronous run is done in one SQLite transaction with its audit entry (no change
   * without its record); an asynchronous one (a settings write, a file import) is audited once it is done.
   */
  run(env: ActionEnv, input: I, actor: Actor, io: ActionIo): O | Promise<O>;
  /**
   * What the success entry records (never a secret, never a number in clear); null: nothing happened,
   * or the domain wrote the entry itself in the action's transaction (say where, beside the action).
   */
  audit(input: I, out: O): AuditRecord | null;
  /** What a refusal entry names as its subject. */
  subject(input: I): string | null;
}

/** Keeps the definitions' types while they are collected into one registry. */
export function defineAction<I, O>(def: ActionDef<I, O>): ActionDef<I, O> {
  return def;
}

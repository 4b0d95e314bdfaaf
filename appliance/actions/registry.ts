// The box's actions, in one place. A new door (the fleet manager, a flow editor) runs these through
// ActionRunner and gets validation, roles and the audit log for free.
import { AppError } from '../../core/errors.ts';
import { numberFromText } from '../compliance/dnc-file.ts';
import { recordOptOut } from '../compliance/opt-out.ts';
import { forgedVerifications } from '../compliance/caller-id.ts';
import { DncRepo } from '../store/compliance-dnc-repo.ts';
import { dncHash } from '../compliance/number-hash.ts';
import { actorName, defineAction, type ActionDef, type ActionEnv, type CampaignActionsPort, type SettingsPort, type TlsPort } from './action.ts';
import { changedPaths } from './audit-diff.ts';
import { USER_ACTIONS } from './users-actions.ts';
import { LIST_ACTIONS } from './lists-actions.ts';
import { RECORDING_ACTIONS } from './recordings-actions.ts';
import { COMPLIANCE_ACTIONS } from './compliance-actions.ts';
import { callPlace, trunkTestCall } from './trunk-test-action.ts';
import { flowCallBrowser, flowTry } from './flow-actions.ts';
import { callListen } from './listen-actions.ts';
import { STAFF_ACTIONS } from './staff-actions.ts';

const id = { type: 'integer', minimum: 1 } as const;
const campaignSubject = (i: { id?: unknown }): string | null => (typeof i?.id === 'number' ? `campaign:${i.id}` : null);

function campaigns(env: ActionEnv): CampaignActionsPort {
  if (!env.campaigns) throw new AppError('E_NOT_FOUND', 'this box runs no campaigns here');
  return env.campaigns;
}

/** One operation of the campaign service, or a refusal when this door's build has none. */
function op<K extends keyof CampaignActionsPort>(env: ActionEnv, k: K): NonNullable<CampaignActionsPort[K]> {
  const c = campaigns(env);
  const f = c[k];
  if (typeof f !== 'function') throw new AppError('E_NOT_FOUND', `campaigns cannot be changed that way here (${String(k)})`);
  return (f as (...a: unknown[]) => unknown).bind(c) as NonNullable<CampaignActionsPort[K]>;
}

function settings(env: ActionEnv): SettingsPort {
  if (!env.settings) throw new AppError('E_CONFIG_WRITE', 'this box takes no settings changes here');
  return env.settings;
}

function e164(env: ActionEnv, text: string, country: string | undefined, field: string): string {
  const n = numberFromText(text, country ?? env.country());
  if (!n) throw new AppError('E_REQUEST_INVALID', `"${text.slice(0, 40)}" is not a phone number the box can read`, { field }, { fields: [{ key: field, message: 'not a phone number' }] });
  return n;
}

const campaignCreate = defineAction({
  name: 'campaign.create', role: 'operator', doors: ['http'],
  input: { type: 'object', required: ['name', 'listId', 'config'], additionalProperties: false, properties: { name: { type: 'string' }, listId: id, config: { type: 'object' } } },
  run: (env, i: { name: string; listId: number; config: Record<string, unknown> }) => op(env, 'create')(i),
  audit: (_i, c) => ({ subject: `campaign:${c.id}`, details: { name: c.name, listId: c.listId, purpose: c.config.purpose, pack: c.config.pack ?? null, callerId: c.config.callerId } }),
  subject: () => null,
});

const campaignUpdate = defineAction({
  name: 'campaign.update', role: 'operator', doors: ['http'],
  input: { type: 'object', required: ['id', 'config'], additionalProperties: false, properties: { id, config: { type: 'object' } } },
  run: (env, i: { id: number; config: Record<string, unknown> }) => {
    const r = op(env, 'update')(i.id, i.config) as { changed?: string[] } | undefined;
    return { view: op(env, 'view')(i.id), changed: r?.changed ?? [] };
  },
  // A paused campaign may change only what concerns the calls to come; the entry names what changed.
  audit: (i, { view: v, changed }) => ({ subject: `campaign:${i.id}`, details: { status: v.status, changed, purpose: v.config.purpose, pack: v.config.pack ?? null, callerId: v.config.callerId } }),
  subject: campaignSubject,
});

const campaignDuplicate = defineAction({
  name: 'campaign.duplicate', role: 'operator', doors: ['http'],
  input: { type: 'object', required: ['id'], additionalProperties: false, properties: { id, name: { type: 'string', minLength: 1, maxLength: 100 } } },
  run: (env, i: { id: number; name?: string }) => op(env, 'duplicate')(i.id, i.name),
  audit: (i, copy) => ({ subject: `campaign:${copy.id}`, details: { from: i.id, name: copy.name, listId: copy.listId } }),
  subject: campaignSubject,
});

const campaignDelete = defineAction({
  name: 'campaign.delete', role: 'operator', doors: ['http'],
  input: { type: 'object', required: ['id'], additionalProperties: false, properties: { id } },
  run: (env, i: { id: number }) => {
    let gone: { id: number; name: string; status: string; listId: number } | null = null;
    op(env, 'remove')(i.id, (c) => { gone = c; });
    return gone!;
  },
  audit: (_i, gone: { id: number; name: string; status: string; listId: number }) => ({ subject: `campaign:${gone.id}`, details: { name: gone.name, status: gone.status, listId: gone.listId } }),
  subject: campaignSubject,
});

function lifeCycle(verb: 'start' | 'pause' | 'resume' | 'stop') {
  return defineAction({
    name: `campaign.${verb}`, role: 'operator', doors: ['http', 'fleet'],
    input: { type: 'object', required: ['id'], additionalProperties: false, properties: { id } },
    // A pause keeps who asked, so the campaign's page can say "paused by the fleet (command ...)".
    run: (env, i: { id: number }, actor) => (verb === 'pause' ? campaigns(env).pause(i.id, actorName(actor)) : campaigns(env)[verb](i.id)),
    audit: (i, v) => ({ subject: `campaign:${i.id}`, details: { status: v.status } }),
    subject: campaignSubject,
  });
}

const dncAdd = defineAction({
  name: 'dnc.add', role: 'operator', doors: ['http', 'fleet'],
  input: {
    type: 'object', additionalProperties: false,
    properties: {
      number: { type: 'string', minLength: 1, maxLength: 40 }, numberHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      country: { type: 'string', pattern: '^[A-Z]{2}$' }, reason: { type: 'string', maxLength: 200 }, campaignId: { type: ['integer', 'null'] },
    },
  },
  run: (env, i: { number?: string; numberHash?: string; country?: string; reason?: string; campaignId?: number | null }, actor) => {
    if (i.number === undefined && i.numberHash === undefined) throw new AppError('E_REQUEST_INVALID', 'give the number, or its hash', { field: 'number' }, { fields: [{ key: 'number', message: 'is required' }] });
    // Only the fleet relays opt-outs made elsewhere by hash; staff type the number.
    if (i.number === undefined && actor.door !== 'fleet') throw new AppError('E_REQUEST_INVALID', 'give the number', { field: 'number' }, { fields: [{ key: 'number', message: 'is required' }] });
    const who = actorName(actor);
    return recordOptOut(env.db, {
      ...(i.number !== undefined ? { e164: e164(env, i.number, i.country, 'number') } : { numberHash: i.numberHash! }),
      channel: actor.door === 'fleet' ? 'fleet' : 'staff', actor: who,
      reason: i.reason ?? (actor.door === 'fleet' ? 'do-not-call entry from the fleet' : undefined), campaignId: i.campaignId ?? null, now: env.now(),
    });
  },
  audit: (i, r) => ({ subject: r.numberHash, details: { added: r.added, consentsRevoked: r.consentsRevoked, ...(i.reason ? { reason: i.reason } : {}) } }),
  subject: (i) => (typeof i?.numberHash === 'string' ? i.numberHash : null),
});

const dncRemove = defineAction({
  name: 'dnc.remove', role: 'admin', doors: ['http', 'fleet'],
  input: { type: 'object', required: ['number', 'reason'], additionalProperties: false, properties: { number: { type: 'string', minLength: 1, maxLength: 40 }, country: { type: 'string', pattern: '^[A-Z]{2}$' }, reason: { type: 'string', minLength: 3, maxLength: 200 } } },
  run: (env, i: { number: string; country?: string; reason: string }, actor) => {
    const n = e164(env, i.number, i.country, 'number');
    const removed = new DncRepo(env.db).remove(n, i.reason, actorName(actor), env.now());
    return { numberHash: dncHash(n), removed };
  },
  audit: (i, r) => ({ subject: r.numberHash, details: { removed: r.removed, reason: i.reason } }),
  subject: () => null,
});

/** The settings document replaced whole (the HTTP door restores redacted secrets before it comes here). */
const settingsUpdate = defineAction({
  name: 'settings.update', role: 'admin', doors: ['http'],
  input: { type: 'object', required: ['settings'], additionalProperties: false, properties: { settings: { type: 'object' } } },
  run: async (env, i: { settings: Record<string, unknown> }) => {
    const store = settings(env);
    const before = store.stored();
    const fields = forgedVerifications(i.settings, before.callerIds);
    if (fields.length > 0) throw new AppError('E_CONFIG_INVALID', `setting ${fields[0]!.key}: ${fields[0]!.message}`, { key: fields[0]!.key }, { fields });
    const after = await store.update((draft) => {
      const d = draft as unknown as Record<string, unknown>;
      for (const k of Object.keys(d)) delete d[k];
      Object.assign(d, structuredClone(i.settings), { users: before.users, version: before.version });
    });
    return { before, after };
  },
  // Names of what changed, never values (secrets); the compliance pack is shown since it decides who may be called.
  audit: (_i, { before, after }) => ({
    subject: 'settings',
    details: {
      changed: changedPaths(before, after),
      ...(before.compliance.pack !== after.compliance.pack ? { pack: { from: before.compliance.pack, to: after.compliance.pack } } : {}),
    },
  }),
  subject: () => 'settings',
});

/** A desired configuration the box rejected: a refusal that carries the report the fleet is sent. */
export class DesiredRejected extends AppError {
  constructor(readonly report: { version: number | null; status: 'applied' | 'rejected'; reason: string | null; appliedVersion: number; at: string }) {
    super('E_FLEET_CONFIG', report.reason ?? 'rejected', { ...(report.version !== null ? { version: report.version } : {}), reason: report.reason ?? 'rejected' });
  }
}

/**
 * A desired configuration from the fleet (a command, or the retained document): merged into the
 * settings, validated whole; a rejected one leaves the last good configuration in force and is a refusal.
 */
const settingsDesired = defineAction({
  name: 'settings.desired', role: 'admin', doors: ['fleet'],
  input: { type: 'object', required: ['document'], additionalProperties: false, properties: { document: {} } },
  run: async (env, i: { document: unknown }) => {
    if (!env.desired) throw new AppError('E_FLEET_CONFIG', 'this box does not take configuration from the fleet');
    const before = env.settings?.stored() ?? null;
    const { report, changed } = await env.desired.apply(i.document);
    if (changed && report.status === 'rejected') throw new DesiredRejected(report);
    return { report, changed, before, after: env.settings?.stored() ?? null };
  },
  audit: (_i, r) => (!r.changed ? null : {
    subject: 'settings',
    details: {
      version: r.report.version,
      ...(r.before && r.after ? { changed: changedPaths(r.before, r.after) } : {}),
      ...(r.before && r.after && r.before.compliance.pack !== r.after.compliance.pack ? { pack: { from: r.before.compliance.pack, to: r.after.compliance.pack } } : {}),
    },
  }),
  subject: () => 'settings',
});

function tls(env: ActionEnv): TlsPort {
  if (!env.tls) throw new AppError('E_TLS_CERTIFICATE', 'HTTPS is off on this box (settings http.tls.enabled): it serves no certificate', { https: 'off' });
  return env.tls;
}

const PEM_TEXT = { type: 'string', minLength: 1, maxLength: 65536 } as const;

/** A certificate and its private key (PEM) for the web UI: checked, written durably, served at once. */
const certificateInstall = defineAction({
  name: 'certificate.install', role: 'admin', doors: ['http', 'fleet'],
  input: { type: 'object', required: ['cert', 'key'], additionalProperties: false, properties: { cert: PEM_TEXT, key: PEM_TEXT } },
  run: (env, i: { cert: string; key: string }, actor) => tls(env).install(i.cert, i.key, actorName(actor)),
  // What staff compare with their browser's view; never the key.
  audit: (_i, s) => ({ subject: 'tls', details: { source: s.source, fingerprint256: s.info.fingerprint256, spkiSha256: s.info.spkiSha256, subject: s.info.subject, names: s.info.names, validTo: s.info.validTo } }),
  subject: () => 'tls',
});

/** Back to the box's own certificate (the installed one is removed). */
const certificateUseOwn = defineAction({
  name: 'certificate.use-own', role: 'admin', doors: ['http', 'fleet'],
  input: { type: 'object', additionalProperties: false, properties: {} },
  run: (env) => {
    const r = tls(env).useOwn();
    if (!r.removed) throw new AppError('E_TLS_CERTIFICATE', 'the box already serves its own certificate: no certificate is installed', { installed: 'none' });
    return r.served;
  },
  audit: (_i, s) => ({ subject: 'tls', details: { source: s.source, fingerprint256: s.info.fingerprint256, spkiSha256: s.info.spkiSha256 } }),
  subject: () => 'tls',
});

export const ACTIONS: ReadonlyArray<ActionDef<any, any>> = [
  campaignCreate, campaignUpdate, campaignDuplicate, campaignDelete,
  lifeCycle('start'), lifeCycle('pause'), lifeCycle('resume'), lifeCycle('stop'),
  dncAdd, dncRemove,
  settingsUpdate, settingsDesired,
  certificateInstall, certificateUseOwn,
  ...USER_ACTIONS, ...LIST_ACTIONS, ...RECORDING_ACTIONS, ...COMPLIANCE_ACTIONS, trunkTestCall, callPlace,
  // flow editor (issue 15)
  flowTry,
  ...STAFF_ACTIONS,
  // "call my browser" and listen-in (issue 16)
  flowCallBrowser, callListen,
];

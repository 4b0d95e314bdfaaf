// Compliance records changed by staff: caller IDs (add, relabel, remove, start a verification call),
// do-not-call imports, registry copies, consents recorded and revoked. Where the compliance store
// already writes the audit entry in its own transaction (consents, DNC imports, registry copies, the
// verifier), the action's success entry is that one (audit: null here); refusals are the runner's.
import { AppError } from '../../core/errors.ts';
import type { Settings } from '../../core/settings-types.ts';
import { numberFromText, readNumbersFromText } from '../compliance/dnc-file.ts';
import { CONSENT_KINDS, getPack, revocationTerms, type ConsentKind, type PackId } from '../compliance/packs.ts';
import { CampaignsRepo } from '../store/campaigns-repo.ts';
import { CONSENT_METHODS, ConsentRepo, type ConsentMethod } from '../store/compliance-consent-repo.ts';
import { DncRepo } from '../store/compliance-dnc-repo.ts';
import { actorName, defineAction, type ActionEnv, type SettingsPort } from './action.ts';

const E164 = '^\\+[1-9]\\d{6,14}$';
const country = { type: 'string', pattern: '^[A-Z]{2}$' } as const;
const numberText = { type: 'string', minLength: 3, maxLength: 40 } as const;
const PURPOSES = ['emergency', 'informational', 'transactional', 'healthcare', 'political', 'marketing'] as const;
const numberSubject = (i: { number?: unknown }): string | null => (typeof i?.number === 'string' && new RegExp(E164).test(i.number) ? i.number : null);

function invalid(key: string, message: string): AppError {
  return new AppError('E_REQUEST_INVALID', `${key}: ${message}`, { field: key }, { fields: [{ key, message }] });
}

function settings(env: ActionEnv): SettingsPort {
  if (!env.settings) throw new AppError('E_CONFIG_WRITE', 'this box takes no settings changes here');
  return env.settings;
}

/** The settings in force (with the start's overrides, e.g. the sandbox's pack) where the door has them. */
function inForce(env: ActionEnv): Settings {
  const s = settings(env);
  return s.current ? s.current() : s.stored();
}

function e164(env: ActionEnv, text: string, cc: string | undefined, field = 'number'): string {
  const n = numberFromText(text, cc ?? env.country());
  if (!n) throw invalid(field, `"${text.slice(0, 40)}" is not a phone number the box can read`);
  return n;
}

function mustBeCallerId(env: ActionEnv, number: string): void {
  if (!settings(env).stored().callerIds.some((c) => c.number === number)) throw new AppError('E_NOT_FOUND', `${number} is not one of the box's caller IDs`, { callerId: number });
}

export const callerIdAdd = defineAction({
  name: 'callerid.add', role: 'admin', doors: ['http'],
  input: { type: 'object', required: ['number', 'label'], additionalProperties: false, properties: { number: numberText, label: { type: 'string', minLength: 1, maxLength: 100 }, country } },
  run: async (env, i: { number: string; label: string; country?: string }) => {
    const number = e164(env, i.number, i.country);
    const label = i.label.trim();
    await settings(env).update((d) => {
      if (d.callerIds.some((c) => c.number === number)) throw invalid('number', `${number} is already a caller ID`);
      d.callerIds.push({ number, label, verified: false });
    });
    return { number, label };
  },
  audit: (_i, c) => ({ subject: c.number, details: { label: c.label } }),
  subject: () => null,
});

export const callerIdRelabel = defineAction({
  name: 'callerid.relabel', role: 'admin', doors: ['http'],
  input: { type: 'object', required: ['number', 'label'], additionalProperties: false, properties: { number: { type: 'string', pattern: E164 }, label: { type: 'string', minLength: 1, maxLength: 100 } } },
  run: async (env, i: { number: string; label: string }) => {
    mustBeCallerId(env, i.number);
    const label = i.label.trim();
    await settings(env).update((d) => {
      const c = d.callerIds.find((x) => x.number === i.number);
      if (c) c.label = label;
    });
    return { number: i.number, label };
  },
  audit: (_i, c) => ({ subject: c.number, details: { label: c.label } }),
  subject: numberSubject,
});

export const callerIdRemove = defineAction({
  name: 'callerid.remove', role: 'admin', doors: ['http'],
  input: { type: 'object', required: ['number'], additionalProperties: false, properties: { number: { type: 'string', pattern: E164 } } },
  run: async (env, i: { number: string }) => {
    mustBeCallerId(env, i.number);
    const using = new CampaignsRepo(env.db).list().find((c) => (c.status === 'running' || c.status === 'paused') && c.config.callerId === i.number);
    if (using) throw new AppError('E_CALLER_ID', `caller ID ${i.number} is presented by campaign "${using.name}" (${using.status}); stop it first`, { callerId: i.number, campaign: using.id });
    await settings(env).update((d) => { d.callerIds = d.callerIds.filter((c) => c.number !== i.number); });
    return { number: i.number };
  },
  audit: (_i, r) => ({ subject: r.number }),
  subject: numberSubject,
});

/** The call goes on after the answer; the verifier writes this entry, and later `callerid.verified` or `-failed`. */
export const callerIdVerifyStart = defineAction({
  name: 'callerid.verify-start', role: 'admin', doors: ['http'],
  input: { type: 'object', required: ['number'], additionalProperties: false, properties: { number: { type: 'string', pattern: E164 }, trunk: { type: 'string', minLength: 1, maxLength: 64 } } },
  run: (env, i: { number: string; trunk?: string }, actor) => {
    if (!env.verifier) throw new AppError('E_VERIFICATION', 'this box places no verification calls here');
    return env.verifier.begin(i.number, { actor: actorName(actor), ...(i.trunk ? { trunk: i.trunk } : {}) });
  },
  audit: () => null,
  subject: numberSubject,
});

/** Numbers of a file (one per line, or the first CSV column) added to the do-not-call list (DncRepo writes `dnc.import`). */
export const dncImport = defineAction({
  name: 'dnc.import', role: 'operator', doors: ['http'],
  input: { type: 'object', required: ['text', 'reason'], additionalProperties: false, properties: { text: { type: 'string' }, country, reason: { type: 'string', minLength: 3, maxLength: 200 } } },
  run: (env, i: { text: string; country?: string; reason: string }, actor) => {
    const r = readNumbersFromText(i.text, i.country ?? env.country());
    const added = new DncRepo(env.db).addMany(r.numbers, { source: 'import', reason: i.reason, actor: actorName(actor), now: env.now() });
    return { added, read: r.numbers.length, rejected: r.rejected };
  },
  audit: () => null,
  subject: () => null,
});

/** A registry copy (us-national-dnc, ca-dncl, fr-bloctel, uk-tps) replaced by a new download (DncRepo writes `registry.import`). */
export const registryImport = defineAction({
  name: 'registry.import', role: 'admin', doors: ['http'],
  input: {
    type: 'object', required: ['name', 'text', 'downloadedAt'], additionalProperties: false,
    properties: { name: { type: 'string', pattern: '^[a-z0-9-]{2,40}$' }, text: { type: 'string' }, downloadedAt: { type: 'string', minLength: 1 }, country },
  },
  run: (env, i: { name: string; text: string; downloadedAt: string; country?: string }, actor) => {
    const downloadedAt = Date.parse(i.downloadedAt);
    if (!(downloadedAt <= env.now())) throw invalid('downloadedAt', 'the date the copy was downloaded, not in the future');
    const r = readNumbersFromText(i.text, i.country ?? env.country());
    const entries = new DncRepo(env.db).importRegistry(i.name, r.numbers, { downloadedAt, actor: actorName(actor), now: env.now() });
    return { entries, rejected: r.rejected.length };
  },
  audit: () => null,
  subject: (i) => (typeof i?.name === 'string' ? i.name : null),
});

interface ConsentInput {
  number: string; country?: string; seller: string; purpose: string; method: ConsentMethod; kind?: ConsentKind; givenAt: string;
  disclosureText: string; disclosureVersion: string; source: string; collector?: string;
}

/** Who consented, to which seller and purpose, how, when, to what text (ConsentRepo writes `consent.record`). */
export const consentRecord = defineAction({
  name: 'consent.record', role: 'operator', doors: ['http'],
  input: {
    type: 'object', required: ['number', 'seller', 'purpose', 'method', 'givenAt', 'disclosureText', 'disclosureVersion', 'source'], additionalProperties: false,
    properties: {
      number: numberText, country, seller: { type: 'string', minLength: 1, maxLength: 200 }, purpose: { type: 'string', enum: ['any', ...PURPOSES] },
      method: { type: 'string', enum: [...CONSENT_METHODS] }, kind: { type: 'string', enum: [...CONSENT_KINDS] }, givenAt: { type: 'string', minLength: 1 },
      disclosureText: { type: 'string', minLength: 1, maxLength: 5000 }, disclosureVersion: { type: 'string', minLength: 1, maxLength: 50 },
      source: { type: 'string', minLength: 1, maxLength: 500 }, collector: { type: 'string', maxLength: 200 },
    },
  },
  run: (env, i: ConsentInput, actor) => {
    const givenAt = Date.parse(i.givenAt);
    if (Number.isNaN(givenAt)) throw invalid('givenAt', 'a date and time (ISO 8601)');
    const id = new ConsentRepo(env.db).record({
      e164: e164(env, i.number, i.country), seller: i.seller, purpose: i.purpose, method: i.method, ...(i.kind ? { kind: i.kind } : {}), givenAt,
      disclosureText: i.disclosureText, disclosureVersion: i.disclosureVersion, source: i.source, collector: i.collector ?? null,
    }, actorName(actor), env.now());
    return { id };
  },
  audit: () => null,
  subject: () => null,
});

/**
 * Consents of a number revoked (for one seller or all; one purpose or all), applied at once, with the
 * deadline the pack in force allows (ConsentRepo writes `consent.revoke` when any was revoked).
 */
export const consentRevoke = defineAction({
  name: 'consent.revoke', role: 'operator', doors: ['http'],
  input: {
    type: 'object', required: ['number', 'channel'], additionalProperties: false,
    properties: { number: numberText, country, seller: { type: 'string' }, purpose: { type: 'string', enum: [...PURPOSES] }, channel: { type: 'string', minLength: 1, maxLength: 100 } },
  },
  run: (env, i: { number: string; country?: string; seller?: string; purpose?: string; channel: string }, actor) => {
    const now = env.now();
    const pack = (env.pack ? env.pack() : inForce(env).compliance.pack) as PackId | null;
    const terms = revocationTerms(getPack(pack, now), now, i.purpose);
    const revoked = new ConsentRepo(env.db).revoke({ e164: e164(env, i.number, i.country), seller: i.seller, deadline: terms.deadline, ...(terms.purpose ? { purpose: terms.purpose } : {}), channel: i.channel }, actorName(actor), now);
    return { revoked, deadline: new Date(terms.deadline).toISOString(), scope: terms.scope };
  },
  audit: () => null,
  subject: () => null,
});

export const COMPLIANCE_ACTIONS = [callerIdAdd, callerIdRelabel, callerIdRemove, callerIdVerifyStart, dncImport, registryImport, consentRecord, consentRevoke];

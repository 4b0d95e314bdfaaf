// Campaign model: what staff configure, parsed and checked at the edge into typed values.
import { AppError } from '../../core/errors.ts';
import { OUTCOMES, type Outcome } from '../../core/outcomes.ts';
import { isPackId, PACK_IDS } from '../compliance/packs.ts';
import type { CampaignConfig as WireCampaignConfig, RetryPolicy } from '../http/contract/campaigns.ts';
import { PURPOSES as CONTRACT_PURPOSES, type DailyWindow, type Purpose } from '../http/contract/common.ts';
import type { ScriptDeclaration } from '../compliance/script-check.ts';
import { numberFromText } from '../compliance/dnc-file.ts';
import type { Flow } from '../flows/model.ts';
import { parseFlow } from '../flows/parse.ts';
import { flowTemplate, messageMenuFlow, TEMPLATES, type TemplateName } from '../flows/templates.ts';

export type { CampaignStatus, RetryPolicy, RetryRule } from '../http/contract/campaigns.ts';
/**
 * A campaign's configuration: the API contract's shape, with its call flow typed. `flow` says what a call
 * does once answered (appliance/flows). Always set by the parser: from `flow`, from a template
 * (`{"template": "appointment-reminder", "lang": "fr"}`), or today's message + menu from `message`,
 * `menu` and `menuPrompt` (a `message-menu` flow is always derived from those fields). Absent only in
 * configurations stored before flows; flowOf() derives it the same way.
 */
export type CampaignConfig = Omit<WireCampaignConfig, 'flow'> & { flow?: Flow };
export type { DailyWindow, Purpose } from '../http/contract/common.ts';
/** Every purpose a campaign may have (the API contract's list). */
export const PURPOSES: Purpose[] = [...CONTRACT_PURPOSES];

/** The flow a campaign runs. */
export function flowOf(cfg: Pick<CampaignConfig, 'menu' | 'menuPrompt'> & { flow?: unknown }): Flow {
  // A stored configuration's flow was parsed whole by parseCampaignConfig before it was kept.
  return (cfg.flow as Flow | undefined) ?? messageMenuFlow(cfg.menu, cfg.menuPrompt);
}

function parseFlowField(v: unknown, menu: CampaignConfig['menu'], menuPrompt: string | null): Flow {
  if (v === undefined || v === null) return messageMenuFlow(menu, menuPrompt);
  const o = v as Json;
  if (typeof o === 'object' && o.template === 'message-menu') return messageMenuFlow(menu, menuPrompt);
  if (typeof o === 'object' && o.steps === undefined && typeof o.template === 'string') {
    if (!(TEMPLATES as readonly string[]).includes(o.template)) {
      throw new AppError('E_FLOW_INVALID', `campaign field "flow.template": one of ${TEMPLATES.join(', ')}`, { field: 'flow.template' });
    }
    const lang = o.lang === 'fr' ? 'fr' : 'en';
    return flowTemplate(o.template as TemplateName, { lang, ...(menu.optOut ? { optOutKey: menu.optOut } : {}), menu, menuPrompt });
  }
  return parseFlow(v);
}

const MIN = 60_000;

/** DESIGN.md defaults: cause-aware. */
export function defaultRetryPolicy(): RetryPolicy {
  return {
    busy: { delayMs: 15 * MIN, maxRetries: 3 },
    'no-answer': { delayMs: 60 * MIN, maxRetries: 2, backoff: 1.5 },
    declined: { delayMs: 'next-day', maxRetries: 1 },
    'invalid-number': { delayMs: 0, maxRetries: 0 },
    'trunk-failure': { delayMs: 2 * MIN, maxRetries: 5, backoff: 2, uncounted: true },
    interrupted: { delayMs: 10 * MIN, maxRetries: 2 },
    'machine-no-message': { delayMs: 60 * MIN, maxRetries: 1 },
  };
}

export function defaultCampaignConfig(): Omit<CampaignConfig, 'message' | 'tts' | 'callerId' | 'trunks'> {
  return {
    purpose: 'informational',
    voicemail: null,
    menu: { confirm: '1', repeat: '9', optOut: '2' },
    menuPrompt: null,
    schedule: { startDate: null, endDate: null, windows: [{ days: [1, 2, 3, 4, 5, 6], from: '09:00', to: '20:00' }] },
    maxConcurrent: 10,
    cps: 2,
    ringTimeoutMs: 30_000,
    maxAttempts: 4,
    retry: defaultRetryPolicy(),
    amd: true,
  };
}

type Json = Record<string, unknown>;

function field<T>(obj: Json, key: string, check: (v: unknown) => v is T, what: string, fallback?: T): T {
  const v = obj[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (!check(v)) throw new AppError('E_CAMPAIGN_INVALID', `campaign field "${key}": ${what}`, { field: key });
  return v;
}

const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isInt = (min: number, max: number) => (v: unknown): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isNum = (min: number, max: number) => (v: unknown): v is number => typeof v === 'number' && v > min && v <= max;
const isKey = (v: unknown): v is string => typeof v === 'string' && /^[0-9*#]$/.test(v);
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseWindows(v: unknown): DailyWindow[] {
  if (!Array.isArray(v) || v.length === 0) throw new AppError('E_CAMPAIGN_INVALID', 'campaign field "schedule.windows": give at least one daily window', { field: 'schedule.windows' });
  return v.map((w: unknown, i) => {
    const o = (w ?? {}) as Json;
    const days = o.days;
    if (!Array.isArray(days) || days.length === 0 || !days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) {
      throw new AppError('E_CAMPAIGN_INVALID', `campaign field "schedule.windows.${i}.days": ISO weekdays 1 (Monday) to 7 (Sunday)`, { field: `schedule.windows.${i}.days` });
    }
    for (const k of ['from', 'to'] as const) {
      if (typeof o[k] !== 'string' || !HHMM.test(o[k] as string)) {
        throw new AppError('E_CAMPAIGN_INVALID', `campaign field "schedule.windows.${i}.${k}": a time as HH:MM`, { field: `schedule.windows.${i}.${k}` });
      }
    }
    if ((o.from as string) >= (o.to as string)) throw new AppError('E_CAMPAIGN_INVALID', `campaign field "schedule.windows.${i}": "from" must be before "to"`, { field: `schedule.windows.${i}` });
    return { days: days as number[], from: o.from as string, to: o.to as string };
  });
}

function parseRetry(v: unknown): RetryPolicy {
  const base = defaultRetryPolicy();
  if (v === undefined) return base;
  if (!v || typeof v !== 'object') throw new AppError('E_CAMPAIGN_INVALID', 'campaign field "retry": an object keyed by outcome', { field: 'retry' });
  for (const [k, r] of Object.entries(v as Json)) {
    if (!(OUTCOMES as readonly string[]).includes(k)) throw new AppError('E_CAMPAIGN_INVALID', `campaign field "retry.${k}": not an outcome (${OUTCOMES.join(', ')})`, { field: `retry.${k}` });
    const o = (r ?? {}) as Json;
    const delay = o.delayMs;
    if (!(delay === 'next-day' || (typeof delay === 'number' && delay >= 0))) throw new AppError('E_CAMPAIGN_INVALID', `campaign field "retry.${k}.delayMs": milliseconds or "next-day"`, { field: `retry.${k}.delayMs` });
    if (!Number.isInteger(o.maxRetries) || (o.maxRetries as number) < 0 || (o.maxRetries as number) > 20) throw new AppError('E_CAMPAIGN_INVALID', `campaign field "retry.${k}.maxRetries": 0 to 20`, { field: `retry.${k}.maxRetries` });
    base[k as Outcome] = { delayMs: delay as number | 'next-day', maxRetries: o.maxRetries as number, ...(typeof o.backoff === 'number' ? { backoff: o.backoff } : {}), ...(o.uncounted === true ? { uncounted: true } : {}) };
  }
  return base;
}

function parseMessage(o: Json): Pick<CampaignConfig, 'message' | 'tts'> {
  const hasMessage = o.message !== undefined && o.message !== null;
  const hasTts = o.tts !== undefined && o.tts !== null;
  if (hasMessage === hasTts) throw new AppError('E_CAMPAIGN_INVALID', 'campaign: give either "message" (a recording id) or "tts" (personalised text), not both', { field: 'message' });
  if (hasMessage) return { message: field(o, 'message', isStr, 'the id of a recording'), tts: null };
  const t = o.tts as Json;
  if (typeof t !== 'object' || typeof t.text !== 'string' || !t.text.trim() || t.text.length > 5000) {
    throw new AppError('E_CAMPAIGN_INVALID', 'campaign field "tts.text": the message text, 1 to 5000 characters', { field: 'tts.text' });
  }
  if (typeof t.voice !== 'string' || !/^[a-z]{2,3}(-[a-z0-9]{2,8})?(\+[a-z0-9]{1,8})?$/i.test(t.voice)) {
    throw new AppError('E_CAMPAIGN_INVALID', 'campaign field "tts.voice": an espeak-ng voice such as "en", "en-us" or "fr+f2"', { field: 'tts.voice' });
  }
  if (t.rate !== undefined && !(Number.isInteger(t.rate) && (t.rate as number) >= 80 && (t.rate as number) <= 400)) {
    throw new AppError('E_CAMPAIGN_INVALID', 'campaign field "tts.rate": words per minute, 80 to 400', { field: 'tts.rate' });
  }
  return { message: null, tts: { text: t.text, voice: t.voice, ...(t.rate !== undefined ? { rate: t.rate as number } : {}) } };
}

const isMs = (v: unknown): v is number | null => v === null || (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 600_000);

const WHAT: Record<string, string> = {
  callerId: 'the caller ID', 'script.callbackNumber': 'the callback number', 'script.voicemail.callbackNumber': 'the voicemail message\'s callback number',
};

/**
 * A phone field as people type it: international (+33 4 78 00 00 00) or national in the box's country
 * (04 78 00 00 00 in France), stored in E.164; anything else is refused in plain words.
 */
function phoneField(v: unknown, key: string, country: string | undefined): string {
  const text = typeof v === 'string' ? v : '';
  const e164 = text.trim() ? numberFromText(text, country ?? '') : null;
  if (e164) return e164;
  const where = country ? `as dialled in ${countryName(country)} or ` : '';
  const shown = text.trim() ? `"${text.slice(0, 40)}" is not a phone number` : 'a phone number is needed';
  throw new AppError('E_CAMPAIGN_INVALID', `${shown} for ${WHAT[key] ?? key}; type it ${where}in international format, with + and the country code (+33 4 78 00 00 00)`,
    { field: key, ...(text.trim() ? { phone: text.slice(0, 40) } : { missingPhone: key }), ...(country ? { country } : {}) });
}

function countryName(cc: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' }).of(cc) ?? cc;
  } catch {
    return cc;
  }
}

function phoneOrNull(v: unknown, key: string, country: string | undefined): string | null {
  return v === null || v === undefined || v === '' ? null : phoneField(v, key, country);
}

function parseScript(v: unknown, country: string | undefined): ScriptDeclaration | undefined {
  if (v === undefined || v === null) return undefined;
  const bad = (key: string, what: string): AppError => new AppError('E_CAMPAIGN_INVALID', `campaign field "script.${key}": ${what}`, { field: `script.${key}` });
  if (typeof v !== 'object') throw new AppError('E_CAMPAIGN_INVALID', 'campaign field "script": where the message gives the identity, callback number and opt-out key', { field: 'script' });
  const o = v as Json;
  const ms = (k: string): number | null => {
    const x = o[k] ?? null;
    if (!isMs(x)) throw bad(k, 'milliseconds from the start of the message (0 to 600000), or null when the message does not say it');
    return x;
  };
  const callback = phoneOrNull(o.callbackNumber, 'script.callbackNumber', country);
  let voicemail: ScriptDeclaration['voicemail'] = null;
  if (o.voicemail !== undefined && o.voicemail !== null) {
    const vm = o.voicemail as Json;
    if (typeof vm !== 'object' || typeof vm.identification !== 'boolean') throw bad('voicemail.identification', 'true when the voicemail message gives the identity');
    const vmCallback = phoneOrNull(vm.callbackNumber, 'script.voicemail.callbackNumber', country);
    voicemail = { identification: vm.identification, callbackNumber: vmCallback };
  }
  return { identificationEndsMs: ms('identificationEndsMs'), callbackNumber: callback, optOutAnnouncedMs: ms('optOutAnnouncedMs'), voicemail };
}

function parseComplianceFields(o: Json, purpose: Purpose, country: string | undefined): Pick<CampaignConfig, 'pack' | 'seller' | 'script'> {
  const out: Pick<CampaignConfig, 'pack' | 'seller' | 'script'> = {};
  if (o.pack !== undefined && o.pack !== null) {
    if (!isPackId(o.pack)) throw new AppError('E_CAMPAIGN_INVALID', `campaign field "pack": one of ${PACK_IDS.join(', ')}, or leave it out for the settings default`, { field: 'pack' });
    out.pack = o.pack;
  }
  if (o.seller !== undefined && o.seller !== null && o.seller !== '') {
    if (typeof o.seller !== 'string' || !o.seller.trim() || o.seller.length > 200) throw new AppError('E_CAMPAIGN_INVALID', 'campaign field "seller": the name of the business the calls are made for, 1 to 200 characters', { field: 'seller' });
    out.seller = o.seller.trim();
  } else if (purpose === 'marketing') {
    throw new AppError('E_CAMPAIGN_INVALID', 'campaign field "seller": marketing calls need the seller they are made for (consents are given to a seller)', { field: 'seller' });
  }
  const script = parseScript(o.script, country);
  if (script) out.script = script;
  return out;
}

/**
 * Parse an untrusted campaign configuration (HTTP body, fleet command) with defaults filled in; phone
 * numbers may be national numbers of `country` (the box's).
 */
export function parseCampaignConfig(input: unknown, opts: { country?: string } = {}): CampaignConfig {
  if (!input || typeof input !== 'object') throw new AppError('E_CAMPAIGN_INVALID', 'campaign: expected an object');
  const o = input as Json;
  const d = defaultCampaignConfig();
  const schedule = (o.schedule ?? {}) as Json;
  const startDate = schedule.startDate ?? null;
  const endDate = schedule.endDate ?? null;
  for (const [k, v] of [['startDate', startDate], ['endDate', endDate]] as const) {
    if (v !== null && (typeof v !== 'string' || !DATE.test(v))) throw new AppError('E_CAMPAIGN_INVALID', `campaign field "schedule.${k}": a date as YYYY-MM-DD`, { field: `schedule.${k}` });
  }
  const menuIn = (o.menu ?? d.menu) as Json;
  const menu: CampaignConfig['menu'] = {};
  for (const k of ['confirm', 'repeat', 'optOut'] as const) {
    if (menuIn[k] === undefined || menuIn[k] === null || menuIn[k] === '') continue;
    if (!isKey(menuIn[k])) throw new AppError('E_CAMPAIGN_INVALID', `campaign field "menu.${k}": one key 0-9, * or #`, { field: `menu.${k}` });
    menu[k] = menuIn[k] as string;
  }
  const keys = Object.values(menu);
  if (new Set(keys).size !== keys.length) throw new AppError('E_CAMPAIGN_INVALID', 'campaign field "menu": each action needs its own key', { field: 'menu' });
  const trunks = o.trunks;
  if (!Array.isArray(trunks) || trunks.length === 0 || !trunks.every(isStr)) throw new AppError('E_CAMPAIGN_INVALID', 'campaign field "trunks": at least one trunk name', { field: 'trunks' });
  const purpose = field(o, 'purpose', (v): v is Purpose => PURPOSES.includes(v as Purpose), `one of ${PURPOSES.join(', ')}`, d.purpose);
  const menuPrompt = o.menuPrompt === undefined || o.menuPrompt === null ? null : field(o, 'menuPrompt', isStr, 'the id of a recording or null');
  return {
    purpose,
    ...parseMessage(o),
    voicemail: o.voicemail === undefined || o.voicemail === null ? null : field(o, 'voicemail', isStr, 'the id of a recording or null'),
    menu,
    menuPrompt,
    callerId: phoneField(o.callerId, 'callerId', opts.country),
    trunks: trunks as string[],
    schedule: { startDate: startDate as string | null, endDate: endDate as string | null, windows: schedule.windows === undefined ? d.schedule.windows : parseWindows(schedule.windows) },
    maxConcurrent: field(o, 'maxConcurrent', isInt(1, 1000), 'a whole number from 1 to 1000', d.maxConcurrent),
    cps: field(o, 'cps', isNum(0, 200), 'calls per second, more than 0 and at most 200', d.cps),
    ringTimeoutMs: field(o, 'ringTimeoutMs', isInt(5_000, 120_000), 'milliseconds from 5000 to 120000', d.ringTimeoutMs),
    maxAttempts: field(o, 'maxAttempts', isInt(1, 20), 'a whole number from 1 to 20', d.maxAttempts),
    retry: parseRetry(o.retry),
    amd: field(o, 'amd', (v): v is boolean => typeof v === 'boolean', 'true or false', d.amd),
    ...parseComplianceFields(o, purpose, opts.country),
    flow: parseFlowField(o.flow, menu, menuPrompt),
  };
}

// Campaign model: what staff configure, parsed and checked at the edge into typed values.
import { AppError } from '../../core/errors.ts';
import { OUTCOMES, type Outcome } from '../../core/outcomes.ts';
import { FieldProblems } from './field-problems.ts';
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
    const group = typeof o.group === 'string' ? { staffGroup: o.group } : {};
    return flowTemplate(o.template as TemplateName, { lang, ...(menu.optOut ? { optOutKey: menu.optOut } : {}), menu, menuPrompt, ...group });
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

const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isInt = (min: number, max: number) => (v: unknown): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isNum = (min: number, max: number) => (v: unknown): v is number => typeof v === 'number' && v > min && v <= max;
const isKey = (v: unknown): v is string => typeof v === 'string' && /^[0-9*#]$/.test(v);
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A number field with a default: the value, or the default after noting the problem. */
function numberField(p: FieldProblems, o: Json, key: string, check: (v: unknown) => v is number, fallback: number, what: string, params: Record<string, string | number>): number {
  const v = o[key];
  if (v === undefined) return fallback;
  if (check(v)) return v;
  p.add(key, what, 'range', params);
  return fallback;
}

function parseWindows(p: FieldProblems, v: unknown): DailyWindow[] {
  if (!Array.isArray(v) || v.length === 0) {
    p.add('schedule.windows', 'give at least one daily window', 'windows');
    return [];
  }
  return v.map((w: unknown, i) => {
    const o = (w ?? {}) as Json;
    const days = o.days;
    if (!Array.isArray(days) || days.length === 0 || !days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) {
      p.add(`schedule.windows.${i}.days`, 'ISO weekdays 1 (Monday) to 7 (Sunday), at least one', 'weekdays', { window: i + 1 });
    }
    let times = true;
    for (const k of ['from', 'to'] as const) {
      if (typeof o[k] !== 'string' || !HHMM.test(o[k] as string)) {
        p.add(`schedule.windows.${i}.${k}`, 'a time as HH:MM', 'time', { window: i + 1 });
        times = false;
      }
    }
    if (times && (o.from as string) >= (o.to as string)) {
      p.add(`schedule.windows.${i}.to`, `"to" (${o.to as string}) must be after "from" (${o.from as string})`, 'window-order', { window: i + 1, from: o.from as string, to: o.to as string });
    }
    return { days: Array.isArray(days) ? (days as number[]) : [], from: String(o.from ?? ''), to: String(o.to ?? '') };
  });
}

function parseRetry(p: FieldProblems, v: unknown): RetryPolicy {
  const base = defaultRetryPolicy();
  if (v === undefined) return base;
  if (!v || typeof v !== 'object') {
    p.add('retry', 'an object keyed by outcome', 'invalid');
    return base;
  }
  for (const [k, r] of Object.entries(v as Json)) {
    if (!(OUTCOMES as readonly string[]).includes(k)) {
      p.add(`retry.${k}`, `not an outcome (${OUTCOMES.join(', ')})`, 'choice');
      continue;
    }
    const o = (r ?? {}) as Json;
    const delay = o.delayMs;
    if (!(delay === 'next-day' || (typeof delay === 'number' && Number.isFinite(delay) && delay >= 0))) p.add(`retry.${k}.delayMs`, 'milliseconds (0 or more) or "next-day"', 'delay', { outcome: k });
    if (!Number.isInteger(o.maxRetries) || (o.maxRetries as number) < 0 || (o.maxRetries as number) > 20) p.add(`retry.${k}.maxRetries`, 'a whole number from 0 to 20', 'range', { min: 0, max: 20, outcome: k });
    base[k as Outcome] = { delayMs: delay as number | 'next-day', maxRetries: o.maxRetries as number, ...(typeof o.backoff === 'number' ? { backoff: o.backoff } : {}), ...(o.uncounted === true ? { uncounted: true } : {}) };
  }
  return base;
}

function parseMessage(p: FieldProblems, o: Json): Pick<CampaignConfig, 'message' | 'tts'> {
  const hasMessage = o.message !== undefined && o.message !== null && o.message !== '';
  const hasTts = o.tts !== undefined && o.tts !== null;
  if (hasMessage && hasTts) {
    p.add('message', 'give either "message" (a recording id) or "tts" (personalised text), not both', 'message-or-tts');
    return { message: null, tts: null };
  }
  if (!hasMessage && !hasTts) {
    p.add('message', 'choose the recording to play (or personalised text-to-speech)', 'required');
    return { message: null, tts: null };
  }
  if (hasMessage) {
    if (!isStr(o.message)) p.add('message', 'the id of a recording', 'recording');
    return { message: String(o.message), tts: null };
  }
  const t = (typeof o.tts === 'object' ? o.tts : {}) as Json;
  if (typeof t.text !== 'string' || !t.text.trim()) p.add('tts.text', 'the message text is required', 'required');
  else if (t.text.length > 5000) p.add('tts.text', 'the message text, at most 5000 characters', 'text-length', { max: 5000 });
  if (typeof t.voice !== 'string' || !/^[a-z]{2,3}(-[a-z0-9]{2,8})?(\+[a-z0-9]{1,8})?$/i.test(t.voice)) {
    p.add('tts.voice', 'an espeak-ng voice such as "en", "en-us" or "fr+f2"', 'voice');
  }
  if (t.rate !== undefined && !(Number.isInteger(t.rate) && (t.rate as number) >= 80 && (t.rate as number) <= 400)) {
    p.add('tts.rate', 'words per minute, 80 to 400', 'range', { min: 80, max: 400 });
  }
  return { message: null, tts: { text: String(t.text ?? ''), voice: String(t.voice ?? ''), ...(t.rate !== undefined ? { rate: t.rate as number } : {}) } };
}

const isMs = (v: unknown): v is number | null => v === null || (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 600_000);

const WHAT: Record<string, string> = {
  callerId: 'the caller ID', 'script.callbackNumber': 'the callback number', 'script.voicemail.callbackNumber': 'the voicemail message\'s callback number',
};

/**
 * A phone field as people type it: international (+33 4 78 00 00 00) or national in the box's country
 * (04 78 00 00 00 in France), stored in E.164; anything else is noted in plain words.
 */
function phoneField(p: FieldProblems, v: unknown, key: string, country: string | undefined): string {
  const text = typeof v === 'string' ? v : '';
  const e164 = text.trim() ? numberFromText(text, country ?? '') : null;
  if (e164) return e164;
  const where = country ? `as dialled in ${countryName(country)} or ` : '';
  const shown = text.trim() ? `"${text.slice(0, 40)}" is not a phone number` : 'a phone number is needed';
  p.add(key, `${shown} for ${WHAT[key] ?? key}; type it ${where}in international format, with + and the country code (+33 4 78 00 00 00)`,
    text.trim() ? 'phone' : 'phone-missing', { ...(text.trim() ? { phone: text.slice(0, 40) } : {}), ...(country ? { country } : {}) },
    { ...(text.trim() ? { phone: text.slice(0, 40) } : { missingPhone: key }), ...(country ? { country } : {}) });
  return text;
}

function countryName(cc: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' }).of(cc) ?? cc;
  } catch {
    return cc;
  }
}

function phoneOrNull(p: FieldProblems, v: unknown, key: string, country: string | undefined): string | null {
  return v === null || v === undefined || v === '' ? null : phoneField(p, v, key, country);
}

function parseScript(p: FieldProblems, v: unknown, country: string | undefined): ScriptDeclaration | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object') {
    p.add('script', 'where the message gives the identity, callback number and opt-out key', 'invalid');
    return undefined;
  }
  const o = v as Json;
  const ms = (k: string): number | null => {
    const x = o[k] ?? null;
    if (isMs(x)) return x;
    p.add(`script.${k}`, 'milliseconds from the start of the message (0 to 600000), or null when the message does not say it', 'range', { min: 0, max: 600, unit: 's' });
    return null;
  };
  const callback = phoneOrNull(p, o.callbackNumber, 'script.callbackNumber', country);
  let voicemail: ScriptDeclaration['voicemail'] = null;
  if (o.voicemail !== undefined && o.voicemail !== null) {
    const vm = o.voicemail as Json;
    if (typeof vm !== 'object' || typeof vm.identification !== 'boolean') p.add('script.voicemail.identification', 'true when the voicemail message gives the identity', 'invalid');
    else voicemail = { identification: vm.identification, callbackNumber: phoneOrNull(p, vm.callbackNumber, 'script.voicemail.callbackNumber', country) };
  }
  return { identificationEndsMs: ms('identificationEndsMs'), callbackNumber: callback, optOutAnnouncedMs: ms('optOutAnnouncedMs'), voicemail };
}

function parseComplianceFields(p: FieldProblems, o: Json, purpose: Purpose, country: string | undefined): Pick<CampaignConfig, 'pack' | 'seller' | 'script'> {
  const out: Pick<CampaignConfig, 'pack' | 'seller' | 'script'> = {};
  if (o.pack !== undefined && o.pack !== null && o.pack !== '') {
    if (!isPackId(o.pack)) p.add('pack', `one of ${PACK_IDS.join(', ')}, or leave it out for the settings default`, 'choice', { choices: PACK_IDS.join(', ') });
    else out.pack = o.pack;
  }
  if (o.seller !== undefined && o.seller !== null && o.seller !== '') {
    if (typeof o.seller !== 'string' || !o.seller.trim() || o.seller.length > 200) p.add('seller', 'the name of the business the calls are made for, 1 to 200 characters', 'text-length', { max: 200 });
    else out.seller = o.seller.trim();
  } else if (purpose === 'marketing') {
    p.add('seller', 'marketing calls need the seller they are made for (consents are given to a seller)', 'seller-marketing');
  }
  const script = parseScript(p, o.script, country);
  if (script) out.script = script;
  return out;
}

function parseMenu(p: FieldProblems, menuIn: Json): CampaignConfig['menu'] {
  const menu: CampaignConfig['menu'] = {};
  for (const k of ['confirm', 'repeat', 'optOut'] as const) {
    if (menuIn[k] === undefined || menuIn[k] === null || menuIn[k] === '') continue;
    if (!isKey(menuIn[k])) p.add(`menu.${k}`, 'one key 0-9, * or #', 'key');
    else menu[k] = menuIn[k] as string;
  }
  // The second action that takes an already used key is the one at fault.
  const seen = new Map<string, string>();
  for (const [k, key] of Object.entries(menu)) {
    const other = seen.get(key);
    if (other) p.add(`menu.${k}`, `each action needs its own key ("${key}" is already the ${other} key)`, 'keys-distinct', { key, other });
    else seen.set(key, k);
  }
  return menu;
}

/**
 * Parse an untrusted campaign configuration (HTTP body, fleet command) with defaults filled in; phone
 * numbers may be national numbers of `country` (the box's). Every field at fault is noted in `p` (the
 * caller throws); without `p`, this throws one error naming them all.
 */
export function parseCampaignConfig(input: unknown, opts: { country?: string; problems?: FieldProblems } = {}): CampaignConfig {
  const p = opts.problems ?? new FieldProblems();
  if (!input || typeof input !== 'object') {
    p.add('config', 'expected an object', 'invalid');
    p.throwIfAny('E_CAMPAIGN_INVALID', 'campaign');
  }
  const o = (input ?? {}) as Json;
  const d = defaultCampaignConfig();
  const schedule = (o.schedule ?? {}) as Json;
  const startDate = schedule.startDate === '' ? null : (schedule.startDate ?? null);
  const endDate = schedule.endDate === '' ? null : (schedule.endDate ?? null);
  for (const [k, v] of [['startDate', startDate], ['endDate', endDate]] as const) {
    if (v !== null && (typeof v !== 'string' || !DATE.test(v))) p.add(`schedule.${k}`, 'a date as YYYY-MM-DD', 'date');
  }
  if (typeof startDate === 'string' && typeof endDate === 'string' && DATE.test(startDate) && DATE.test(endDate) && endDate < startDate) {
    p.add('schedule.endDate', `the last day (${endDate}) is before the first (${startDate})`, 'date-order', { from: startDate, to: endDate });
  }
  const menu = parseMenu(p, (o.menu ?? d.menu) as Json);
  const trunks = o.trunks;
  if (!Array.isArray(trunks) || trunks.length === 0 || !trunks.every(isStr)) p.add('trunks', 'at least one trunk name', 'trunks');
  let purpose = d.purpose;
  if (o.purpose !== undefined) {
    if (PURPOSES.includes(o.purpose as Purpose)) purpose = o.purpose as Purpose;
    else p.add('purpose', `one of ${PURPOSES.join(', ')}`, 'choice', { choices: PURPOSES.join(', ') });
  }
  const optionalRecording = (key: 'voicemail' | 'menuPrompt'): string | null => {
    const v = o[key];
    if (v === undefined || v === null || v === '') return null;
    if (!isStr(v)) p.add(key, 'the id of a recording or null', 'recording');
    return String(v);
  };
  const amd = o.amd === undefined ? d.amd : o.amd;
  if (typeof amd !== 'boolean') p.add('amd', 'true or false', 'invalid');
  const cfg: CampaignConfig = {
    purpose,
    ...parseMessage(p, o),
    voicemail: optionalRecording('voicemail'),
    menu,
    menuPrompt: optionalRecording('menuPrompt'),
    callerId: phoneField(p, o.callerId, 'callerId', opts.country),
    trunks: Array.isArray(trunks) ? (trunks as string[]) : [],
    schedule: { startDate: startDate as string | null, endDate: endDate as string | null, windows: schedule.windows === undefined ? d.schedule.windows : parseWindows(p, schedule.windows) },
    maxConcurrent: numberField(p, o, 'maxConcurrent', isInt(1, 1000), d.maxConcurrent, 'a whole number from 1 to 1000', { min: 1, max: 1000 }),
    cps: numberField(p, o, 'cps', isNum(0, 200), d.cps, 'calls per second, more than 0 and at most 200', { min: 0.1, max: 200 }),
    ringTimeoutMs: numberField(p, o, 'ringTimeoutMs', isInt(5_000, 120_000), d.ringTimeoutMs, 'milliseconds from 5000 to 120000', { min: 5, max: 120, unit: 's' }),
    maxAttempts: numberField(p, o, 'maxAttempts', isInt(1, 20), d.maxAttempts, 'a whole number from 1 to 20', { min: 1, max: 20 }),
    retry: parseRetry(p, o.retry),
    amd: amd === true,
    ...parseComplianceFields(p, o, purpose, opts.country),
  };
  if (!opts.problems) p.throwIfAny('E_CAMPAIGN_INVALID', 'campaign');
  // The call flow is built from the fields above once they are right; its own errors name its steps.
  if (p.list.length === 0) cfg.flow = parseFlowField(o.flow, menu, cfg.menuPrompt);
  return cfg;
}

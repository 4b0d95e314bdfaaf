// The wizard's form state (strings, as inputs hold them) and its conversion to and from a campaign
// configuration. The box checks the whole configuration; this only shapes it.
import type { CampaignConfig, CampaignOptions, DailyWindow, RetryRule, ScriptDeclaration } from './types.ts';
import type { FieldProblem } from '../../api.ts';
import type { WireFlow } from '../../flows/types.ts';

/** The retry rules the wizard shows; the others keep the box's defaults. */
export const RETRY_OUTCOMES = ['busy', 'no-answer', 'declined', 'machine-no-message', 'interrupted'] as const;

export interface RetryForm {
  minutes: string;
  nextDay: boolean;
  maxRetries: string;
}

export interface WizardForm {
  name: string;
  listId: string;
  purpose: string;
  seller: string;
  pack: string;
  messageKind: 'recording' | 'tts';
  message: string;
  ttsText: string;
  ttsVoice: string;
  ttsRate: string;
  voicemail: string;
  menuPrompt: string;
  menuConfirm: string;
  menuRepeat: string;
  menuOptOut: string;
  callerId: string;
  trunks: string[];
  startDate: string;
  endDate: string;
  windows: DailyWindow[];
  maxConcurrent: string;
  cps: string;
  ringTimeoutSec: string;
  maxAttempts: string;
  retry: Record<string, RetryForm>;
  amd: boolean;
  /** Script declarations: a time is "not said" (null) when its box is ticked, else seconds from the start. */
  scriptIdNotSaid: boolean;
  scriptIdSec: string;
  scriptCallback: string;
  scriptOptOutNotSaid: boolean;
  scriptOptOutSec: string;
  scriptVmIdentification: boolean;
  scriptVmCallback: string;
  /** The call flow: a template's name, 'custom', or 'message-menu' (then `flow` is null: the menu fields make it). */
  template: string;
  flow: WireFlow | null;
}

function retryForm(r: RetryRule | undefined): RetryForm {
  return { minutes: r && r.delayMs !== 'next-day' ? String(Math.round(r.delayMs / 60_000)) : '60', nextDay: r?.delayMs === 'next-day', maxRetries: String(r?.maxRetries ?? 0) };
}

export function formFromConfig(cfg: Omit<CampaignConfig, 'message' | 'tts' | 'callerId' | 'trunks'> & Partial<CampaignConfig>, opts: CampaignOptions, lang: string): WizardForm {
  const trunks = cfg.trunks ?? (opts.defaultTrunk ? [opts.defaultTrunk] : opts.trunks.filter((x) => x.enabled).slice(0, 1).map((x) => x.name));
  return {
    name: '',
    listId: '',
    purpose: cfg.purpose,
    seller: cfg.seller ?? '',
    pack: cfg.pack ?? '',
    messageKind: cfg.tts ? 'tts' : 'recording',
    message: cfg.message ?? '',
    ttsText: cfg.tts?.text ?? '',
    ttsVoice: cfg.tts?.voice ?? (lang === 'fr' ? 'fr' : 'en'),
    ttsRate: cfg.tts?.rate !== undefined ? String(cfg.tts.rate) : '',
    voicemail: cfg.voicemail ?? '',
    menuPrompt: cfg.menuPrompt ?? '',
    menuConfirm: cfg.menu.confirm ?? '',
    menuRepeat: cfg.menu.repeat ?? '',
    menuOptOut: cfg.menu.optOut ?? '',
    callerId: cfg.callerId ?? opts.callerIds.find((c) => c.verified)?.number ?? opts.callerIds[0]?.number ?? '',
    trunks,
    startDate: cfg.schedule.startDate ?? '',
    endDate: cfg.schedule.endDate ?? '',
    windows: cfg.schedule.windows.map((w) => ({ ...w, days: [...w.days] })),
    maxConcurrent: String(cfg.maxConcurrent),
    cps: String(cfg.cps),
    ringTimeoutSec: String(Math.round(cfg.ringTimeoutMs / 1000)),
    maxAttempts: String(cfg.maxAttempts),
    retry: Object.fromEntries(RETRY_OUTCOMES.map((o) => [o, retryForm(cfg.retry[o])])),
    amd: cfg.amd,
    scriptIdNotSaid: cfg.script?.identificationEndsMs == null,
    scriptIdSec: seconds(cfg.script?.identificationEndsMs),
    scriptCallback: cfg.script?.callbackNumber ?? '',
    scriptOptOutNotSaid: cfg.script?.optOutAnnouncedMs == null,
    scriptOptOutSec: seconds(cfg.script?.optOutAnnouncedMs),
    scriptVmIdentification: cfg.script?.voicemail?.identification ?? false,
    scriptVmCallback: cfg.script?.voicemail?.callbackNumber ?? '',
    ...flowForm(cfg.flow),
  };
}

/** A stored flow as the form holds it: a message-menu flow is the menu fields themselves. */
function flowForm(raw: unknown): { template: string; flow: WireFlow | null } {
  const flow = raw as WireFlow | undefined;
  if (!flow || !Array.isArray(flow.steps) || flow.template === 'message-menu') return { template: 'message-menu', flow: null };
  return { template: flow.template ?? 'custom', flow };
}

function seconds(ms: number | null | undefined): string {
  return ms == null ? '' : String(ms / 1000);
}

const num = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s.replace(',', '.')));
const phone = (s: string): string => s.replace(/[\s.()-]/g, '');

/** Seconds from the start of the message the box accepts (0 to 600, tenths kept). */
export function secondsValid(s: string): boolean {
  const n = num(s);
  return Number.isFinite(n) && n >= 0 && n <= 600;
}

/**
 * The script declaration to send, or undefined when nothing is declared (the start check then says
 * the declaration is missing). Seconds are checked by the page first; the box checks the numbers.
 */
export function scriptFromForm(f: WizardForm): ScriptDeclaration | undefined {
  const ms = (notSaid: boolean, s: string): number | null => (notSaid ? null : Math.round(num(s) * 1000));
  const voicemail = f.voicemail && (f.scriptVmIdentification || f.scriptVmCallback.trim())
    ? { identification: f.scriptVmIdentification, callbackNumber: phone(f.scriptVmCallback) || null }
    : null;
  const script: ScriptDeclaration = {
    identificationEndsMs: ms(f.scriptIdNotSaid, f.scriptIdSec),
    callbackNumber: phone(f.scriptCallback) || null,
    optOutAnnouncedMs: ms(f.scriptOptOutNotSaid, f.scriptOptOutSec),
    voicemail,
  };
  const declared = script.identificationEndsMs !== null || script.callbackNumber !== null || script.optOutAnnouncedMs !== null || voicemail !== null;
  return declared ? script : undefined;
}

/** The configuration to send; numbers that do not parse go as they are so the box names the field. */
export function configFromForm(f: WizardForm, base: Record<string, RetryRule>): Record<string, unknown> {
  const retry: Record<string, RetryRule> = { ...base };
  for (const o of RETRY_OUTCOMES) {
    const r = f.retry[o]!;
    retry[o] = { ...base[o], delayMs: r.nextDay ? 'next-day' : Math.round(num(r.minutes) * 60_000), maxRetries: num(r.maxRetries) };
  }
  const menu: Record<string, string> = {};
  if (f.menuConfirm) menu.confirm = f.menuConfirm;
  if (f.menuRepeat) menu.repeat = f.menuRepeat;
  if (f.menuOptOut) menu.optOut = f.menuOptOut;
  // A flow of steps uses the menu's opt-out key only (its own steps take the other keys).
  if (f.flow) {
    delete menu.confirm;
    delete menu.repeat;
  }
  const script = scriptFromForm(f);
  return {
    purpose: f.purpose,
    ...(f.seller.trim() ? { seller: f.seller.trim() } : {}),
    ...(f.pack ? { pack: f.pack } : {}),
    message: f.messageKind === 'recording' ? f.message || null : null,
    tts: f.messageKind === 'tts' ? { text: f.ttsText, voice: f.ttsVoice, ...(f.ttsRate.trim() ? { rate: num(f.ttsRate) } : {}) } : null,
    voicemail: f.voicemail || null,
    menu,
    menuPrompt: f.flow ? null : f.menuPrompt || null,
    flow: f.flow ?? { template: 'message-menu' },
    callerId: phone(f.callerId),
    trunks: f.trunks,
    schedule: { startDate: f.startDate || null, endDate: f.endDate || null, windows: f.windows },
    maxConcurrent: num(f.maxConcurrent),
    cps: num(f.cps),
    ringTimeoutMs: Math.round(num(f.ringTimeoutSec) * 1000),
    maxAttempts: num(f.maxAttempts),
    retry,
    amd: f.amd,
    ...(script ? { script } : {}),
  };
}

/** The order of the form's fields top to bottom (keys as the box names them), for the error summary. */
export const FIELD_ORDER = [
  'name', 'listId', 'purpose', 'seller', 'pack', 'message', 'tts', 'voicemail', 'menuPrompt', 'menu', 'flow', 'script',
  'callerId', 'trunks', 'schedule.startDate', 'schedule.endDate', 'schedule.windows', 'maxConcurrent', 'cps', 'ringTimeoutMs',
  'maxAttempts', 'retry',
] as const;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/**
 * What the page can tell without the box, all at once: required fields, number ranges, each window's
 * days and time order, at least one window, distinct menu keys, the caller ID's form. The box checks
 * all of it again (and what only it knows: lists, recordings, trunks, national numbers).
 */
export function checkForm(f: WizardForm, country: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  const add = (key: string, rule: string, params?: Record<string, string | number>): void => { out.push({ key, rule, ...(params ? { params } : {}) }); };
  const range = (key: string, s: string, min: number, max: number, opts: { integer?: boolean; minExclusive?: boolean; unit?: string } = {}): void => {
    const n = num(s);
    const ok = Number.isFinite(n) && (opts.minExclusive ? n > 0 : n >= min) && n <= max && (!opts.integer || Number.isInteger(n));
    if (!ok) add(key, s.trim() === '' ? 'required' : 'range', { min, max, ...(opts.unit ? { unit: opts.unit } : {}) });
  };
  if (!f.name.trim()) add('name', 'required');
  if (!f.listId) add('listId', 'required');
  if (f.messageKind === 'recording' && !f.message) add('message', 'required');
  if (f.messageKind === 'tts') {
    if (!f.ttsText.trim()) add('tts.text', 'required');
    if (f.ttsRate.trim()) range('tts.rate', f.ttsRate, 80, 400, { integer: true });
  }
  const seen = new Map<string, string>();
  const keys = f.flow ? [['optOut', f.menuOptOut]] as const : [['confirm', f.menuConfirm], ['repeat', f.menuRepeat], ['optOut', f.menuOptOut]] as const;
  for (const [k, v] of keys) {
    if (!v) continue;
    if (seen.has(v)) add(`menu.${k}`, 'keys-distinct', { key: v });
    else seen.set(v, k);
  }
  if (!f.scriptIdNotSaid && !secondsValid(f.scriptIdSec)) add('script.identificationEndsMs', 'range', { min: 0, max: 600, unit: 's' });
  if (!f.scriptOptOutNotSaid && !secondsValid(f.scriptOptOutSec)) add('script.optOutAnnouncedMs', 'range', { min: 0, max: 600, unit: 's' });
  const caller = phone(f.callerId);
  if (!caller) add('callerId', 'phone-missing', { country });
  else if (!/^\+?\d{4,15}$/.test(caller)) add('callerId', 'phone', { phone: f.callerId.trim().slice(0, 40), country });
  if (f.trunks.length === 0) add('trunks', 'trunks');
  if (f.startDate && f.endDate && f.endDate < f.startDate) add('schedule.endDate', 'date-order', { from: f.startDate, to: f.endDate });
  if (f.windows.length === 0) add('schedule.windows', 'windows');
  f.windows.forEach((w, i) => {
    if (w.days.length === 0) add(`schedule.windows.${i}.days`, 'weekdays');
    const fromOk = HHMM.test(w.from);
    const toOk = HHMM.test(w.to);
    if (!fromOk) add(`schedule.windows.${i}.from`, 'time');
    if (!toOk) add(`schedule.windows.${i}.to`, 'time');
    if (fromOk && toOk && w.from >= w.to) add(`schedule.windows.${i}.to`, 'window-order', { from: w.from, to: w.to });
  });
  range('maxConcurrent', f.maxConcurrent, 1, 1000, { integer: true });
  range('cps', f.cps, 0.1, 200, { minExclusive: true });
  range('ringTimeoutMs', f.ringTimeoutSec, 5, 120, { integer: true, unit: 's' });
  range('maxAttempts', f.maxAttempts, 1, 20, { integer: true });
  for (const o of RETRY_OUTCOMES) {
    const r = f.retry[o]!;
    range(`retry.${o}.maxRetries`, r.maxRetries, 0, 20, { integer: true });
    if (!r.nextDay && !(Number.isFinite(num(r.minutes)) && num(r.minutes) >= 0)) add(`retry.${o}.delayMs`, 'delay');
  }
  return out;
}

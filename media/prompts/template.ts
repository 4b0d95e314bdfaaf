// Personalisation tokens in text-to-speech messages: "Hello {first_name}, your appointment is on
// {appointment_date}." rendered from a contact's fields before the call.
import { AppError } from '../../core/errors.ts';

export type FieldValue = string | number | Date | null | undefined;
export type Fields = Readonly<Record<string, FieldValue>>;

const TOKEN_RE = /\{([A-Za-z][A-Za-z0-9_]{0,63})\}/g;
const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** Token names used by a message, in order of first appearance. */
export function templateTokens(text: string): string[] {
  const seen = new Set<string>();
  for (const m of text.matchAll(TOKEN_RE)) if (m[1]) seen.add(m[1]);
  return [...seen];
}

/** Tokens a message uses that the given field names do not provide (empty when the message is usable). */
export function unknownTokens(text: string, fieldNames: Iterable<string>): string[] {
  const known = new Set(fieldNames);
  return templateTokens(text).filter((t) => !known.has(t));
}

export interface RenderOptions {
  /** BCP 47 locale for dates and numbers; defaults from the voice (fr -> fr-FR, en -> en-GB, en-us -> en-US). */
  locale?: string;
  /** Time zone for Date values (the contact's); ISO strings without an offset are spoken as written. */
  timeZone?: string;
}

/** Replace every {token} with the contact's field; unknown tokens are an error that lists them all. */
export function renderTemplate(text: string, fields: Fields, opts: RenderOptions = {}): string {
  const missing = unknownTokens(text, Object.keys(fields));
  if (missing.length > 0) {
    const available = Object.keys(fields).map((k) => `{${k}}`).join(', ') || 'none';
    throw new AppError('E_PROMPT', `unknown token${missing.length > 1 ? 's' : ''} in the message: ${missing.map((t) => `{${t}}`).join(', ')} (available: ${available})`, {
      tokens: missing.join(','),
    });
  }
  const locale = opts.locale ?? 'en-GB';
  const out = text.replace(TOKEN_RE, (_m, name: string) => speakable(fields[name], name, locale, opts.timeZone));
  return out.replace(/\s+/g, ' ').trim();
}

function speakable(v: FieldValue, name: string, locale: string, timeZone: string | undefined): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : formatDate(v, locale, timeZone ?? 'UTC', true);
  if (typeof v === 'number') return Number.isFinite(v) ? new Intl.NumberFormat(locale).format(v) : '';
  // eslint-disable-next-line no-control-regex
  const s = v.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, 200);
  // Dates from a contact list arrive as ISO strings; said as "Tuesday 4 March 2025 at 14:30", not digits.
  const iso = ISO_DATE_RE.exec(s);
  if (iso && /(date|time|day)$/i.test(name)) {
    const [, y, mo, d, h, mi] = iso;
    const at = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0)));
    if (!Number.isNaN(at.getTime())) return formatDate(at, locale, 'UTC', h !== undefined);
  }
  return s;
}

function formatDate(d: Date, locale: string, timeZone: string, withTime: boolean): string {
  const fmt = new Intl.DateTimeFormat(locale, { dateStyle: 'full', ...(withTime ? { timeStyle: 'short' } : {}), timeZone });
  return fmt.format(d);
}

/** Locale that matches an espeak-ng voice name ("fr+f2" -> fr-FR, "en-us" -> en-US). */
export function localeForVoice(voice: string): string {
  const base = voice.split('+')[0]?.toLowerCase() ?? 'en';
  const [lang = 'en', region] = base.split('-');
  if (region && /^[a-z]{2}$/.test(region)) return `${lang}-${region.toUpperCase()}`;
  const defaults: Record<string, string> = { en: 'en-GB', fr: 'fr-FR', de: 'de-DE', es: 'es-ES', it: 'it-IT', nl: 'nl-NL', pt: 'pt-PT' };
  return defaults[lang] ?? lang;
}

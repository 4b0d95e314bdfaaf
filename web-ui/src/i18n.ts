// English and French. The language comes from localStorage (the switch), else the browser. Each page
// keeps its messages next to it and builds its own t() with makeT().
import { useEffect, useState } from 'preact/hooks';

export type Lang = 'en' | 'fr';
export const LANGS: readonly Lang[] = ['en', 'fr'];
const STORE_KEY = 'vb.lang';

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORE_KEY);
    if (saved === 'en' || saved === 'fr') return saved;
  } catch {
    // storage may be blocked; fall back to the browser language
  }
  const langs = typeof navigator !== 'undefined' ? (navigator.languages ?? [navigator.language]) : [];
  for (const l of langs) {
    const base = l.toLowerCase().slice(0, 2);
    if (base === 'fr') return 'fr';
    if (base === 'en') return 'en';
  }
  return 'en';
}

let current: Lang = initialLang();
const listeners = new Set<(l: Lang) => void>();

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  if (lang === current) return;
  current = lang;
  try {
    localStorage.setItem(STORE_KEY, lang);
  } catch {
    // not remembered, still applied
  }
  document.documentElement.lang = lang;
  for (const l of listeners) l(lang);
}

/** The current language; the calling component re-renders on a switch. */
export function useLang(): Lang {
  const [lang, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    if (lang !== current) set(current);
    return () => {
      listeners.delete(set);
    };
  }, []);
  return lang;
}

export type Messages<K extends string> = { en: Record<K, string>; fr: Record<K, string> };
export type T<K extends string> = (key: K, vars?: Record<string, string | number>) => string;

/** A translator over one page's messages; `{name}` placeholders are filled from vars. */
export function makeT<K extends string>(m: Messages<K>): T<K> {
  return (key, vars) => {
    const text = m[current][key] ?? m.en[key] ?? key;
    if (!vars) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
  };
}

const locale = (): string => (current === 'fr' ? 'fr-FR' : 'en-GB');

export function formatNumber(n: number, opts?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(locale(), opts).format(n);
}

export function formatPercent(fraction: number, digits = 0): string {
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: digits }).format(fraction);
}

export function formatDateTime(d: string | number | Date, opts: Intl.DateTimeFormatOptions = { dateStyle: 'short', timeStyle: 'short' }): string {
  const date = d instanceof Date ? d : new Date(d);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(locale(), opts).format(date);
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(r).padStart(2, '0')}`;
}

if (typeof document !== 'undefined') document.documentElement.lang = current;

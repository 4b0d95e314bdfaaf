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
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
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

const UNITS = {
  en: { d: 'd', h: 'h', min: 'min', s: 's' },
  fr: { d: 'j', h: 'h', min: 'min', s: 's' },
} as const;

/**
 * A duration with its units, in the page's language: "45 s", "1 min 15 s", "1 h 15 min", "2 d 3 h"
 * ("2 j 3 h" in French). Two units at most, the smaller rounded, never a bare "1:15" that could be read
 * as hours or minutes. A no-break space keeps each number with its unit.
 */
export function formatDuration(seconds: number): string {
  const u = UNITS[current];
  const s = Math.max(0, Math.round(seconds));
  const part = (n: number, unit: string): string => `${formatNumber(n)}\u00a0${unit}`;
  if (s < 60) return part(s, u.s);
  if (s < 3600) {
    const m = Math.floor(s / 60);
    const r = s % 60;
    return r ? `${part(m, u.min)} ${part(r, u.s)}` : part(m, u.min);
  }
  if (s < 86_400) {
    const total = Math.round(s / 60);
    const h = Math.floor(total / 60);
    const m = total % 60;
    return m ? `${part(h, u.h)} ${part(m, u.min)}` : part(h, u.h);
  }
  const hours = Math.round(s / 3600);
  const d = Math.floor(hours / 24);
  const h = hours % 24;
  return h ? `${part(d, u.d)} ${part(h, u.h)}` : part(d, u.d);
}

const BYTE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/** A size in the page's language and its units (decimal, as disks are sold): "2.5 GB", "2,5 Go". */
export function formatBytes(n: number): string {
  let v = Math.max(0, n);
  let i = 0;
  while (v >= 1000 && i < BYTE_UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return formatNumber(v, { style: 'unit', unit: BYTE_UNITS[i], unitDisplay: 'short', maximumFractionDigits: v < 10 && i > 0 ? 1 : 0 });
}

if (typeof document !== 'undefined') document.documentElement.lang = current;

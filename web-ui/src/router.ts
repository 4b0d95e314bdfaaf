// Client-side routes on the History API. One shared current location; components re-render through
// useRoute(). Pages own their sub-paths (e.g. /campaigns/:id) and read them with matchPath().
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
}

type Listener = () => void;
const listeners = new Set<Listener>();
let paramsPattern: string | null = null;

function notify(): void {
  for (const l of listeners) l();
}

if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

/** Goes to a path of this UI (with an optional ?query), adding a history entry. */
export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  const here = location.pathname + location.search;
  if (path === here) return;
  if (opts.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.scrollTo(0, 0);
  notify();
}

/** Matches "/campaigns/:id" against "/campaigns/12"; null when it does not fit. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const want = p[i]!;
    const got = s[i]!;
    if (want.startsWith(':')) params[want.slice(1)] = decodeURIComponent(got);
    else if (want !== got) return null;
  }
  return params;
}

/** Set by the shell: the registry pattern of the page on screen, so useRoute() can fill params. */
export function setParamsPattern(pattern: string | null): void {
  paramsPattern = pattern;
}

export function currentRoute(): Route {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const params = paramsPattern ? (matchPath(paramsPattern, path) ?? {}) : {};
  return { path, params, query: new URLSearchParams(location.search) };
}

/** The current location; the calling component re-renders when it changes. */
export function useRoute(): Route {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = (): void => setTick((n) => n + 1);
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return currentRoute();
}

/** onClick for <a href> that stays in the app (plain clicks only; new-tab clicks go to the browser). */
export function linkClick(e: MouseEvent): void {
  const a = e.currentTarget as HTMLAnchorElement | null;
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const href = a.getAttribute('href');
  if (!href || !href.startsWith('/') || href.startsWith('/api/')) return;
  e.preventDefault();
  navigate(href);
}

// Data that stays fresh: fetched at once, then every `everyMs` (the fleet changes under the page).
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api.ts';

export function usePoll<T>(load: () => Promise<T>, everyMs = 1000, deps: unknown[] = []): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const run = (): void => {
      load().then((d) => { if (live) { setData(d); setError(null); } }, (e: unknown) => { if (live) setError(e instanceof ApiError ? e.text : String(e)); });
    };
    run();
    const timer = setInterval(run, everyMs);
    return () => { live = false; clearInterval(timer); };
  }, [tick, ...deps]);
  return { data, error, reload: () => setTick((n) => n + 1) };
}

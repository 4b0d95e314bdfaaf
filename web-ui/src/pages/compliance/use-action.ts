// A form action's state: busy, the last error (ApiError, with field messages) and a success text.
import { useState } from 'preact/hooks';
import { ApiError } from '../../api.ts';

export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [ok, setOk] = useState<string | null>(null);
  const run = async (fn: () => Promise<string>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    setOk(null);
    try {
      setOk(await fn());
      return true;
    } catch (x) {
      setError(x instanceof ApiError ? x : new ApiError(0, 'E_HTTP', x instanceof Error ? x.message : String(x)));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, ok, run, err: (k: string): string | undefined => error?.field(k) };
}

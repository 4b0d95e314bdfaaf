// Enrolment (admin): approve the claim code a box shows, or make a single-use claim token (the
// provision.json a box reads from its boot partition). What `fleet-tool claim` and `fleet-tool token` do.
import { useState } from 'preact/hooks';
import { api, ApiError } from './api.ts';
import { t } from './i18n.ts';
import { Problem } from './pages.tsx';

export function EnrolPage() {
  const [msg, setMsg] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [provision, setProvision] = useState<string | null>(null);
  const run = async (f: () => Promise<string>): Promise<void> => {
    setMsg(null);
    setError(null);
    try { setMsg(await f()); } catch (e) { setError(e instanceof ApiError ? e.text : String(e)); }
  };
  const claim = (e: Event): void => {
    e.preventDefault();
    const code = String(new FormData(e.target as HTMLFormElement).get('code'));
    void run(async () => t('claimApproved', { code: (await api<{ code: string }>('POST', '/api/claims', { code })).code }));
  };
  const token = (e: Event): void => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const note = String(f.get('note') ?? '').trim();
    void run(async () => {
      const r = await api<{ provision: unknown; expiresAt: string }>('POST', '/api/tokens', { ttlHours: Number(f.get('ttl')), ...(note ? { note } : {}) });
      setProvision(JSON.stringify(r.provision, null, 2));
      return t('tokenMade', { until: new Date(r.expiresAt).toLocaleString() });
    });
  };
  return (
    <section aria-labelledby="enrol-h">
      <h1 id="enrol-h">{t('enrol')}</h1>
      <form onSubmit={claim}>
        <h2>{t('claimTitle')}</h2>
        <label>{t('claimCode')}<input name="code" required pattern="[0-9A-Za-z-]{12,14}" /></label>
        <button type="submit">{t('claimApprove')}</button>
      </form>
      <form onSubmit={token}>
        <h2>{t('tokenTitle')}</h2>
        <label>{t('tokenTtl')}<input name="ttl" type="number" min={1} max={2160} value={168} required /></label>
        <label>{t('tokenNote')}<input name="note" maxLength={200} /></label>
        <button type="submit">{t('tokenMake')}</button>
      </form>
      {msg && <p role="status">{msg}</p>}
      <Problem error={error} />
      {provision && <><p>{t('tokenOnce')}</p><pre data-cell="provision">{provision}</pre></>}
    </section>
  );
}

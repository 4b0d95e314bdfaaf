// Listen-in (issue 16): for an admin whose softphone takes calls, the box's live calls (the live feed's
// calls.live, first read from GET /api/calls/live) with a "Listen" button on each row, shown only where the
// settings allow listening in. Pressing it makes the box ring this softphone, which answers by itself and
// hears both sides of the call; the admin is never heard.
import { useEffect, useState } from 'preact/hooks';
import { api, asApiError, type ApiError } from '../api.ts';
import { formatDuration } from '../i18n.ts';
import { subscribe } from '../live.ts';
import type { LiveCall, LiveCallsView } from '../../../appliance/http/contract/staff.ts';
import { phone } from './phone.ts';
import { t } from './messages.ts';

export function LiveCalls() {
  const [view, setView] = useState<LiveCallsView | null>(null);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [, tick] = useState(0);

  useEffect(() => {
    let alive = true;
    void api<LiveCallsView>('GET', '/api/calls/live').then((v) => { if (alive) setView(v); }, () => undefined);
    const off = subscribe('calls.live', (d) => setView((v) => ({ listenIn: v?.listenIn ?? false, calls: (d as { calls: LiveCall[] }).calls })));
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => { alive = false; off(); clearInterval(timer); };
  }, []);

  // The setting may have changed since the list was read: read it again when the list is opened.
  const toggle = (): void => {
    if (!open) void api<LiveCallsView>('GET', '/api/calls/live').then(setView, () => undefined);
    setOpen(!open);
  };

  const listen = async (c: LiveCall): Promise<void> => {
    setError(null);
    const request = phone.expect('listen');
    try {
      await api('POST', `/api/calls/${encodeURIComponent(c.id)}/listen`, { request });
    } catch (x) {
      phone.forget(request);
      setError(asApiError(x));
    }
  };

  const calls = view?.calls ?? [];
  return (
    <div class="softphone__live" data-testid="live-calls">
      <button type="button" class="btn btn--secondary" aria-expanded={open} onClick={toggle}>{t('liveCalls', { n: calls.length })}</button>
      {open && (
        <section class="softphone__live-list" aria-label={t('liveCallsTitle')}>
          {!view?.listenIn && <p class="field__hint" data-testid="listen-off">{t('listenOff')}</p>}
          {error && <p class="notice notice--error" role="alert">{error.message}</p>}
          {calls.length === 0 ? <p>{t('noLiveCalls')}</p> : (
            <ul>
              {calls.map((c) => (
                <li key={c.id} data-testid="live-call" data-call={c.id}>
                  <span>{c.campaignName ?? t('inboundCall')}{' · '}…{c.numberTail}{' · '}{formatDuration(Math.max(0, Math.round((Date.now() - c.since) / 1000)))}</span>
                  {view?.listenIn && (c.answered
                    ? <button type="button" class="btn btn--secondary" data-testid="listen" onClick={() => void listen(c)}>{t('listen')}</button>
                    : <span class="field__hint">{t('ringing')}</span>)}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}

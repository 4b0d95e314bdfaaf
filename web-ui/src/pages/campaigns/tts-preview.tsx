// Hear the personalised message as the list's first contact would, before saving the campaign.
import { useEffect, useState } from 'preact/hooks';
import { api, apiBlob, ApiError } from '../../api.ts';
import { Button, Notice } from '../../components/index.ts';
import { t } from './messages.ts';

import type { ContactPage } from '../../../../appliance/http/contract/lists.ts';

export function TtsPreview({ text, voice, rate, listId }: { text: string; voice: string; rate: string; listId: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sample, setSample] = useState<string | null>(null);
  useEffect(() => () => {
    if (url) URL.revokeObjectURL(url);
  }, [url]);

  const listen = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const fields: Record<string, string> = {};
      let who: string | null = null;
      if (listId) {
        const page = await api<ContactPage>('GET', `/api/lists/${listId}/contacts?page=1&pageSize=1`);
        const c = page.items[0];
        if (c) {
          for (const [k, v] of Object.entries(c.fields ?? {})) if (v !== null && v !== undefined) fields[k] = String(v);
          // The same personal tokens a call gets (appliance/campaigns/personal-fields.ts).
          const name = (c.name ?? '').trim();
          const space = name.indexOf(' ');
          fields.name = name;
          fields.first_name ??= space > 0 ? name.slice(0, space) : name;
          fields.last_name ??= space > 0 ? name.slice(space + 1) : '';
          who = c.name;
        }
      }
      const rateN = Number(rate);
      const blob = await apiBlob('POST', '/api/recordings/tts/preview', { text, voice, fields, ...(rate.trim() && Number.isInteger(rateN) ? { rate: rateN } : {}) });
      setUrl(URL.createObjectURL(blob));
      setSample(who);
    } catch (x) {
      setError(x instanceof ApiError || x instanceof Error ? x.message : String(x));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="tts-preview">
      <Button busy={busy} disabled={!text.trim()} onClick={() => void listen()}>{t('ttsListen')}</Button>
      {error && <Notice kind="error">{error}</Notice>}
      {url && (
        <p>
          <audio controls autoPlay src={url} aria-label={t('ttsPreview')} />
          {sample && <span class="muted small"> {t('ttsSample', { name: sample })}</span>}
        </p>
      )}
    </div>
  );
}

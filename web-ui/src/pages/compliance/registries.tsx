// National do-not-call registry copies: when each was downloaded, its age against what the pack in
// force allows, and importing a fresh copy (admins).
import { useState } from 'preact/hooks';
import { api, useApi } from '../../api.ts';
import { formatDateTime, formatNumber } from '../../i18n.ts';
import { Button, Card, Field, Notice, Table } from '../../components/index.ts';
import { packName, registryName } from '../../names.ts';
import { t } from './messages.ts';
import { useAction } from './use-action.ts';

import type { PackSummary as PackInfo, RegistryCopy as Copy } from '../../../../appliance/http/contract/compliance.ts';
const NAMES = ['fr-bloctel', 'us-national-dnc', 'ca-dncl', 'uk-tps'];
const DAY = 86_400_000;

export function RegistriesTab({ admin }: { admin: boolean }) {
  const copies = useApi<Copy[]>('/api/compliance/registries');
  const packs = useApi<{ current: string | null; packs: PackInfo[] }>('/api/compliance/packs');
  const [name, setName] = useState(NAMES[0]!);
  const [date, setDate] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const imp = useAction();
  const current = packs.data?.packs.find((p) => p.id === packs.data?.current);
  const maxAge = (n: string): number | undefined => current?.registries?.find((r) => r.name === n)?.maxAgeDays;
  const required = current?.registries ?? [];
  const now = Date.now();

  const rows: Array<Copy | { name: string; missing: true }> = [
    ...(copies.data ?? []),
    ...required.filter((r) => !(copies.data ?? []).some((c) => c.name === r.name)).map((r) => ({ name: r.name, missing: true as const })),
  ];
  return (
    <>
      <Card title={t('registries')}>
        <p class="muted">{packs.data?.current ? t('packInForce', { pack: packName(packs.data.current) }) : t('noPackChosen')}</p>
        {copies.error && <Notice kind="error">{copies.error.message}</Notice>}
        <Table caption={t('registries')} testId="registry-list" rows={rows} rowKey={(r) => r.name} empty={copies.data ? t('noRegistry') : t('loading')}
          columns={[
            { key: 'name', label: t('registry'), render: (r) => registryName(r.name) },
            { key: 'downloaded', label: t('downloadedAt'), render: (r) => ('missing' in r ? '—' : formatDateTime(r.downloadedAt, { dateStyle: 'medium' })) },
            { key: 'entries', label: t('entries'), align: 'right', render: (r) => ('missing' in r ? '—' : formatNumber(r.entries)) },
            {
              key: 'age', label: t('age'), render: (r) => {
                if ('missing' in r) return <span class="badge badge--bad">{t('missing')}</span>;
                const days = Math.floor((now - r.downloadedAt) / DAY);
                const max = maxAge(r.name);
                const stale = max !== undefined && days > max;
                return <span class={`badge ${stale ? 'badge--bad' : 'badge--ok'}`}>{t('ageDays', { n: days })}{max !== undefined ? ` / ${t('maxDays', { n: max })}` : ''}{stale ? ` — ${t('stale')}` : ''}</span>;
              },
            },
          ]} />
      </Card>
      {admin && (
        <Card title={t('registryImport')}>
          <form onSubmit={(e) => {
            e.preventDefault();
            void imp.run(async () => {
              if (!file) throw new Error(t('chooseFile'));
              if (!date) throw new Error(t('chooseDate'));
              const r = await api<{ entries: number; rejected: number }>('PUT', `/api/compliance/registries/${name}`, { text: await file.text(), downloadedAt: new Date(`${date}T12:00:00`).toISOString() });
              copies.reload();
              return t('registryImported', { entries: r.entries, rejected: r.rejected });
            });
          }}>
            <div class="form-row">
              <Field label={t('registry')}>
                <select value={name} onChange={(e) => setName(e.currentTarget.value)}>{NAMES.map((n) => <option key={n} value={n}>{registryName(n)}</option>)}</select>
              </Field>
              <Field label={t('downloadedAt')} error={imp.err('downloadedAt')} hint={t('downloadedHint')}>
                <input type="date" value={date} required onInput={(e) => setDate(e.currentTarget.value)} />
              </Field>
              <Field label={t('file')} hint={t('fileHint')}>
                <input type="file" accept=".csv,.txt,text/csv,text/plain" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
              </Field>
            </div>
            {imp.error && <Notice kind="error">{imp.error.message}</Notice>}
            {imp.ok && <Notice kind="success">{imp.ok}</Notice>}
            <Button type="submit" variant="primary" busy={imp.busy}>{t('import')}</Button>
          </form>
        </Card>
      )}
    </>
  );
}

// Recordings: every message on the box with its duration, loudness and waveform; play, rename, delete;
// and the three ways to add one.
import { useState } from 'preact/hooks';
import { api, ApiError, currentSession, roleAllows, useApi } from '../../api.ts';
import { Button, ConfirmDialog, Field, Notice, Page, Table } from '../../components/index.ts';
import { formatDateTime, formatDuration, formatNumber, useLang } from '../../i18n.ts';
import { RecordCard, TtsCard, UploadCard } from './create.tsx';
import { useConfirmedDelete } from '../../use-confirmed-delete.ts';
import { t } from './messages.ts';
import type { Recording } from './types.ts';

function Waveform({ peaks }: { peaks: number[] }) {
  if (peaks.length === 0) return null;
  const w = 120;
  const h = 24;
  const step = w / peaks.length;
  const d = peaks.map((p, i) => `M${(i * step).toFixed(1)} ${(h / 2 - (p * h) / 2).toFixed(1)}v${Math.max(0.5, p * h).toFixed(1)}`).join('');
  return <svg width={w} height={h} viewBox={`0 0 ${w} ${h}`} aria-hidden="true" class="wave"><path d={d} stroke="#0b57d0" stroke-width={Math.max(0.5, step * 0.7)} /></svg>;
}

function RenameForm({ rec, onDone }: { rec: Recording; onDone: (r: Recording | null) => void }) {
  const [name, setName] = useState(rec.name);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    if (!name.trim()) {
      setError(t('needName'));
      return;
    }
    setBusy(true);
    try {
      onDone(await api<Recording>('PUT', `/api/recordings/${encodeURIComponent(rec.id)}`, { name: name.trim() }));
    } catch (err) {
      setError(err instanceof ApiError ? (err.field('name') ?? err.message) : String(err));
      setBusy(false);
    }
  }
  return (
    <form onSubmit={(e) => void submit(e)} noValidate class="toolbar">
      <Field label={t('renameTo', { name: rec.name })} error={error}>
        {/* biome-ignore lint/a11y/noAutofocus: renaming opens this one field, and the keyboard goes to it */}
        <input value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} autoFocus />
      </Field>
      <Button type="submit" variant="primary" busy={busy}>{t('save')}</Button>
      <Button onClick={() => onDone(null)}>{t('cancel')}</Button>
    </form>
  );
}

export default function Recordings() {
  useLang();
  const recs = useApi<Recording[]>('/api/recordings');
  const [renaming, setRenaming] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const { doomed, setDoomed, error, setError, dialog } = useConfirmedDelete<Recording>(
    (r) => `/api/recordings/${encodeURIComponent(r.id)}`,
    (r) => {
      setDone(t('deleted', { name: r.name }));
      recs.reload();
    },
    () => setDone(null),
  );
  const canEdit = roleAllows(currentSession()?.role, 'operator');

  function added(r: Recording): void {
    setDone(t('uploaded', { name: r.name, duration: formatDuration(r.durationMs / 1000) }));
    setError(null);
    recs.reload();
  }

  return (
    <Page title={t('title')}>
      {done && <Notice kind="success">{done}</Notice>}
      {(error ?? recs.error) && <Notice kind="error">{error ?? recs.error?.message}</Notice>}
      <Table<Recording>
        caption={t('list')}
        testId="recordings-table"
        columns={[
          { key: 'name', label: t('name'), render: (r) => renaming === r.id
            ? <RenameForm rec={r} onDone={(n) => { setRenaming(null); if (n) { setDone(t('renamed', { name: n.name })); recs.reload(); } }} />
            : <><strong>{r.name}</strong><br /><Waveform peaks={r.waveform} /></> },
          { key: 'source', label: t('source'), render: (r) => t(r.source === 'tts' ? 'source.tts' : 'source.upload') },
          { key: 'duration', label: t('duration'), align: 'right', render: (r) => formatDuration(r.durationMs / 1000) },
          { key: 'loudness', label: <abbr title={t('loudnessHint')}>{t('loudness')}</abbr>, align: 'right', render: (r) => `${formatNumber(r.loudnessLufs, { maximumFractionDigits: 1, minimumFractionDigits: 1 })} LUFS` },
          { key: 'created', label: t('created'), render: (r) => formatDateTime(r.createdAt) },
          { key: 'listen', label: t('listen'), render: (r) => <audio controls preload="none" src={`/api/recordings/${encodeURIComponent(r.id)}/audio`} aria-label={`${t('listen')}: ${r.name}`} /> },
          ...(canEdit ? [{ key: 'actions', label: t('actions'), render: (r: Recording) => (
            <div class="actions">
              <Button variant="link" onClick={() => setRenaming(r.id)} aria-label={`${t('rename')} ${r.name}`}>{t('rename')}</Button>
              <Button variant="link" onClick={() => setDoomed(r)} aria-label={`${t('delete')} ${r.name}`}>{t('delete')}</Button>
            </div>
          ) }] : []),
        ]}
        rows={recs.data ?? []}
        rowKey={(r) => r.id}
        empty={recs.loading ? '…' : t('none')}
      />
      {canEdit && (
        <div class="grid">
          <TtsCard onAdded={added} />
          <UploadCard onAdded={added} />
          <RecordCard onAdded={added} />
        </div>
      )}
      <ConfirmDialog {...dialog} title={t('deleteTitle', { name: doomed?.name ?? '' })}>
        <p>{t('deleteBody')}</p>
      </ConfirmDialog>
    </Page>
  );
}

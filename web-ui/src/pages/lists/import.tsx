// Importing a list in three steps: send the file (progress bar), map its columns against a preview of
// the first rows, then import (progress from the live feed) and show the report with every rejected row.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, asApiError, upload } from '../../api.ts';
import { Button, Card, Field, Notice, ProgressBar, Table } from '../../components/index.ts';
import type { Column } from '../../components/table.tsx';
import { formatNumber, useLang } from '../../i18n.ts';
import { subscribe } from '../../live.ts';
import { t } from './messages.ts';
import { rowIssueText } from './row-issues.ts';
import type { ImportProgress, ImportReport, Mapping, PreviewReply, RowIssue } from './types.ts';

const SHOWN_REJECTED = 200;

type Role = 'phone' | 'phone2' | 'firstName' | 'lastName' | 'name' | 'timezone';
const ROLES: Role[] = ['phone', 'phone2', 'firstName', 'lastName', 'name', 'timezone'];
const ROLE_LABEL: Record<Role, 'phone' | 'phone2' | 'firstName' | 'lastName' | 'fullName' | 'timezone'> = {
  phone: 'phone', phone2: 'phone2', firstName: 'firstName', lastName: 'lastName', name: 'fullName', timezone: 'timezone',
};

function choicesFrom(m: Mapping): Record<Role, string> {
  return { phone: m.phone[0] ?? '', phone2: m.phone[1] ?? '', firstName: m.firstName ?? '', lastName: m.lastName ?? '', name: m.name ?? '', timezone: m.timezone ?? '' };
}

function mappingFrom(c: Record<Role, string>, suggested: Mapping): Mapping {
  const m: Mapping = { phone: [c.phone, c.phone2].filter((x) => x !== '') };
  if (c.firstName) m.firstName = c.firstName;
  if (c.lastName) m.lastName = c.lastName;
  if (c.name) m.name = c.name;
  if (c.timezone) m.timezone = c.timezone;
  if (suggested.consent) m.consent = suggested.consent;
  return m;
}

export function ImportCard({ onImported }: { onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [sent, setSent] = useState<number | undefined>(undefined);
  const [preview, setPreview] = useState<PreviewReply | null>(null);
  const [name, setName] = useState('');
  const [country, setCountry] = useState('');
  const [choices, setChoices] = useState<Record<Role, string>>(choicesFrom({ phone: [] }));
  const [importing, setImporting] = useState<number | undefined | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [local, setLocal] = useState<{ name?: string; phone?: string }>({});
  const [inputKey, setInputKey] = useState(0);

  // Subscribed from the preview on, so the feed is connected before the import starts.
  useEffect(() => {
    if (!preview) return;
    return subscribe('import.progress', (d) => {
      const p = d as ImportProgress;
      if (p.uploadId === preview.uploadId && p.bytesTotal > 0) setImporting((was) => (was === null ? was : p.bytesRead / p.bytesTotal));
    });
  }, [preview?.uploadId]);

  function reset(): void {
    setFile(null);
    setSent(undefined);
    setPreview(null);
    setImporting(null);
    setError(null);
    setLocal({});
    setInputKey((k) => k + 1);
  }

  async function send(f: File): Promise<void> {
    setFile(f);
    setReport(null);
    setError(null);
    setPreview(null);
    setSent(0);
    try {
      const r = await upload<PreviewReply>(`/api/lists/preview?filename=${encodeURIComponent(f.name)}`, f, setSent);
      setPreview(r);
      setChoices(choicesFrom(r.preview.suggestedMapping));
      setName(f.name.replace(/\.[^.]+$/, '').slice(0, 100));
    } catch (e) {
      setError(asApiError(e));
      setFile(null);
      setInputKey((k) => k + 1);
    } finally {
      setSent(undefined);
    }
  }

  async function runImport(e: Event): Promise<void> {
    e.preventDefault();
    if (!preview) return;
    const missing = { name: name.trim() ? undefined : t('needName'), phone: choices.phone ? undefined : t('needPhone') };
    setLocal(missing);
    if (missing.name || missing.phone) return;
    setError(null);
    setImporting(undefined);
    try {
      const body: Record<string, unknown> = { uploadId: preview.uploadId, name: name.trim(), mapping: mappingFrom(choices, preview.preview.suggestedMapping) };
      if (country.trim()) body.country = country.trim().toUpperCase();
      const r = await api<ImportReport>('POST', '/api/lists', body);
      setReport(r);
      reset();
      onImported();
    } catch (err) {
      setError(asApiError(err));
      setImporting(null);
    }
  }

  const headers = preview?.preview.headers ?? [];
  const fieldErr = (k: string): string | undefined => error?.field(k);
  return (
    <Card title={t('importTitle')} testId="import-card">
      {report && <ImportReportView report={report} />}
      {error && <Notice kind="error" testId="import-error">{error.message}</Notice>}
      {!preview && (
        <>
          <Field label={t('file')} hint={t('fileHint')}>
            <input key={inputKey} type="file" accept=".csv,.txt,.tsv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" disabled={sent !== undefined} onChange={(e) => { const f = e.currentTarget.files?.[0]; if (f) void send(f); }} />
          </Field>
          {sent !== undefined && <ProgressBar label={t('uploading')} value={sent} text={`${Math.round(sent * 100)} %${file ? ` · ${file.name}` : ''}`} />}
        </>
      )}
      {preview && (
        <form onSubmit={(e) => void runImport(e)} noValidate>
          <p class="muted small">{preview.fileName} · {t('previewInfo', { format: preview.preview.format.toUpperCase(), encoding: preview.preview.encoding ?? '—', delimiter: preview.preview.delimiter ?? '—', row: preview.preview.headerRow })}</p>
          <div class="form-row">
            <Field label={t('listName')} error={local.name ?? fieldErr('name')}>
              <input value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
            </Field>
            <Field label={t('country')} hint={t('countryHint')} error={fieldErr('country')}>
              <input value={country} maxLength={2} autoCapitalize="characters" onInput={(e) => setCountry(e.currentTarget.value)} />
            </Field>
          </div>
          <fieldset>
            <legend>{t('mappingTitle')}</legend>
            <div class="form-row">
              {ROLES.map((r) => (
                <Field key={r} label={t(ROLE_LABEL[r])} error={r === 'phone' ? (local.phone ?? fieldErr('mapping.phone') ?? fieldErr('mapping')) : undefined}>
                  <select value={choices[r]} onChange={(e) => setChoices({ ...choices, [r]: e.currentTarget.value })}>
                    <option value="">{t('none')}</option>
                    {headers.map((h) => <option key={h} value={h}>{h}</option>)}
                  </select>
                </Field>
              ))}
            </div>
          </fieldset>
          <Table<{ n: number; cells: string[] }>
            caption={t('previewTitle')}
            testId="preview-table"
            columns={[{ key: 'n', label: t('row'), align: 'right', render: (r) => r.n }, ...headers.map((h, i) => ({ key: `c${i}`, label: h, render: (r: { cells: string[] }) => r.cells[i] ?? '' }))]}
            rows={preview.preview.rows.map((cells, i) => ({ n: preview.preview.rowNumbers[i] ?? i + 2, cells }))}
            rowKey={(r) => r.n}
          />
          {importing !== null && <ProgressBar label={t('importing')} value={importing} />}
          <div class="actions">
            <Button type="submit" variant="primary" busy={importing !== null}>{t('importButton')}</Button>
            <Button onClick={reset} disabled={importing !== null}>{t('startOver')}</Button>
          </div>
        </form>
      )}
    </Card>
  );
}

export function ImportReportView({ report }: { report: ImportReport }) {
  const lang = useLang();
  const shown = report.rejected.slice(0, SHOWN_REJECTED);
  const warned = (report.warnings ?? []).slice(0, SHOWN_REJECTED);
  const issueColumns: Array<Column<RowIssue>> = [
    { key: 'row', label: t('row'), align: 'right', render: (r) => formatNumber(r.row) },
    { key: 'column', label: t('column') },
    { key: 'reason', label: t('reason'), render: (r) => rowIssueText(r, lang) },
  ];
  return (
    <div data-testid="import-report">
      <Notice kind={report.rejected.length > 0 ? 'warning' : 'success'} title={t('reportTitle', { name: report.list.name })}>
        {t('reportSummary', { accepted: formatNumber(report.accepted), rows: formatNumber(report.rows), rejected: formatNumber(report.rejected.length), duplicates: formatNumber(report.duplicates) })}
      </Notice>
      {shown.length > 0 && (
        <Table
          caption={t('rejectedRows')}
          testId="rejected-rows"
          columns={issueColumns}
          rows={shown}
          rowKey={(r, i) => `${r.row}-${i}`}
        />
      )}
      {report.rejected.length > shown.length && <p class="muted">{t('moreRejected', { count: report.rejected.length - shown.length })}</p>}
      {warned.length > 0 && <Table caption={t('warnings')} testId="warned-rows" columns={issueColumns} rows={warned} rowKey={(r, i) => `${r.row}-${i}`} />}
    </div>
  );
}

// The internal do-not-call list: find a number, add one, remove one with a reason, import a file,
// browse the entries (numbers are kept hashed, so the list shows where each entry came from).
import { useState } from 'preact/hooks';
import { api, roleAllows, useApi, useSession } from '../../api.ts';
import { formatDateTime, formatNumber } from '../../i18n.ts';
import { Button, Card, Field, Notice, Table } from '../../components/index.ts';
import { actorLabel, dncReason } from '../../names.ts';
import { t } from './messages.ts';
import { useAction } from './use-action.ts';
import { dncHash, toE164 } from './number-hash.ts';

import type { DncImportReply, DncPage as Page } from '../../../../appliance/http/contract/compliance.ts';
const PAGE = 50;
const SOURCE_KEYS = { keypress: 'source.keypress', staff: 'source.staff', fleet: 'source.fleet', import: 'source.import' } as const;
const sourceLabel = (s: string): string => (s in SOURCE_KEYS ? t(SOURCE_KEYS[s as keyof typeof SOURCE_KEYS]) : s);

export function DncTab() {
  const session = useSession();
  const operator = roleAllows(session?.role, 'operator');
  const admin = roleAllows(session?.role, 'admin');
  const [offset, setOffset] = useState(0);
  const list = useApi<Page>(`/api/compliance/dnc?limit=${PAGE}&offset=${offset}`, [offset]);
  const options = useApi<{ country: string }>('/api/campaigns/options');
  const country = options.data?.country ?? 'FR';

  const [filter, setFilter] = useState('');
  const [addNumber, setAddNumber] = useState('');
  const [addReason, setAddReason] = useState('');
  const [rmNumber, setRmNumber] = useState('');
  const [rmReason, setRmReason] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [importReason, setImportReason] = useState('');
  const [rejected, setRejected] = useState<Array<{ line: number; text: string }>>([]);
  const add = useAction();
  const remove = useAction();
  const imp = useAction();
  const find = useAction();

  const q = filter.trim().toLowerCase();
  const rows = (list.data?.entries ?? []).filter((e) => !q || [e.reason, e.actor, e.source, e.numberHash].some((v) => v?.toLowerCase().includes(q)));

  const search = (e: Event): void => {
    e.preventDefault();
    void find.run(async () => {
      const n = toE164(filter, country);
      if (!n) throw new Error(t('notANumber'));
      const h = dncHash(n);
      for (let off = 0; off < 100_000; off += 1000) {
        const p = await api<Page>('GET', `/api/compliance/dnc?limit=1000&offset=${off}`);
        const hit = p.entries.find((x) => x.numberHash === h);
        if (hit) return t('foundOn', { number: n, source: sourceLabel(hit.source), at: formatDateTime(hit.createdAt) });
        if (off + 1000 >= p.total) break;
      }
      return t('notOn', { number: n });
    });
  };

  return (
    <>
      <Card title={t('dncFind')}>
        <form class="toolbar" role="search" onSubmit={search}>
          <Field label={t('searchLabel')} hint={t('searchHint')}>
            <input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
          </Field>
          <Button type="submit" busy={find.busy}>{t('checkNumber')}</Button>
        </form>
        {find.ok && <Notice kind="info" testId="dnc-find-result">{find.ok}</Notice>}
        {find.error && <Notice kind="error">{find.error.message}</Notice>}
      </Card>

      {operator && (
        <Card title={t('dncAdd')}>
          <form onSubmit={(e) => {
            e.preventDefault();
            void add.run(async () => {
              const r = await api<{ added: boolean }>('POST', '/api/compliance/dnc', { number: addNumber.trim(), ...(addReason.trim() ? { reason: addReason.trim() } : {}) });
              list.reload();
              if (r.added) setAddNumber('');
              return r.added ? t('added') : t('alreadyOn');
            });
          }}>
            <div class="form-row">
              <Field label={t('number')} error={add.err('number')} hint={t('numberHint')}>
                <input type="tel" autoComplete="off" value={addNumber} required onInput={(e) => setAddNumber(e.currentTarget.value)} />
              </Field>
              <Field label={t('reasonOptional')} error={add.err('reason')}>
                <input value={addReason} maxLength={200} onInput={(e) => setAddReason(e.currentTarget.value)} />
              </Field>
            </div>
            {add.error && <Notice kind="error">{add.error.message}</Notice>}
            {add.ok && <Notice kind="success" testId="dnc-add-result">{add.ok}</Notice>}
            <Button type="submit" variant="primary" busy={add.busy}>{t('addToList')}</Button>
          </form>
        </Card>
      )}

      <Card title={t('dncEntries', { n: formatNumber(list.data?.total ?? 0) })}>
        {list.error && <Notice kind="error">{list.error.message}</Notice>}
        <Table caption={t('dncEntriesCaption')} testId="dnc-list" rows={rows} rowKey={(e) => e.numberHash} empty={list.data ? t('dncEmpty') : t('loading')}
          columns={[
            { key: 'at', label: t('addedAt'), render: (e) => formatDateTime(e.createdAt) },
            { key: 'source', label: t('source'), render: (e) => sourceLabel(e.source) + (e.digit ? ` (${e.digit})` : '') + (e.campaignId ? ` · #${e.campaignId}` : '') },
            { key: 'reason', label: t('reason'), render: (e) => dncReason(e.reason) },
            { key: 'actor', label: t('by'), render: (e) => actorLabel(e.actor) },
            { key: 'hash', label: t('hash'), render: (e) => <span class="hash" title={e.numberHash}>{e.numberHash.slice(0, 12)}…</span> },
          ]} />
        <div class="actions">
          <Button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>{t('previous')}</Button>
          <Button disabled={!list.data || offset + PAGE >= list.data.total} onClick={() => setOffset(offset + PAGE)}>{t('next')}</Button>
          {admin && <a href="/api/compliance/dnc/export.csv" download>{t('exportDnc')}</a>}
        </div>
      </Card>

      {admin && (
        <Card title={t('dncRemove')}>
          <form onSubmit={(e) => {
            e.preventDefault();
            void remove.run(async () => {
              const r = await api<{ removed: boolean }>('POST', '/api/compliance/dnc/remove', { number: rmNumber.trim(), reason: rmReason.trim() });
              list.reload();
              return r.removed ? t('removed') : t('wasNotOn');
            });
          }}>
            <div class="form-row">
              <Field label={t('number')} error={remove.err('number')}>
                <input type="tel" autoComplete="off" value={rmNumber} required onInput={(e) => setRmNumber(e.currentTarget.value)} />
              </Field>
              <Field label={t('reasonRequired')} error={remove.err('reason')} hint={t('removeHint')}>
                <input value={rmReason} required minLength={3} maxLength={200} onInput={(e) => setRmReason(e.currentTarget.value)} />
              </Field>
            </div>
            {remove.error && <Notice kind="error">{remove.error.message}</Notice>}
            {remove.ok && <Notice kind="success">{remove.ok}</Notice>}
            <Button type="submit" variant="danger" busy={remove.busy}>{t('removeFromList')}</Button>
          </form>
        </Card>
      )}

      {operator && (
        <Card title={t('dncImport')}>
          <form onSubmit={(e) => {
            e.preventDefault();
            void imp.run(async () => {
              if (!file) throw new Error(t('chooseFile'));
              const r = await api<DncImportReply>('POST', '/api/compliance/dnc/import', { text: await file.text(), reason: importReason.trim() });
              setRejected(r.rejected);
              list.reload();
              return t('imported', { added: r.added, read: r.read, rejected: r.rejected.length });
            });
          }}>
            <div class="form-row">
              <Field label={t('file')} hint={t('fileHint')}>
                <input type="file" accept=".csv,.txt,text/csv,text/plain" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
              </Field>
              <Field label={t('reasonRequired')} error={imp.err('reason')}>
                <input value={importReason} required minLength={3} maxLength={200} onInput={(e) => setImportReason(e.currentTarget.value)} />
              </Field>
            </div>
            {imp.error && <Notice kind="error">{imp.error.message}</Notice>}
            {imp.ok && <Notice kind="success">{imp.ok}</Notice>}
            {rejected.length > 0 && (
              <Table caption={t('rejectedLines')} rows={rejected.slice(0, 100)} rowKey={(r) => r.line}
                columns={[{ key: 'line', label: t('line'), align: 'right' }, { key: 'text', label: t('text') }]} />
            )}
            <Button type="submit" variant="primary" busy={imp.busy}>{t('import')}</Button>
          </form>
        </Card>
      )}
    </>
  );
}

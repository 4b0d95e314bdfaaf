// Browsing one list: search (debounced) and pages of contacts.
import { useEffect, useState } from 'preact/hooks';
import { useApi } from '../../api.ts';
import { Button, Field, Link, Notice, Page, Table } from '../../components/index.ts';
import { formatNumber } from '../../i18n.ts';
import { t, type ListKey } from './messages.ts';
import type { Contact, ContactPage, ListSummary } from './types.ts';

const PAGE_SIZE = 50;

export function ContactsView({ id }: { id: number }) {
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(1);
  const lists = useApi<ListSummary[]>('/api/lists');
  const list = lists.data?.find((l) => l.id === id);
  useEffect(() => {
    const timer = setTimeout(() => { setQuery(q.trim()); setPage(1); }, 250);
    return () => clearTimeout(timer);
  }, [q]);
  const params = new URLSearchParams({ page: String(page), pageSize: String(PAGE_SIZE) });
  if (query) params.set('q', query);
  const contacts = useApi<ContactPage>(`/api/lists/${id}/contacts?${params}`);
  const pages = contacts.data ? Math.max(1, Math.ceil(contacts.data.total / PAGE_SIZE)) : 1;
  return (
    <Page title={list?.name ?? `#${id}`} actions={<Link class="btn btn--secondary" href="/lists">{t('back')}</Link>}>
      <div class="toolbar">
        <Field label={t('search')}>
          <input type="search" value={q} maxLength={100} onInput={(e) => setQ(e.currentTarget.value)} />
        </Field>
        {contacts.data && <p class="muted" role="status">{contacts.data.total === 1 ? t('totalOne') : t('total', { total: formatNumber(contacts.data.total) })}</p>}
      </div>
      {contacts.error && <Notice kind="error">{contacts.error.message}</Notice>}
      <Table<Contact>
        testId="contacts-table"
        label={t('contacts')}
        columns={[
          { key: 'row', label: t('row'), align: 'right' },
          { key: 'e164', label: t('number') },
          { key: 'name', label: t('name'), render: (c) => c.name ?? '' },
          { key: 'lineType', label: t('lineType'), render: (c) => t(`line.${c.lineType}` as ListKey) },
          { key: 'fields', label: t('fields'), render: (c) => Object.entries(c.fields).map(([k, v]) => t('fieldPair', { name: k, value: v })).join(' · ') },
        ]}
        rows={contacts.data?.items ?? []}
        rowKey={(c) => c.id}
        empty={contacts.loading ? '…' : t('noContacts')}
      />
      <div class="actions">
        <Button onClick={() => setPage(page - 1)} disabled={page <= 1}>{t('prev')}</Button>
        <span class="muted" aria-live="polite">{t('pageOf', { page, pages })}</span>
        <Button onClick={() => setPage(page + 1)} disabled={page >= pages}>{t('next')}</Button>
      </div>
    </Page>
  );
}

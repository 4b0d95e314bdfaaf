// Contact lists: the lists with their counts, import, browse (/lists/:id) and delete.
import { useState } from 'preact/hooks';
import { currentSession, roleAllows, useApi } from '../../api.ts';
import { Button, ConfirmDialog, Link, Notice, Page, Table } from '../../components/index.ts';
import { formatDateTime, formatNumber, useLang } from '../../i18n.ts';
import { matchPath, useRoute } from '../../router.ts';
import { useConfirmedDelete } from '../../use-confirmed-delete.ts';
import { ContactsView } from './contacts.tsx';
import { ImportCard } from './import.tsx';
import { t } from './messages.ts';
import type { ListSummary } from './types.ts';

export default function Lists() {
  useLang();
  const route = useRoute();
  const one = matchPath('/lists/:id', route.path);
  if (one && /^\d+$/.test(one.id!)) return <ContactsView id={Number(one.id)} />;
  return <AllLists />;
}

function AllLists() {
  const lists = useApi<ListSummary[]>('/api/lists');
  const [done, setDone] = useState<string | null>(null);
  const { doomed, setDoomed, error, dialog } = useConfirmedDelete<ListSummary>(
    (l) => `/api/lists/${l.id}`,
    (l) => {
      setDone(t('deleted', { name: l.name }));
      lists.reload();
    },
  );
  const canEdit = roleAllows(currentSession()?.role, 'operator');

  return (
    <Page title={t('title')}>
      {done && <Notice kind="success">{done}</Notice>}
      {(error ?? lists.error) && <Notice kind="error">{error ?? lists.error?.message}</Notice>}
      <Table<ListSummary>
        caption={t('lists')}
        testId="lists-table"
        columns={[
          { key: 'name', label: t('name'), render: (l) => <Link href={`/lists/${l.id}`}>{l.name}</Link> },
          { key: 'contacts', label: t('contacts'), align: 'right', render: (l) => formatNumber(l.contacts) },
          { key: 'rejected', label: t('rejected'), align: 'right', render: (l) => formatNumber(l.rejected) },
          { key: 'duplicates', label: t('duplicates'), align: 'right', render: (l) => formatNumber(l.duplicates) },
          { key: 'createdAt', label: t('created'), render: (l) => formatDateTime(l.createdAt) },
          ...(canEdit ? [{ key: 'actions', label: t('actions'), render: (l: ListSummary) => <Button variant="link" onClick={() => setDoomed(l)} aria-label={`${t('delete')} ${l.name}`}>{t('delete')}</Button> }] : []),
        ]}
        rows={lists.data ?? []}
        rowKey={(l) => l.id}
        empty={lists.loading ? '…' : t('noLists')}
      />
      {canEdit && <ImportCard onImported={() => { setDone(null); lists.reload(); }} />}
      <ConfirmDialog {...dialog} title={t('deleteTitle', { name: doomed?.name ?? '' })}>
        <p>{t('deleteBody', { count: formatNumber(doomed?.contacts ?? 0) })}</p>
      </ConfirmDialog>
    </Page>
  );
}

// The audit log (append-only, hash-chained), oldest first a page at a time, and a check of the whole
// chain that says whether any entry was changed, removed or reordered.
import { useState } from 'preact/hooks';
import { api, useApi } from '../../api.ts';
import { formatDateTime, formatNumber } from '../../i18n.ts';
import { Button, Card, Notice, Table } from '../../components/index.ts';
import { actorLabel } from '../../names.ts';
import { auditActionLabel } from './audit-actions.ts';
import { t } from './messages.ts';
import { useAction } from './use-action.ts';

import type { AuditEntry as Entry, AuditVerification as Verify } from '../../../../appliance/http/contract/compliance.ts';
const PAGE = 50;

export function AuditTab({ admin }: { admin: boolean }) {
  const [after, setAfter] = useState(0);
  const entries = useApi<Entry[]>(admin ? `/api/compliance/audit?after=${after}&limit=${PAGE}` : null, [after]);
  const [result, setResult] = useState<Verify | null>(null);
  const verify = useAction();
  return (
    <>
      <Card title={t('auditVerify')}>
        <p class="muted">{t('auditExplain')}</p>
        <Button variant="primary" busy={verify.busy} onClick={() => void verify.run(async () => {
          const r = await api<Verify>('GET', '/api/compliance/audit/verify');
          setResult(r);
          return '';
        })}>{t('verifyChain')}</Button>
        {verify.error && <Notice kind="error">{verify.error.message}</Notice>}
        {result && (
          <Notice kind={result.ok ? 'success' : 'error'} testId="audit-verify-result" title={result.ok ? t('chainOk') : t('chainBroken')}>
            <p>{t('chainEntries', { n: formatNumber(result.entries) })}{result.head ? ` · ${t('chainHead')} ${result.head.slice(0, 16)}…` : ''}</p>
            {result.problems.length > 0 && <ul>{result.problems.slice(0, 50).map((p, i) => <li key={i}>{t('problemAt', { seq: p.seq, problem: t(`problem.${p.problem}` as 'problem.chain-broken') })}</li>)}</ul>}
          </Notice>
        )}
      </Card>
      <Card title={t('auditLog')}>
        {!admin ? <p>{t('adminOnlyAudit')}</p> : (
          <>
            {entries.error && <Notice kind="error">{entries.error.message}</Notice>}
            <Table caption={t('auditLog')} testId="audit-list" rows={entries.data ?? []} rowKey={(e) => e.seq} empty={entries.data ? t('auditEmpty') : t('loading')}
              columns={[
                { key: 'seq', label: '#', align: 'right' },
                { key: 'at', label: t('when'), render: (e) => formatDateTime(e.at, { dateStyle: 'short', timeStyle: 'medium' }) },
                { key: 'actor', label: t('by'), render: (e) => actorLabel(e.actor) },
                { key: 'action', label: t('action'), render: (e) => <>{auditActionLabel(e.action)} <code class="small">{e.action}</code></> },
                { key: 'subject', label: t('subject'), render: (e) => (e.subject && /^[0-9a-f]{64}$/.test(e.subject) ? <span class="hash" title={e.subject}>{e.subject.slice(0, 12)}…</span> : e.subject ?? '') },
                { key: 'details', label: t('details'), render: (e) => <code class="small">{JSON.stringify(e.details)}</code> },
              ]} />
            <div class="actions">
              <Button disabled={after === 0} onClick={() => setAfter(Math.max(0, after - PAGE))}>{t('previous')}</Button>
              <Button disabled={(entries.data?.length ?? 0) < PAGE} onClick={() => setAfter(after + PAGE)}>{t('next')}</Button>
            </div>
          </>
        )}
      </Card>
    </>
  );
}

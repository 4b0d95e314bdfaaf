// Caller IDs and their verification: the box calls the number and asks for a code shown here, typed
// on the phone's keypad; only then may campaigns present it. Admins add, remove and verify.
import { useEffect, useState } from 'preact/hooks';
import { api, useApi } from '../../api.ts';
import { Button, Card, ConfirmDialog, Field, Notice, Table } from '../../components/index.ts';
import { startProblemText } from '../../start-problems.ts';
import { t } from './messages.ts';
import { useAction } from './use-action.ts';

import type { CallerId, Verification } from '../../../../appliance/http/contract/compliance.ts';
const ENDED = new Set(['verified', 'failed', 'expired']);
const STATE_KEYS = { calling: 'vstate.calling', 'waiting-for-code': 'vstate.waiting-for-code', verified: 'vstate.verified', failed: 'vstate.failed', expired: 'vstate.expired' } as const;
const path = (n: string): string => `/api/compliance/caller-ids/${encodeURIComponent(n)}`;

export function CallerIdsTab({ admin }: { admin: boolean }) {
  const ids = useApi<CallerId[]>('/api/compliance/caller-ids');
  const [v, setV] = useState<Verification | null>(null);
  const [number, setNumber] = useState('');
  const [label, setLabel] = useState('');
  const [removing, setRemoving] = useState<string | null>(null);
  const start = useAction();
  const add = useAction();
  const remove = useAction();

  // Follow the verification call until it ends (the person types the code on the phone).
  useEffect(() => {
    if (!v || ENDED.has(v.state)) return;
    const timer = setTimeout(() => {
      api<Verification>('GET', `${path(v.number)}/verify/${v.id}`).then((next) => {
        setV(next);
        if (next.state === 'verified') ids.reload();
      }, () => setV({ ...v, state: 'failed', reason: 'error' }));
    }, 1000);
    return () => clearTimeout(timer);
  }, [v]);

  return (
    <>
      <Card title={t('callerIds')}>
        <p class="muted">{t('callerIdsExplain')}</p>
        {ids.error && <Notice kind="error">{ids.error.message}</Notice>}
        <Table caption={t('callerIds')} testId="caller-id-list" rows={ids.data ?? []} rowKey={(c) => c.number} empty={ids.data ? t('noCallerIds') : t('loading')}
          columns={[
            { key: 'number', label: t('number') },
            { key: 'label', label: t('label') },
            {
              key: 'verified', label: t('verification'), render: (c) => (
                <>
                  <span class={`badge ${c.verified ? 'badge--ok' : 'badge--warn'}`}>{c.verified ? t('verified') : t('notVerified')}</span>
                  {(c.problems ?? []).map((p) => <p key={p.code} class="field__error small">{startProblemText(p)}</p>)}
                </>
              ),
            },
            {
              key: 'act', label: t('actions'), render: (c) => (admin ? (
                <div class="actions">
                  {!c.verified && (
                    <Button busy={start.busy && v?.number === c.number} disabled={!!v && !ENDED.has(v.state)} onClick={() => void start.run(async () => {
                      const r = await api<Verification>('POST', `${path(c.number)}/verify`, {});
                      setV(r);
                      return '';
                    })}>{t('verify')}</Button>
                  )}
                  <Button variant="link" onClick={() => setRemoving(c.number)}>{t('remove')}</Button>
                </div>
              ) : ''),
            },
          ]} />
        {!admin && <p class="muted small">{t('adminOnlyVerify')}</p>}
        {start.error && <Notice kind="error">{start.error.message}</Notice>}
        {remove.error && <Notice kind="error">{remove.error.message}</Notice>}
        {remove.ok && <Notice kind="success">{remove.ok}</Notice>}
        {v && (
          <Notice kind={v.state === 'verified' ? 'success' : ENDED.has(v.state) ? 'error' : 'info'} title={t('verifying', { number: v.number })} testId="verification">
            {!ENDED.has(v.state) && <p>{t('typeCode')} <strong class="code"><span aria-hidden="true">{v.code}</span><span class="visually-hidden">{t('codeIs', { code: v.code.split('').join(' ') })}</span></strong></p>}
            <p aria-live="polite">{t(STATE_KEYS[v.state])}{v.reason ? ` (${v.reason})` : ''}{v.wrongCodes > 0 ? ` · ${t('wrongCodes', { n: v.wrongCodes })}` : ''}</p>
          </Notice>
        )}
      </Card>
      {admin && (
        <Card title={t('callerIdAdd')}>
          <form onSubmit={(e) => {
            e.preventDefault();
            void add.run(async () => {
              const r = await api<CallerId>('POST', '/api/compliance/caller-ids', { number: number.trim(), label: label.trim() });
              setNumber('');
              setLabel('');
              ids.reload();
              return t('callerIdAdded', { number: r.number });
            });
          }}>
            <div class="form-row">
              <Field label={t('number')} error={add.err('number')} hint={t('numberHint')}>
                <input type="tel" value={number} required onInput={(e) => setNumber(e.currentTarget.value)} />
              </Field>
              <Field label={t('label')} error={add.err('label')}>
                <input value={label} required maxLength={100} onInput={(e) => setLabel(e.currentTarget.value)} />
              </Field>
            </div>
            {add.error && <Notice kind="error">{add.error.message}</Notice>}
            {add.ok && <Notice kind="success">{add.ok}</Notice>}
            <Button type="submit" variant="primary" busy={add.busy}>{t('addCallerId')}</Button>
          </form>
        </Card>
      )}
      <ConfirmDialog open={removing !== null} title={t('removeCallerId', { number: removing ?? '' })} confirmLabel={t('remove')} cancelLabel={t('cancel')} danger busy={remove.busy}
        onCancel={() => setRemoving(null)}
        onConfirm={() => {
          const n = removing!;
          void remove.run(async () => {
            await api('DELETE', path(n));
            ids.reload();
            return t('callerIdRemoved', { number: n });
          }).finally(() => setRemoving(null));
        }} />
    </>
  );
}

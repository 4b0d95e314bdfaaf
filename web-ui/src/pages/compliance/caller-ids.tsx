// Caller IDs and their verification: a number may be presented only once the box has verified it
// (a call to it with a code read out, typed back here).
import { useState } from 'preact/hooks';
import { api, useApi } from '../../api.ts';
import { Button, Card, Field, Notice, Table } from '../../components/index.ts';
import { t } from './messages.ts';
import { useAction } from './use-action.ts';

interface CallerId { number: string; label: string; verified: boolean }

export function CallerIdsTab({ admin }: { admin: boolean }) {
  // Operators see the numbers the campaign wizard offers; admins read the settings themselves.
  const options = useApi<{ callerIds: CallerId[] }>('/api/campaigns/options');
  const [pending, setPending] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const start = useAction();
  const confirm = useAction();
  const rows = options.data?.callerIds ?? [];
  return (
    <Card title={t('callerIds')}>
      <p class="muted">{t('callerIdsExplain')}</p>
      {options.error && <Notice kind="error">{options.error.message}</Notice>}
      <Table caption={t('callerIds')} testId="caller-id-list" rows={rows} rowKey={(c) => c.number} empty={options.data ? t('noCallerIds') : t('loading')}
        columns={[
          { key: 'number', label: t('number') },
          { key: 'label', label: t('label') },
          { key: 'verified', label: t('verification'), render: (c) => <span class={`badge ${c.verified ? 'badge--ok' : 'badge--warn'}`}>{c.verified ? t('verified') : t('notVerified')}</span> },
          {
            key: 'act', label: t('actions'), render: (c) => (admin && !c.verified ? (
              <Button busy={start.busy && pending === c.number} onClick={() => {
                setPending(c.number);
                setCode('');
                void start.run(async () => {
                  await api('POST', '/api/compliance/caller-ids/verify', { number: c.number });
                  return t('verifyCalling', { number: c.number });
                });
              }}>{t('verify')}</Button>
            ) : ''),
          },
        ]} />
      {!admin && <p class="muted small">{t('adminOnlyVerify')}</p>}
      {start.error && <Notice kind="error">{start.error.message}</Notice>}
      {start.ok && pending && (
        <form onSubmit={(e) => {
          e.preventDefault();
          void confirm.run(async () => {
            await api('POST', '/api/compliance/caller-ids/confirm', { number: pending, code: code.trim() });
            options.reload();
            setPending(null);
            return t('verifiedOk');
          });
        }}>
          <Notice kind="info">{start.ok}</Notice>
          <Field label={t('codeHeard')} error={confirm.err('code')}>
            <input inputMode="numeric" autoComplete="one-time-code" value={code} required onInput={(e) => setCode(e.currentTarget.value)} />
          </Field>
          <Button type="submit" variant="primary" busy={confirm.busy}>{t('confirmCode')}</Button>
        </form>
      )}
      {confirm.error && <Notice kind="error">{confirm.error.message}</Notice>}
      {confirm.ok && <Notice kind="success">{confirm.ok}</Notice>}
    </Card>
  );
}

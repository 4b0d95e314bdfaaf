// Consent records: look up a number's consents, record a new one (who, seller, purpose, how, when,
// what was shown, where), and revoke.
import { useState } from 'preact/hooks';
import { api, roleAllows, useSession } from '../../api.ts';
import { formatDateTime } from '../../i18n.ts';
import { Button, Card, Field, Notice, Table } from '../../components/index.ts';
import { purposeLabel } from '../../messages.ts';
import { t } from './messages.ts';
import { useAction } from './use-action.ts';

import type { ConsentRecord as Consent } from '../../../../appliance/http/contract/compliance.ts';
const METHODS = ['form', 'keypress', 'recording', 'written', 'import'] as const;
const PURPOSES = ['any', 'emergency', 'informational', 'transactional', 'healthcare', 'political', 'marketing'];
const METHOD_KEYS = { form: 'method.form', keypress: 'method.keypress', recording: 'method.recording', written: 'method.written', import: 'method.import' } as const;
const KINDS = ['express', 'written', 'existing-relationship'] as const;
const KIND_KEYS = { express: 'kind.express', written: 'kind.written', 'existing-relationship': 'kind.existing-relationship' } as const;

const blank = { number: '', seller: '', purpose: 'marketing', method: 'form' as string, kind: 'express' as string, givenAt: '', disclosureText: '', disclosureVersion: '', source: '', collector: '' };

export function ConsentsTab() {
  const session = useSession();
  const operator = roleAllows(session?.role, 'operator');
  const [lookup, setLookup] = useState('');
  const [found, setFound] = useState<Consent[] | null>(null);
  const [form, setForm] = useState(blank);
  const [revoke, setRevoke] = useState({ number: '', seller: '', purpose: '', channel: '' });
  const find = useAction();
  const rec = useAction();
  const rev = useAction();
  const set = (k: keyof typeof blank, v: string): void => setForm((f) => ({ ...f, [k]: v }));

  return (
    <>
      <Card title={t('consentFind')}>
        <form class="toolbar" role="search" onSubmit={(e) => {
          e.preventDefault();
          void find.run(async () => {
            const r = await api<Consent[]>('GET', `/api/compliance/consents?number=${encodeURIComponent(lookup.trim())}`);
            setFound(r);
            return t('consentsFound', { n: r.length });
          });
        }}>
          <Field label={t('number')} error={find.err('number')}>
            <input type="tel" value={lookup} required onInput={(e) => setLookup(e.currentTarget.value)} />
          </Field>
          <Button type="submit" busy={find.busy}>{t('lookUp')}</Button>
        </form>
        {find.error && <Notice kind="error">{find.error.message}</Notice>}
        {found && (
          <Table caption={t('consentsOf', { number: lookup })} rows={found} rowKey={(c) => c.id} empty={t('noConsent')}
            columns={[
              { key: 'seller', label: t('seller') },
              { key: 'purpose', label: t('purpose'), render: (c) => (c.purpose === 'any' ? t('anyPurpose') : purposeLabel(c.purpose)) },
              { key: 'kind', label: t('kind'), render: (c) => (c.kind in KIND_KEYS ? t(KIND_KEYS[c.kind as keyof typeof KIND_KEYS]) : c.kind) },
              { key: 'method', label: t('method'), render: (c) => (c.method in METHOD_KEYS ? t(METHOD_KEYS[c.method as keyof typeof METHOD_KEYS]) : c.method) },
              { key: 'given', label: t('givenAt'), render: (c) => formatDateTime(c.givenAt) },
              { key: 'disclosure', label: t('disclosure'), render: (c) => <span title={c.disclosureText}>{c.disclosureVersion}</span> },
              { key: 'source', label: t('sourceWhere') },
              { key: 'state', label: t('state'), render: (c) => (c.revokedAt ? t('revokedAt', { at: formatDateTime(c.revokedAt), channel: c.revocationChannel ?? '' }) : t('valid')) },
            ]} />
        )}
      </Card>

      {operator && (
        <Card title={t('consentRecord')}>
          <form onSubmit={(e) => {
            e.preventDefault();
            void rec.run(async () => {
              const given = form.givenAt ? new Date(form.givenAt).toISOString() : '';
              const r = await api<{ id: number }>('POST', '/api/compliance/consents', {
                number: form.number.trim(), seller: form.seller.trim(), purpose: form.purpose, method: form.method, kind: form.kind, givenAt: given,
                disclosureText: form.disclosureText, disclosureVersion: form.disclosureVersion.trim(), source: form.source.trim(),
                ...(form.collector.trim() ? { collector: form.collector.trim() } : {}),
              });
              setForm(blank);
              return t('consentRecorded', { id: r.id });
            });
          }}>
            <div class="form-row">
              <Field label={t('number')} error={rec.err('number')}><input type="tel" value={form.number} required onInput={(e) => set('number', e.currentTarget.value)} /></Field>
              <Field label={t('seller')} error={rec.err('seller')}><input value={form.seller} required maxLength={200} onInput={(e) => set('seller', e.currentTarget.value)} /></Field>
              <Field label={t('purpose')} error={rec.err('purpose')}>
                <select value={form.purpose} onChange={(e) => set('purpose', e.currentTarget.value)}>
                  {PURPOSES.map((p) => <option key={p} value={p}>{p === 'any' ? t('anyPurpose') : purposeLabel(p)}</option>)}
                </select>
              </Field>
              <Field label={t('method')} error={rec.err('method')}>
                <select value={form.method} onChange={(e) => set('method', e.currentTarget.value)}>
                  {METHODS.map((m) => <option key={m} value={m}>{t(METHOD_KEYS[m])}</option>)}
                </select>
              </Field>
              <Field label={t('kind')} error={rec.err('kind')} hint={t('kindHint')}>
                <select value={form.kind} onChange={(e) => set('kind', e.currentTarget.value)}>
                  {KINDS.map((k) => <option key={k} value={k}>{t(KIND_KEYS[k])}</option>)}
                </select>
              </Field>
              <Field label={t('givenAt')} error={rec.err('givenAt')}><input type="datetime-local" value={form.givenAt} required onInput={(e) => set('givenAt', e.currentTarget.value)} /></Field>
              <Field label={t('disclosureVersion')} error={rec.err('disclosureVersion')}><input value={form.disclosureVersion} required maxLength={50} onInput={(e) => set('disclosureVersion', e.currentTarget.value)} /></Field>
              <Field label={t('sourceWhere')} error={rec.err('source')} hint={t('sourceHint')}><input value={form.source} required maxLength={500} onInput={(e) => set('source', e.currentTarget.value)} /></Field>
              <Field label={t('collector')} error={rec.err('collector')}><input value={form.collector} maxLength={200} onInput={(e) => set('collector', e.currentTarget.value)} /></Field>
            </div>
            <Field label={t('disclosureText')} error={rec.err('disclosureText')} hint={t('disclosureHint')}>
              <textarea rows={3} value={form.disclosureText} required maxLength={5000} onInput={(e) => set('disclosureText', e.currentTarget.value)} />
            </Field>
            {rec.error && <Notice kind="error">{rec.error.message}</Notice>}
            {rec.ok && <Notice kind="success">{rec.ok}</Notice>}
            <Button type="submit" variant="primary" busy={rec.busy}>{t('recordConsent')}</Button>
          </form>
        </Card>
      )}

      {operator && (
        <Card title={t('consentRevoke')}>
          <form onSubmit={(e) => {
            e.preventDefault();
            void rev.run(async () => {
              const r = await api<{ revoked: number }>('POST', '/api/compliance/consents/revoke', {
                number: revoke.number.trim(), channel: revoke.channel.trim(), ...(revoke.seller.trim() ? { seller: revoke.seller.trim() } : {}),
                ...(revoke.purpose ? { purpose: revoke.purpose } : {}),
              });
              return t('consentsRevoked', { n: r.revoked });
            });
          }}>
            <div class="form-row">
              <Field label={t('number')} error={rev.err('number')}><input type="tel" value={revoke.number} required onInput={(e) => setRevoke({ ...revoke, number: e.currentTarget.value })} /></Field>
              <Field label={t('sellerOptional')} error={rev.err('seller')}><input value={revoke.seller} onInput={(e) => setRevoke({ ...revoke, seller: e.currentTarget.value })} /></Field>
              <Field label={t('purposeOptional')} error={rev.err('purpose')} hint={t('purposeRevokeHint')}>
                <select value={revoke.purpose} onChange={(e) => setRevoke({ ...revoke, purpose: e.currentTarget.value })}>
                  <option value="">{t('anyPurpose')}</option>
                  {PURPOSES.filter((p) => p !== 'any').map((p) => <option key={p} value={p}>{purposeLabel(p)}</option>)}
                </select>
              </Field>
              <Field label={t('channel')} error={rev.err('channel')} hint={t('channelHint')}><input value={revoke.channel} required maxLength={100} onInput={(e) => setRevoke({ ...revoke, channel: e.currentTarget.value })} /></Field>
            </div>
            {rev.error && <Notice kind="error">{rev.error.message}</Notice>}
            {rev.ok && <Notice kind="success">{rev.ok}</Notice>}
            <Button type="submit" variant="danger" busy={rev.busy}>{t('revoke')}</Button>
          </form>
        </Card>
      )}
    </>
  );
}

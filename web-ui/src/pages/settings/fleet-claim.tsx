// Settings › Fleet: the claim code that adopts the box into a fleet (admins only: this page is), the
// box id and the enrolment state. The dashboard only says that the box is not adopted yet and points here.
import { useApi } from '../../api.ts';
import { Card, Notice } from '../../components/index.ts';
import { t, type SetKey } from './messages.ts';
import type { Provisioning } from '../../../../appliance/http/contract/health.ts';


export function FleetClaim() {
  const p = useApi<Provisioning>('/api/provisioning').data;
  if (!p || (!p.claimCode && !p.boxId && p.state !== 'error')) return null;
  return (
    <Card title={t('claimTitle')} testId="claim-card">
      {p.claimCode && <p>{t('claimBody')}</p>}
      <dl class="kv">
        {p.claimCode && <><dt>{t('claimCode')}</dt><dd class="claim">{p.claimCode}</dd></>}
        {p.boxId && <><dt>{t('boxId')}</dt><dd>{p.boxId}</dd></>}
        {p.state && <><dt>{t('claimState')}</dt><dd>{['unclaimed', 'enrolled', 'error'].includes(p.state) ? t(`claim.${p.state}` as SetKey) : p.state}</dd></>}
      </dl>
      {p.error && <Notice kind="warning">{t('claimError', { error: p.error })}</Notice>}
    </Card>
  );
}

// Compliance: do-not-call list, consent records, registry copies, caller ID verification, the audit
// log and the rules in force, one tab each (/compliance/dnc, /consents, /registries, /caller-ids,
// /audit, /rules).
import { useEffect } from 'preact/hooks';
import { roleAllows, useSession } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { navigate, useRoute } from '../../router.ts';
import { Link, Page } from '../../components/index.ts';
import { t } from './messages.ts';
import { DncTab } from './dnc.tsx';
import { ConsentsTab } from './consents.tsx';
import { RegistriesTab } from './registries.tsx';
import { CallerIdsTab } from './caller-ids.tsx';
import { AuditTab } from './audit.tsx';
import { RulesTab } from './rules.tsx';
import '../campaigns/campaigns.css';

const TABS = ['dnc', 'consents', 'registries', 'caller-ids', 'audit', 'rules'] as const;
type Tab = (typeof TABS)[number];
const TAB_KEYS = { dnc: 'tab.dnc', consents: 'tab.consents', registries: 'tab.registries', 'caller-ids': 'tab.callerIds', audit: 'tab.audit', rules: 'tab.rules' } as const;

export default function Compliance() {
  useLang();
  const session = useSession();
  const { path } = useRoute();
  const sub = path.split('/')[2] ?? '';
  const tab: Tab = (TABS as readonly string[]).includes(sub) ? (sub as Tab) : 'dnc';
  useEffect(() => {
    if (sub && sub !== tab) navigate('/compliance/dnc', { replace: true });
  }, [sub]);
  const admin = roleAllows(session?.role, 'admin');
  return (
    <Page title={t('title')}>
      <nav aria-label={t('sections')}>
        <ul class="tabs">
          {TABS.map((x) => (
            <li key={x}><Link href={`/compliance/${x}`} aria-current={x === tab ? 'page' : undefined}>{t(TAB_KEYS[x])}</Link></li>
          ))}
        </ul>
      </nav>
      {tab === 'dnc' && <DncTab />}
      {tab === 'consents' && <ConsentsTab />}
      {tab === 'registries' && <RegistriesTab admin={admin} />}
      {tab === 'caller-ids' && <CallerIdsTab admin={admin} />}
      {tab === 'audit' && <AuditTab admin={admin} />}
      {tab === 'rules' && <RulesTab />}
    </Page>
  );
}

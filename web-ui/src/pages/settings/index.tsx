// Settings (admins): the box, trunks and GSM gateways with a test call, users (who takes calls, desk phones), staff groups and calls coming in, compliance pack, fleet
// connection with the claim code that adopts the box into a fleet (#fleet), and call engine. Each section saves on its own; the box checks every field and nothing
// is written while any is wrong.
import { useApi } from '../../api.ts';
import { Notice, Page } from '../../components/index.ts';
import { useLang } from '../../i18n.ts';
import type { Doc } from './form.tsx';
import { t } from './messages.ts';
import { BoxSection, ComplianceSection, EngineSection, FleetSection } from './sections.tsx';
import { TrunksSection } from './trunks.tsx';
import { UsersSection } from './users.tsx';
import { StaffSection } from './staff.tsx';
import { CertificateSection } from './certificate.tsx';
import { FleetClaim } from './fleet-claim.tsx';
import { useEffect } from 'preact/hooks';

export default function Settings() {
  useLang();
  const doc = useApi<Doc>('/api/settings');
  const onSaved = (): void => undefined;
  // Settings › Fleet and the like: a link with #section opens the page at that section.
  useEffect(() => {
    if (doc.data && location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  }, [doc.data]);
  return (
    <Page title={t('title')}>
      {doc.error && <Notice kind="error">{doc.error.message}</Notice>}
      {doc.data && (
        <>
          <BoxSection doc={doc.data} onSaved={onSaved} />
          <TrunksSection doc={doc.data} onSaved={onSaved} />
          <UsersSection />
          <StaffSection />
          <ComplianceSection doc={doc.data} onSaved={onSaved} />
          <div id="fleet" class="settings-fleet">
            <FleetSection doc={doc.data} onSaved={onSaved} />
            <FleetClaim />
          </div>
          <EngineSection doc={doc.data} onSaved={onSaved} />
          <CertificateSection doc={doc.data} onSaved={onSaved} />
        </>
      )}
    </Page>
  );
}

// Settings (admins): the box, trunks and GSM gateways with a test call, users, compliance pack, fleet
// connection and call engine. Each section saves on its own; the box checks every field and nothing
// is written while any is wrong.
import { useApi } from '../../api.ts';
import { Notice, Page } from '../../components/index.ts';
import { useLang } from '../../i18n.ts';
import type { Doc } from './form.tsx';
import { t } from './messages.ts';
import { BoxSection, ComplianceSection, EngineSection, FleetSection } from './sections.tsx';
import { TrunksSection } from './trunks.tsx';
import { UsersSection } from './users.tsx';
import { CertificateSection } from './certificate.tsx';

export default function Settings() {
  useLang();
  const doc = useApi<Doc>('/api/settings');
  const onSaved = (): void => undefined;
  return (
    <Page title={t('title')}>
      {doc.error && <Notice kind="error">{doc.error.message}</Notice>}
      {doc.data && (
        <>
          <BoxSection doc={doc.data} onSaved={onSaved} />
          <TrunksSection doc={doc.data} onSaved={onSaved} />
          <UsersSection />
          <ComplianceSection doc={doc.data} onSaved={onSaved} />
          <FleetSection doc={doc.data} onSaved={onSaved} />
          <EngineSection doc={doc.data} onSaved={onSaved} />
          <CertificateSection doc={doc.data} onSaved={onSaved} />
        </>
      )}
    </Page>
  );
}

// Placeholder until the compliance page lands (owned by the UI-campaigns helper).
import { Page } from '../../components/index.ts';
import { t } from '../../messages.ts';

export default function Compliance() {
  return <Page title={t('nav.compliance')}><p>…</p></Page>;
}

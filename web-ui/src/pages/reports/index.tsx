// Placeholder until the reports page lands (owned by the UI-campaigns helper).
import { Page } from '../../components/index.ts';
import { t } from '../../messages.ts';

export default function Reports() {
  return <Page title={t('nav.reports')}><p>…</p></Page>;
}

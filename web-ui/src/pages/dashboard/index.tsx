import { Page } from '../../components/index.ts';
import { t } from '../../messages.ts';

export default function Dashboard() {
  return <Page title={t('nav.dashboard')}><p>…</p></Page>;
}

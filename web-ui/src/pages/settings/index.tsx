import { Page } from '../../components/index.ts';
import { t } from '../../messages.ts';

export default function Settings() {
  return <Page title={t('nav.settings')}><p>…</p></Page>;
}

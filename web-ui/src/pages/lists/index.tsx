import { Page } from '../../components/index.ts';
import { t } from '../../messages.ts';

export default function Lists() {
  return <Page title={t('nav.lists')}><p>…</p></Page>;
}

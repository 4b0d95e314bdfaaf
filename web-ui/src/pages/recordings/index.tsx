import { Page } from '../../components/index.ts';
import { t } from '../../messages.ts';

export default function Recordings() {
  return <Page title={t('nav.recordings')}><p>…</p></Page>;
}

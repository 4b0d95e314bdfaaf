// Campaigns: the list (/campaigns), the wizard (/campaigns/new, /campaigns/:id/edit) and one campaign's
// page with its preflight report, actions and live counters (/campaigns/:id).
import { matchPath, useRoute } from '../../router.ts';
import { useLang } from '../../i18n.ts';
import { CampaignList } from './campaign-list.tsx';
import { CampaignWizard } from './wizard.tsx';
import { CampaignDetail } from './campaign-detail.tsx';

export default function Campaigns() {
  useLang();
  const { path } = useRoute();
  if (path === '/campaigns/new') return <CampaignWizard />;
  const edit = matchPath('/campaigns/:id/edit', path);
  if (edit && /^\d+$/.test(edit.id!)) return <CampaignWizard editId={Number(edit.id)} />;
  const one = matchPath('/campaigns/:id', path);
  if (one && /^\d+$/.test(one.id!)) return <CampaignDetail id={Number(one.id)} />;
  return <CampaignList />;
}

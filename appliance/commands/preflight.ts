// `appliance preflight <campaign> [--pack P] [--json]`: how many contacts of a campaign would be called
// and how many are blocked, for which reason, under the pack in force (the campaign's own, else the settings default, or --pack).
import { SettingsStore } from '../config/settings.ts';
import { openStore } from '../store/db.ts';
import { CampaignsRepo, type CampaignRow } from '../store/campaigns-repo.ts';
import { AppError } from '../../core/errors.ts';
import { formatPreflight, preflight } from '../compliance/preflight.ts';
import { isPackId, PACK_IDS, type PackId } from '../compliance/packs.ts';
import { campaignPack } from '../compliance/gate.ts';
import type { CommandContext } from '../cli.ts';

const USAGE = 'appliance preflight <campaign id or name> [--pack us|ca|fr|uk|none] [--json] [--data DIR]';

export function findCampaign(repo: CampaignsRepo, ref: string): CampaignRow {
  const byName = repo.findByName(ref);
  if (byName) return byName;
  if (/^\d+$/.test(ref)) return repo.get(Number(ref));
  throw new AppError('E_NOT_FOUND', `no campaign named "${ref}"`, { campaign: ref });
}

export async function runPreflight(ctx: CommandContext): Promise<number> {
  const [ref, extra] = ctx.positionals;
  if (!ref || extra) throw new AppError('E_USAGE', `give exactly one campaign\nusage: ${USAGE}`);
  let forced: PackId | null = null;
  if (typeof ctx.values.pack === 'string') {
    if (!isPackId(ctx.values.pack)) throw new AppError('E_USAGE', `--pack: one of ${PACK_IDS.join(', ')}\nusage: ${USAGE}`, { option: 'pack' });
    forced = ctx.values.pack;
  }
  const settings = await new SettingsStore(SettingsStore.pathIn(ctx.dataDir)).load({ env: process.env });
  const db = openStore({ dir: ctx.dataDir });
  try {
    const campaign = findCampaign(new CampaignsRepo(db), ref);
    // As the running box does: with no real trunk enabled it dials the sandbox under the "none" pack.
    const sandboxBox = !settings.trunks.some((t) => t.enabled);
    const trunks = sandboxBox && !settings.trunks.some((t) => t.name === 'sandbox') ? [...settings.trunks, { name: 'sandbox', kind: 'sandbox' as const }] : settings.trunks;
    const pack = forced ?? campaignPack(campaign, settings.compliance.pack ?? (sandboxBox ? 'none' : null));
    const report = preflight(db, campaign, pack, { settings: { callerIds: settings.callerIds, trunks } });
    ctx.out(ctx.json ? JSON.stringify(report) : formatPreflight(report));
    return 0;
  } finally {
    db.close();
  }
}

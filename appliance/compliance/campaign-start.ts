// What must hold before a campaign may start: a pack chosen (explicitly, even "none") and every
// registry copy the pack requires for this purpose imported and fresh enough.
import type { Db } from '../store/db.ts';
import type { CampaignRow } from '../store/campaigns-repo.ts';
import { AppError } from '../errors.ts';
import { DncRepo } from '../store/compliance-dnc-repo.ts';
import { getPack, isPackId, type PackId, type RulePack } from './packs.ts';

const DAY = 86_400_000;

export interface StartProblem {
  code: 'no-compliance-pack' | 'registry-missing' | 'registry-stale';
  message: string;
  registry?: string;
}

function resolvePack(pack: RulePack | PackId | null | undefined): RulePack | null {
  if (pack && typeof pack === 'object') return pack;
  return isPackId(pack) ? getPack(pack) : null;
}

export function startProblems(db: Db, campaign: Pick<CampaignRow, 'config'>, packIn: RulePack | PackId | null | undefined, now = Date.now()): StartProblem[] {
  const pack = resolvePack(packIn);
  if (!pack) return [{ code: 'no-compliance-pack', message: 'no compliance pack is chosen: pick us, ca, fr, uk, or "none" explicitly in the settings (compliance.pack)' }];
  const purpose = campaign.config.purpose;
  if (pack.exemptPurposes.includes(purpose)) return [];
  const repo = new DncRepo(db);
  const out: StartProblem[] = [];
  for (const reg of pack.registries) {
    if (reg.purposes && !reg.purposes.includes(purpose)) continue;
    const copy = repo.registryCopy(reg.name);
    if (!copy) {
      out.push({ code: 'registry-missing', registry: reg.name, message: `no copy of the ${reg.name} registry is imported; ${purpose} calls under the ${pack.id} pack must be scrubbed against it (${reg.source})` });
      continue;
    }
    const ageDays = (now - copy.downloadedAt) / DAY;
    if (ageDays > reg.maxAgeDays) {
      out.push({ code: 'registry-stale', registry: reg.name, message: `the ${reg.name} copy was downloaded ${Math.floor(ageDays)} days ago; the ${pack.id} pack allows at most ${reg.maxAgeDays} days: import a fresh copy` });
    }
  }
  return out;
}

/** Throws E_COMPLIANCE with every reason when the campaign may not start. */
export function checkCampaignStart(db: Db, campaign: Pick<CampaignRow, 'config'> & { id?: number }, pack: RulePack | PackId | null | undefined, now = Date.now()): void {
  const problems = startProblems(db, campaign, pack, now);
  if (problems.length > 0) {
    throw new AppError('E_COMPLIANCE', `campaign${campaign.id ? ` ${campaign.id}` : ''} cannot start: ${problems.map((p) => p.message).join('; ')}`, {
      ...(campaign.id ? { campaign: campaign.id } : {}), reason: problems[0]!.code,
    });
  }
}

// What must hold before a campaign may start: a pack chosen (explicitly, even "none"), every registry
// copy the pack in force at the start requires for this purpose (only while and where the law requires
// the scrub) imported and fresh enough, a caller ID the box verified that
// passes the pack's checks, and a script that carries what the pack requires. On a campaign that only
// dials the sandbox (nothing reaches a real network) caller-ID and script problems are reported but do
// not block, so a newcomer's first campaign runs; on any real trunk they always block.
import type { Db } from '../store/db.ts';
import type { CampaignRow } from '../store/campaigns-repo.ts';
import type { Settings, TrunkProfile } from '../../core/settings-types.ts';
import { AppError } from '../../core/errors.ts';
import { DncRepo } from '../store/compliance-dnc-repo.ts';
import { getPack, isPackId, type PackId, type RulePack } from './packs.ts';
import { checkCallerId, type CallerIdProblem } from './caller-id.ts';
import type { StartProblem } from '../http/contract/compliance.ts';
import { checkScript, type ScriptDeclaration, type ScriptProblem } from './script-check.ts';

const DAY = 86_400_000;

export type { StartProblem, StartProblemCode } from '../http/contract/compliance.ts';


/** What the caller-ID and script checks need from the settings. */
export interface StartSettings {
  callerIds: Settings['callerIds'];
  trunks: Array<Pick<TrunkProfile, 'name' | 'kind'>>;
}

const EMPTY_SCRIPT: ScriptDeclaration = { identificationEndsMs: null, callbackNumber: null, optOutAnnouncedMs: null, voicemail: null };
const SANDBOX_NOTE = ' (not enforced: this campaign only dials the sandbox, where nothing reaches a real network; on a real trunk it blocks the start)';

/** A pack id is resolved at `now`: the rules in force at the instant of the start. */
function resolvePack(pack: RulePack | PackId | null | undefined, now: number): RulePack | null {
  if (pack && typeof pack === 'object') return pack;
  return isPackId(pack) ? getPack(pack, now) : null;
}

/** True when every trunk of the campaign is the simulated network. */
export function sandboxOnly(campaign: Pick<CampaignRow, 'config'>, settings: StartSettings): boolean {
  return campaign.config.trunks.length > 0 && campaign.config.trunks.every((n) => settings.trunks.find((t) => t.name === n)?.kind === 'sandbox');
}

/** At dial time: the caller ID is still listed and verified, or the campaign only dials the sandbox. */
export function callerIdPresentable(campaign: Pick<CampaignRow, 'config'>, settings: StartSettings): boolean {
  return sandboxOnly(campaign, settings) || settings.callerIds.some((c) => c.number === campaign.config.callerId && c.verified);
}

function registryProblems(db: Db, campaign: Pick<CampaignRow, 'config'>, pack: RulePack, now: number): StartProblem[] {
  const purpose = campaign.config.purpose;
  if (pack.exemptPurposes.includes(purpose)) return [];
  const repo = new DncRepo(db);
  const out: StartProblem[] = [];
  for (const reg of pack.registries) {
    if (reg.purposes && !reg.purposes.includes(purpose)) continue;
    const copy = repo.registryCopy(reg.name);
    if (!copy) {
      out.push({ code: 'registry-missing', registry: reg.name, pack: pack.id, packVersion: pack.version, purpose, blocking: true, message: `no copy of the ${reg.name} registry is imported; ${purpose} calls under the ${pack.id} pack (${pack.version}) must be scrubbed against it (${reg.source})` });
      continue;
    }
    const ageDays = (now - copy.downloadedAt) / DAY;
    if (ageDays > reg.maxAgeDays) {
      out.push({ code: 'registry-stale', registry: reg.name, pack: pack.id, packVersion: pack.version, purpose, ageDays: Math.floor(ageDays), maxAgeDays: reg.maxAgeDays, blocking: true, message: `the ${reg.name} copy was downloaded ${Math.floor(ageDays)} days ago; the ${pack.id} pack allows at most ${reg.maxAgeDays} days: import a fresh copy` });
    }
  }
  return out;
}

function callerIdAndScriptProblems(campaign: Pick<CampaignRow, 'config'>, pack: RulePack, settings: StartSettings): StartProblem[] {
  const cfg = campaign.config;
  const listed = settings.callerIds.find((c) => c.number === cfg.callerId);
  const found: Array<CallerIdProblem | ScriptProblem> = checkCallerId(pack, { callerId: cfg.callerId, purpose: cfg.purpose, verified: listed?.verified ?? false })
    .map((p) => p.code === 'caller-id-unverified' && !listed
      ? { ...p, listed: false, message: `caller ID ${cfg.callerId} is not one of the box's caller IDs: add it under Caller IDs and verify it with a call` }
      : p.code === 'caller-id-unverified'
        ? { ...p, listed: true, message: `caller ID ${cfg.callerId} has not been verified: start a verification call and type the code shown on the phone's keypad` }
        : p);
  found.push(...checkScript(pack, { purpose: cfg.purpose, optOutKey: cfg.menu.optOut, hasVoicemail: cfg.voicemail !== null && cfg.amd, script: cfg.script ?? EMPTY_SCRIPT })
    .map((p) => (cfg.script ? { ...p, scriptDeclared: true } : { ...p, scriptDeclared: false, message: `${p.message}; declare where the message says it (campaign field "script")` })));
  const sandbox = sandboxOnly(campaign, settings);
  return found.map((p) => ({ ...p, pack: pack.id, purpose: cfg.purpose, message: sandbox ? p.message + SANDBOX_NOTE : p.message, blocking: !sandbox }));
}

/**
 * Every reason the campaign may not start. Without `settings`, only the pack and the registry copies
 * are checked (unit tests of those rules); the box always passes its settings.
 */
export function startProblems(db: Db, campaign: Pick<CampaignRow, 'config'>, packIn: RulePack | PackId | null | undefined, now = Date.now(), settings?: StartSettings): StartProblem[] {
  const pack = resolvePack(packIn, now);
  if (!pack) return [{ code: 'no-compliance-pack', blocking: true, message: 'no compliance pack is chosen: pick us, ca, fr, uk, or "none" explicitly in the settings (compliance.pack) or in the campaign (pack)' }];
  return [...(settings ? callerIdAndScriptProblems(campaign, pack, settings) : []), ...registryProblems(db, campaign, pack, now)];
}

/**
 * Throws when the campaign may not start: E_CALLER_ID when its caller ID is not allowed (unverified,
 * invalid, out of range), else E_COMPLIANCE; the message lists every blocking reason, `fields` each one.
 */
export function checkCampaignStart(db: Db, campaign: Pick<CampaignRow, 'config'> & { id?: number }, pack: RulePack | PackId | null | undefined, now = Date.now(), settings?: StartSettings): void {
  const blocking = startProblems(db, campaign, pack, now, settings).filter((p) => p.blocking);
  if (blocking.length === 0) return;
  const callerId = blocking.find((p) => p.code.startsWith('caller-id-'));
  const first = callerId ?? blocking[0]!;
  const err = new AppError(callerId ? 'E_CALLER_ID' : 'E_COMPLIANCE', `campaign${campaign.id ? ` ${campaign.id}` : ''} cannot start: ${blocking.map((p) => p.message).join('; ')}`, {
    ...(campaign.id ? { campaign: campaign.id } : {}), reason: first.code, ...(callerId ? { callerId: campaign.config.callerId } : {}),
  });
  throw err.withFields(blocking.map((p) => ({ key: fieldOf(p.code), message: p.message })));
}

function fieldOf(code: StartProblem['code']): string {
  if (code.startsWith('caller-id-')) return 'config.callerId';
  if (code.startsWith('script-')) return 'config.script';
  if (code === 'no-compliance-pack') return 'config.pack';
  return 'registries';
}

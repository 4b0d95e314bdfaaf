// The compliance gate the dialer calls at dial time for every contact: it takes the campaign's pack as
// in force at that instant, holds calls back while a registry copy the law requires then is missing or
// too old, reads the facts, decides, writes every allow (with the exception that let it through) and
// every block to the audit log, and keeps the pack version that the attempt about to be written will carry.
import type { Db } from '../store/db.ts';
import type { DialGate, GateVerdict } from '../campaigns/dialer.ts';
import type { CampaignRow } from '../store/campaigns-repo.ts';
import { appendAudit } from '../store/compliance-audit-repo.ts';
import { allowReason, evaluate } from './evaluate.ts';
import { FactsReader } from './facts.ts';
import { dncHash } from './number-hash.ts';
import { getPack, type PackId, type RulePack } from './packs.ts';
import type { Purpose } from '../campaigns/model.ts';
import { zonesForNumber } from '../contacts/timezones.ts';

export interface ComplianceGateDeps {
  db: Db;
  /** The pack in force for a campaign (settings default, or the campaign's own); null = none chosen yet. */
  pack: (campaign?: CampaignRow) => PackId | null;
  /** The seller on whose behalf a campaign calls; consents are per seller. Default: config.seller, else ''. */
  seller?: (campaign: CampaignRow) => string;
  /**
   * Whether the campaign's caller ID may be presented now (verified, or a sandbox-only campaign). A
   * caller ID unverified or removed after the start holds calls back until it is verified again.
   */
  callerIdAllowed?: (campaign: CampaignRow) => boolean;
  /** Write allows and blocks to the audit log (deferrals are re-decided later). Default true. */
  audit?: boolean;
}

/** A pack missing from the settings holds calls back rather than blocking contacts for good. */
const NO_PACK_RETRY_MS = 10 * 60_000;
const DAY = 86_400_000;

export function defaultSeller(campaign: CampaignRow): string {
  return campaign.config.seller ?? '';
}

/** The pack in force for a campaign: its own (config.pack), else the settings default. */
export function campaignPack(campaign: Pick<CampaignRow, 'config'> | undefined, settingsDefault: PackId | null): PackId | null {
  return campaign?.config.pack ?? settingsDefault;
}

/**
 * While the law in force requires a scrub for this purpose, a registry copy at most maxAgeDays old must
 * be there (for campaign calls and staff calls alike).
 */
function registryHoldOf(db: Db): (pack: RulePack, purpose: Purpose, now: number) => 'registry-missing' | 'registry-stale' | null {
  const copyStmt = db.prepare('SELECT downloaded_at FROM dnc_registries WHERE name = ?').pluck();
  return (pack, purpose, now) => {
    for (const reg of pack.registries) {
      if (reg.purposes && !reg.purposes.includes(purpose)) continue;
      const at = copyStmt.get(reg.name) as number | undefined;
      if (at === undefined) return 'registry-missing';
      if (now - at > reg.maxAgeDays * DAY) return 'registry-stale';
    }
    return null;
  };
}

export function createComplianceGate(deps: ComplianceGateDeps): DialGate {
  const facts = new FactsReader(deps.db);
  const stamped = new Map<number, string>();
  const stampStmt = deps.db.prepare('INSERT INTO compliance_campaign_pack (campaign_id, pack, version) VALUES (?, ?, ?) ON CONFLICT (campaign_id) DO UPDATE SET pack = excluded.pack, version = excluded.version');
  const seller = deps.seller ?? defaultSeller;
  const audit = deps.audit ?? true;
  const holdFor = registryHoldOf(deps.db);
  const registryHold = (pack: RulePack, campaign: CampaignRow, now: number): 'registry-missing' | 'registry-stale' | null => holdFor(pack, campaign.config.purpose, now);
  return ({ campaign, contact, now }): GateVerdict => {
    const pack = getPack(deps.pack(campaign), now);
    if (!pack) return { allow: false, reason: 'no-compliance-pack', retryAt: now + NO_PACK_RETRY_MS };
    if (deps.callerIdAllowed && !deps.callerIdAllowed(campaign)) return { allow: false, reason: 'caller-id-unverified', retryAt: now + NO_PACK_RETRY_MS };
    if (!pack.exemptPurposes.includes(campaign.config.purpose)) {
      const hold = registryHold(pack, campaign, now);
      if (hold) return { allow: false, reason: hold, retryAt: now + NO_PACK_RETRY_MS };
    }
    const input = facts.input(pack, { e164: contact.e164, zones: contact.zones, purpose: campaign.config.purpose, seller: seller(campaign), contact: facts.contact(contact.contactId), now });
    const v = evaluate(pack, input);
    if (v.allow && stamped.get(campaign.id) !== pack.version) {
      stampStmt.run(campaign.id, pack.id, pack.version);
      stamped.set(campaign.id, pack.version);
    }
    if (audit && v.retryAt === undefined) {
      appendAudit(deps.db, {
        actor: 'gate', action: v.allow ? 'gate.allow' : 'gate.block', subject: `campaign:${campaign.id}/contact:${contact.contactId}`,
        details: {
          numberHash: dncHash(contact.e164), packVersion: v.packVersion, ...(v.reason ? { reason: v.reason } : {}), ...(v.rule ? { rule: v.rule } : {}),
          ...(v.exceptions ? { reason: allowReason(v.exceptions), exceptions: v.exceptions.map((e) => ({ lifts: e.lifts, rule: e.rule, kind: e.kind, source: e.source })) } : {}),
        }, now,
      });
    }
    return v.allow ? { allow: true } : { allow: false, reason: v.reason, ...(v.retryAt !== undefined ? { retryAt: v.retryAt } : {}) };
  };
}

/** One number a staff member dials through the box (issue 16), put to the campaigns' gate. */
export interface NumberCheck {
  pack: PackId | null;
  e164: string;
  purpose: Purpose;
  seller: string;
  /** The caller ID to present may be presented (verified). */
  callerIdAllowed: boolean;
  now: number;
}

export type NumberVerdict = { allow: true; packVersion: string } | { allow: false; reason: string; rule?: string; packVersion?: string };

/**
 * The campaign gate's decision for a number that is no campaign's contact (a staff call out): the same
 * pack in force, caller-ID rule, registry copies, internal do-not-call list, registries, consents,
 * caps, refusals and legal calling hours; a refusal "for now" (outside the hours) is a refusal here, as
 * a person is waiting on the line. The caller audits it.
 */
export function createNumberGate(db: Db): (q: NumberCheck) => NumberVerdict {
  const facts = new FactsReader(db);
  const hold = registryHoldOf(db);
  return (q) => {
    const pack = getPack(q.pack, q.now);
    if (!pack) return { allow: false, reason: 'no-compliance-pack' };
    if (!q.callerIdAllowed) return { allow: false, reason: 'caller-id-unverified', packVersion: pack.version };
    if (!pack.exemptPurposes.includes(q.purpose)) {
      const h = hold(pack, q.purpose, q.now);
      if (h) return { allow: false, reason: h, packVersion: pack.version };
    }
    const zones = zonesForNumber(q.e164)?.zones ?? [];
    const v = evaluate(pack, facts.input(pack, { e164: q.e164, zones, purpose: q.purpose, seller: q.seller, contact: { lineType: null, consent: null }, now: q.now }));
    if (v.allow) return { allow: true, packVersion: v.packVersion };
    return { allow: false, reason: v.reason ?? 'refused', ...(v.rule ? { rule: v.rule } : {}), packVersion: v.packVersion };
  };
}

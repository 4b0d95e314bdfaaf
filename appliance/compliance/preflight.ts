// Preflight: before a campaign starts, every contact of its list gets a verdict from the pack in
// force at that instant: callable now, callable later (window, caps: with the reason), or blocked (with
// the reason). Contacts held by a frequency cap or a refusal's cooling-off are listed with the date the
// hold lifts (counted from the attempts of every campaign of the box).
import type { Db } from '../store/db.ts';
import type { CampaignRow } from '../store/campaigns-repo.ts';
import { evaluate } from './evaluate.ts';
import { FactsReader } from './facts.ts';
import { getPack, type PackId } from './packs.ts';
import { startProblems, type StartSettings } from './campaign-start.ts';
import type { HeldContact, PreflightReport } from '../http/contract/compliance.ts';
import { defaultSeller } from './gate.ts';

/** At most this many held contacts are listed (all are counted); the text report shows fewer. */
export const HELD_LIST_MAX = 500;
const HELD_TEXT_MAX = 20;

export type { HeldContact, PreflightReport } from '../http/contract/compliance.ts';

export function preflight(db: Db, campaign: CampaignRow, packId: PackId | null, opts: { now?: number; seller?: string; settings?: StartSettings } = {}): PreflightReport {
  const t0 = performance.now();
  const now = opts.now ?? Date.now();
  const pack = getPack(packId, now);
  const report: PreflightReport = {
    campaignId: campaign.id, campaign: campaign.name, pack: packId, packVersion: pack?.version ?? null, purpose: campaign.config.purpose,
    contacts: 0, callable: 0, callableNow: 0, deferred: {}, blocked: {}, held: [], heldTotal: 0, startProblems: startProblems(db, campaign, pack, now, opts.settings), at: new Date(now).toISOString(), durationMs: 0,
  };
  const rows = db.prepare('SELECT id, e164, line_type AS lineType, timezones, consent FROM contacts WHERE list_id = ? ORDER BY id')
    .iterate(campaign.listId) as IterableIterator<{ id: number; e164: string; lineType: string; timezones: string; consent: string | null }>;
  const facts = new FactsReader(db);
  const seller = opts.seller ?? defaultSeller(campaign);
  const zoneCache = new Map<string, string[]>();
  const held: Array<Omit<HeldContact, 'until' | 'nextCallAt'> & { until: number; nextCallAt: number }> = [];
  for (const r of rows) {
    report.contacts++;
    if (!pack) {
      report.blocked['no-compliance-pack'] = (report.blocked['no-compliance-pack'] ?? 0) + 1;
      continue;
    }
    let zones = zoneCache.get(r.timezones);
    if (!zones) {
      zones = JSON.parse(r.timezones) as string[];
      zoneCache.set(r.timezones, zones);
    }
    const v = evaluate(pack, facts.input(pack, { e164: r.e164, zones, purpose: campaign.config.purpose, seller, contact: { lineType: r.lineType, consent: r.consent }, now }));
    if (v.allow) {
      report.callable++;
      report.callableNow++;
    } else if (v.retryAt !== undefined) {
      report.callable++;
      report.deferred[v.reason!] = (report.deferred[v.reason!] ?? 0) + 1;
      if ((v.reason === 'frequency-cap' || v.reason === 'refusal-cooldown') && v.heldUntil !== undefined) {
        report.heldTotal++;
        held.push({ contactId: r.id, e164: r.e164, reason: v.reason, rule: v.rule ?? '', until: v.heldUntil, nextCallAt: v.retryAt });
      }
    } else {
      report.blocked[v.reason!] = (report.blocked[v.reason!] ?? 0) + 1;
    }
  }
  held.sort((a, b) => a.until - b.until || a.contactId - b.contactId);
  report.held = held.slice(0, HELD_LIST_MAX).map((h) => ({ ...h, until: new Date(h.until).toISOString(), nextCallAt: new Date(h.nextCallAt).toISOString() }));
  report.durationMs = Math.round(performance.now() - t0);
  return report;
}

export function formatPreflight(r: PreflightReport): string {
  const lines = [
    `Preflight of campaign "${r.campaign}" (${r.campaignId}), purpose ${r.purpose}, pack ${r.pack ?? '(none chosen)'}${r.packVersion ? ` ${r.packVersion}` : ''}`,
    `  contacts:       ${r.contacts}`,
    `  would be called: ${r.callable} (${r.callableNow} now, ${r.callable - r.callableNow} later)`,
  ];
  for (const [k, n] of Object.entries(r.deferred)) lines.push(`    later, ${k}: ${n}`);
  if (r.heldTotal > 0) {
    const shown = r.held.slice(0, HELD_TEXT_MAX);
    lines.push(`  held by a cap or a cooling-off: ${r.heldTotal}${r.heldTotal > shown.length ? ` (the first ${shown.length} listed; --json lists up to ${HELD_LIST_MAX})` : ''}`);
    for (const h of shown) lines.push(`    ${h.e164}  ${h.reason} (${h.rule}) until ${h.until}, next call ${h.nextCallAt}`);
  }
  const blocked = Object.values(r.blocked).reduce((a, b) => a + b, 0);
  lines.push(`  blocked:        ${blocked}`);
  for (const [k, n] of Object.entries(r.blocked).sort((a, b) => b[1] - a[1])) lines.push(`    ${k}: ${n}`);
  const blocking = r.startProblems.filter((p) => p.blocking);
  const warnings = r.startProblems.filter((p) => !p.blocking);
  if (blocking.length > 0) {
    lines.push('  the campaign cannot start:');
    for (const p of blocking) lines.push(`    - ${p.message}`);
  }
  if (warnings.length > 0) {
    lines.push('  warnings:');
    for (const p of warnings) lines.push(`    - ${p.message}`);
  }
  return lines.join('\n');
}

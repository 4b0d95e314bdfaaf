// Rule packs as data, one per jurisdiction (packs/*.ts), each rule with the dates it is law and the
// text it comes from. `packAt(id, instant)` gives the rules in force at that instant, as one edition
// with its own version; the gate, the preflight and the start check all ask for the instant of the
// call. Adding a future change of the law is a data change with its date. Purpose x line type then
// select the rules that apply to a call (`inScope`).
import type { Purpose } from '../campaigns/model.ts';
import { localToEpoch } from '../campaigns/schedule.ts';
import type { InForce, LineType, PackDefinition, PackId, RulePack, Scope } from './pack-types.ts';
import { US } from './packs/us.ts';
import { CA } from './packs/ca.ts';
import { FR } from './packs/fr.ts';
import { UK } from './packs/uk.ts';
import { NONE } from './packs/none.ts';
import { PACK_IDS as CONTRACT_PACK_IDS } from '../http/contract/common.ts';
import { RULE_LISTS, type KnownChange, type PackSummary, type RuleChange, type RuleList } from '../http/contract/compliance.ts';

export * from './pack-types.ts';

export const PACK_IDS: PackId[] = [...CONTRACT_PACK_IDS];
export type { KnownChange, PackSummary, RuleChange, RuleList } from '../http/contract/compliance.ts';
export const PACKS: Record<PackId, PackDefinition> = { us: US, ca: CA, fr: FR, uk: UK, none: NONE };

export function isPackId(v: unknown): v is PackId {
  return typeof v === 'string' && (PACK_IDS as string[]).includes(v);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** 00:00 of a 'YYYY-MM-DD' day in a time zone, epoch ms. */
export function dayStart(date: string, tz: string): number {
  const m = DATE.exec(date);
  if (!m) throw new Error(`pack date "${date}": expected YYYY-MM-DD`);
  return localToEpoch(Number(m[1]), Number(m[2]), Number(m[3]), 0, tz);
}

type DatedRule = { inForce?: InForce; source: string };

function datedRules(def: PackDefinition): Array<{ list: RuleList; rule: DatedRule & { id?: string; name?: string } }> {
  return RULE_LISTS.flatMap((list) => (def[list] as DatedRule[]).map((rule) => ({ list, rule })));
}

interface Editions {
  /** The dated changes, in order: day and instant. */
  changes: Array<{ date: string; at: number }>;
  /** Resolved packs per edition index (0: before the first change), built on first use. */
  packs: Array<RulePack | undefined>;
}

const editionsCache = new WeakMap<PackDefinition, Editions>();

function editionsOf(def: PackDefinition): Editions {
  let e = editionsCache.get(def);
  if (!e) {
    const dates = new Set<string>();
    for (const { rule } of datedRules(def)) {
      if (rule.inForce?.from) dates.add(rule.inForce.from);
      if (rule.inForce?.until) dates.add(rule.inForce.until);
    }
    const changes = [...dates].sort().map((date) => ({ date, at: dayStart(date, def.legalZone) }));
    e = { changes, packs: new Array(changes.length + 1) };
    editionsCache.set(def, e);
  }
  return e;
}

function inForceAt(f: InForce | undefined, def: PackDefinition, at: number): boolean {
  if (f?.from && at < dayStart(f.from, def.legalZone)) return false;
  if (f?.until && at >= dayStart(f.until, def.legalZone)) return false;
  return true;
}

function resolve(def: PackDefinition, e: Editions, index: number): RulePack {
  // Any instant inside the edition decides which rules are in force (they only change at its edges).
  const from = index > 0 ? e.changes[index - 1]! : null;
  const until = index < e.changes.length ? e.changes[index]! : null;
  const probe = from ? from.at : until ? until.at - 1 : 0;
  const keep = <T extends DatedRule>(rules: T[]): T[] => rules.filter((r) => inForceAt(r.inForce, def, probe));
  const revocation = keep(def.revocation);
  const version = e.changes.length === 0 ? def.revision : `${def.revision}@${from ? from.date : `before-${e.changes[0]!.date}`}`;
  return {
    ...def,
    windows: keep(def.windows), caps: keep(def.caps), refusal: keep(def.refusal), consent: keep(def.consent),
    registries: keep(def.registries), restricted: keep(def.restricted), revocation: revocation[0] ?? null,
    version, edition: { from: from?.date ?? null, until: until?.date ?? null },
  };
}

/** The pack's rules in force at an instant (one edition between two dated changes). */
export function packAt(p: PackId | PackDefinition, at: number): RulePack {
  const def = typeof p === 'string' ? PACKS[p] : p;
  const e = editionsOf(def);
  let index = 0;
  while (index < e.changes.length && at >= e.changes[index]!.at) index++;
  return (e.packs[index] ??= resolve(def, e, index));
}

/** The pack in force for a setting at an instant; null when none was chosen (then nothing is dialled). */
export function getPack(id: PackId | null | undefined, at: number): RulePack | null {
  return id ? packAt(id, at) : null;
}

/** Every dated change written in a pack, oldest first, with the rules it starts and ends. */
export function knownChanges(p: PackId | PackDefinition): KnownChange[] {
  const def = typeof p === 'string' ? PACKS[p] : p;
  const rules = datedRules(def);
  const ref = (list: RuleList, r: DatedRule & { id?: string; name?: string }): RuleChange => ({ list, id: r.id ?? r.name ?? '', source: r.source });
  return editionsOf(def).changes.map(({ date, at }) => ({
    date, at,
    starts: rules.filter(({ rule }) => rule.inForce?.from === date).map(({ list, rule }) => ref(list, rule)),
    ends: rules.filter(({ rule }) => rule.inForce?.until === date).map(({ list, rule }) => ref(list, rule)),
    version: packAt(def, at).version,
  }));
}

export function packSummary(p: PackId | PackDefinition, at: number): PackSummary {
  const changes = knownChanges(p);
  const past = changes.filter((c) => c.at <= at);
  return { ...packAt(p, at), previousChange: past[past.length - 1] ?? null, nextChange: changes.find((c) => c.at > at) ?? null, changes };
}

/** Whether a rule's scope covers this call. Unknown and VoIP lines match both mobile and fixed rules (the stricter reading). */
export function inScope(scope: Scope, purpose: Purpose, lineType: LineType): boolean {
  if (scope.purposes && !scope.purposes.includes(purpose)) return false;
  if (scope.lineTypes && (lineType === 'mobile' || lineType === 'fixed') && !scope.lineTypes.includes(lineType)) return false;
  return true;
}

const DAY = 86_400_000;

/**
 * The latest instant the law allows for honouring a revocation received at `now` (business days skip
 * Saturdays and Sundays in the pack's legal zone; public holidays are not skipped, which only makes the
 * deadline earlier). Without a revocation rule: `now` (at once).
 */
export function revocationDeadline(pack: RulePack, now: number): number {
  const d = pack.revocation?.deadline;
  if (!d || d.days <= 0) return now;
  if (!d.businessDays) return now + d.days * DAY;
  let at = now;
  let left = d.days;
  while (left > 0) {
    at += DAY;
    const wd = new Intl.DateTimeFormat('en-US', { timeZone: pack.legalZone, weekday: 'short' }).format(at);
    if (wd !== 'Sat' && wd !== 'Sun') left--;
  }
  return at;
}

/**
 * How a revocation received at `now` applies: its deadline, and whether a purpose given narrows it
 * (`purpose`) or it withdraws every consent to the seller (`seller`: no purpose given, or the pack in
 * force says so, e.g. the US "revoke all" rule from 2027-01-31).
 */
export function revocationTerms(pack: RulePack | null, now: number, purpose?: string): { deadline: number; scope: 'purpose' | 'seller'; purpose?: string } {
  const deadline = pack ? revocationDeadline(pack, now) : now;
  if (!purpose || pack?.revocation?.scope === 'seller') return { deadline, scope: 'seller' };
  return { deadline, scope: 'purpose', purpose };
}

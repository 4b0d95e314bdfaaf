// The shape of a rule pack. A pack is written once as a definition whose rules carry the dates they
// are law (`inForce`); `packAt()` (packs.ts) resolves the definition at an instant into the rules in
// force then, with a version that names that edition. Every rule names the text and article it comes
// from (`source`); SOURCES.md says in words what each rule takes from its text.
// The shapes themselves are written once in the API contract (appliance/http/contract/compliance.ts),
// because the compliance page shows every rule as the API sends it.
import { CONSENT_KINDS as KINDS, type ConsentKind } from '../http/contract/compliance.ts';

export type {
  CallerIdRule, CapRule, ConsentException, ConsentKind, ConsentRule, InForce, PackDefinition, RefusalRule, RegistryRule,
  RestrictedRule, RevocationRule, RulePack, Scope, ScriptRule, WindowRule,
} from '../http/contract/compliance.ts';
export type { PackId } from '../http/contract/common.ts';
export type { LineType } from '../http/contract/lists.ts';

export const CONSENT_KINDS: readonly ConsentKind[] = KINDS;

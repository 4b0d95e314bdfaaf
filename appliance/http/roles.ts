// Web UI roles: viewer can read; operator can also run campaigns and import lists; admin can also
// change settings and users. Each role includes the ones below it.
import type { Settings } from '../../core/settings-types.ts';

export type Role = Settings['users'][number]['role'];

export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

export function roleAllows(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

export function isRole(v: unknown): v is Role {
  return v === 'viewer' || v === 'operator' || v === 'admin';
}

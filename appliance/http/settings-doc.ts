// The settings document as the API shows and takes it: secrets redacted on the way out and restored
// on the way in (so a GET-edit-PUT round trip keeps them), and RFC 7396 merge patches.
import { defaultSettings } from '../config/defaults.ts';
import type { Settings } from '../../core/settings-types.ts';
import type { FieldError } from '../../core/errors.ts';

export const REDACTED = '[redacted]';
// A desk phone's digest HA1 (users[].deskPhone.ha1, issue 16) is as good as its password to a SIP peer.
const SECRET_KEY = /password|secret|ha1/i;

type Json = unknown;
type Obj = Record<string, Json>;

function isObj(v: Json): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A copy with every password, hash and secret replaced by "[redacted]". */
export function redactSettings(doc: Settings): Obj {
  const walk = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isObj(v)) return v;
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) out[k] = SECRET_KEY.test(k) && typeof x === 'string' ? REDACTED : walk(x);
    return out;
  };
  return walk(doc) as Obj;
}

// Array items are matched by their name (trunks) or username (users), so reordering keeps secrets.
function identity(item: Json): string | null {
  if (!isObj(item)) return null;
  if (typeof item.name === 'string') return `name:${item.name}`;
  if (typeof item.username === 'string') return `user:${item.username}`;
  return null;
}

/** Puts stored secrets back where the client sent "[redacted]"; a redacted secret with no stored value is an error. */
export function restoreSecrets(next: Obj, stored: Settings): FieldError[] {
  const errors: FieldError[] = [];
  const walk = (v: Json, old: Json, path: string[]): Json => {
    if (Array.isArray(v)) {
      const olds = Array.isArray(old) ? old : [];
      return v.map((item, i) => {
        const id = identity(item);
        const match = id === null ? olds[i] : olds.find((o) => identity(o) === id);
        return walk(item, match, [...path, String(i)]);
      });
    }
    if (!isObj(v)) return v;
    const oldObj = isObj(old) ? old : {};
    for (const [k, x] of Object.entries(v)) {
      if (x === REDACTED && SECRET_KEY.test(k)) {
        if (typeof oldObj[k] === 'string') v[k] = oldObj[k];
        else errors.push({ key: [...path, k].join('.'), message: 'give the real value: nothing is stored to keep' });
      } else {
        v[k] = walk(x, oldObj[k], [...path, k]);
      }
    }
    return v;
  };
  walk(next, stored, []);
  return errors;
}

/**
 * RFC 7396 merge patch. One deliberate difference: the settings document has no removable keys where the
 * defaults have one, so there `null` sets the value to null (e.g. defaultTrunk) instead of deleting the key.
 */
export function mergePatch(target: Json, patch: Json, defaults: Json = defaultSettings()): Json {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  const defs = isObj(defaults) ? defaults : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      if (k in defs) out[k] = null;
      else delete out[k];
    } else {
      out[k] = mergePatch(out[k], v, defs[k]);
    }
  }
  return out;
}

/** Users are changed through /api/users; a settings PUT may carry them only unchanged. */
export function usersChanged(next: Obj, stored: Settings): boolean {
  if (!('users' in next)) return false;
  const list = next.users;
  if (!Array.isArray(list) || list.length !== stored.users.length) return true;
  return list.some((u, i) => !isObj(u) || u.username !== stored.users[i]!.username || u.role !== stored.users[i]!.role);
}

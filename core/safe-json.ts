// Parsing untrusted JSON (MQTT payloads, provision.json, uploads' metadata, desired configuration,
// fleet commands) with the keys that reach an object's prototype refused. JSON.parse itself makes
// `__proto__` an ordinary own property, but any later merge or copy (`target[k] = v`, a recursive
// merge) walks into Object.prototype through it and changes every object of the process.
// This module imports nothing, so any layer (provisioning, media, the doors) can use it.

/** Keys refused anywhere in untrusted JSON. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A prototype key was found; `field` is its dotted path from the root (e.g. `settings.sip.__proto__`). */
export class UnsafeJsonError extends Error {
  constructor(readonly field: string, readonly key: string) {
    super(`field "${field}": the key "${key}" is not allowed (it could reach the object prototype)`);
    this.name = 'UnsafeJsonError';
  }
}

/**
 * The dotted path of the first prototype key in a parsed value, or null. Walked with an explicit
 * stack, so a deeply nested document cannot overflow the call stack.
 */
export function findPrototypeKey(value: unknown, root = ''): { field: string; key: string } | null {
  const stack: Array<{ v: unknown; path: string }> = [{ v: value, path: root }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: path ? `${path}.${i}` : String(i) });
      continue;
    }
    const keys = Object.keys(v);
    for (const k of keys) {
      if (PROTOTYPE_KEYS.has(k)) return { field: path ? `${path}.${k}` : k, key: k };
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i]!;
      stack.push({ v: (v as Record<string, unknown>)[k], path: path ? `${path}.${k}` : k });
    }
  }
  return null;
}

/** Throws UnsafeJsonError naming the first prototype key found under `root`. */
export function assertNoPrototypeKeys(value: unknown, root = ''): void {
  const found = findPrototypeKey(value, root);
  if (found) throw new UnsafeJsonError(found.field, found.key);
}

/**
 * JSON.parse for untrusted text: a syntax error is thrown as SyntaxError (as JSON.parse does), a
 * prototype key as UnsafeJsonError with its path.
 */
export function parseJsonSafe(text: string, root = ''): unknown {
  const value: unknown = JSON.parse(text);
  assertNoPrototypeKeys(value, root);
  return value;
}

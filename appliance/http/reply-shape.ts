// The shape fastify writes a reply with, taken from the contract's reply schema. fastify serialises a
// reply with a function built from its schema when the route is registered; but where the schema has an
// `anyOf`/`oneOf`, that function asks an Ajv validator which branch the value matches, and Ajv compiles
// the route's WHOLE reply schema on the first reply that reaches the union. For the campaign view (a
// retry rule's `delayMs` is a number or "next-day") that was 45-85 ms of CPU in one block, paid by the
// first GET of a campaign after each boot, typically while a campaign starts and calls are live (bench/scale,
// issue 19); the error body's `params` (a string or a number) cost the same on the first error reply.
// A union of plain values needs no validator to be written: a value is written by its own JSON type. So
// the reply schema a route is given to serialise with writes such a union as a list of types
// (`{type: ['number', 'string']}`), which fastify's serialiser handles with a `typeof` test. The route's
// contract, its validation of requests and the OpenAPI document (3.0, where a list of types does not
// exist) keep the union as declared.

type Schema = Record<string, unknown>;

const SCALARS = new Set(['string', 'number', 'integer', 'boolean', 'null']);

/** The JSON types of a union's branches when each is a plain value (no object, no array), else null. */
function scalarTypes(branches: unknown): string[] | null {
  if (!Array.isArray(branches) || branches.length === 0) return null;
  const types = new Set<string>();
  for (const b of branches) {
    if (typeof b !== 'object' || b === null) return null;
    const s = b as Schema;
    if (s.anyOf !== undefined || s.oneOf !== undefined || s.allOf !== undefined || s.if !== undefined || s.$ref !== undefined) return null;
    let declared = s.type;
    if (declared === undefined && s.const !== undefined) declared = s.const === null ? 'null' : typeof s.const;
    if (declared === undefined && Array.isArray(s.enum) && s.enum.length > 0) declared = [...new Set(s.enum.map((v) => (v === null ? 'null' : typeof v)))];
    const list = Array.isArray(declared) ? declared : [declared];
    for (const t of list) {
      if (typeof t !== 'string' || !SCALARS.has(t)) return null;
      types.add(t);
    }
    if (s.nullable === true) types.add('null');
  }
  // An integer is a number: a union of both is written as a number (as is, never rounded).
  if (types.has('number')) types.delete('integer');
  return [...types];
}

/**
 * A copy of a reply schema in which every union of plain values is a list of types; the rest, shared
 * sub-schemas included, is left as it is (never changed in place: the contract's objects are shared).
 */
export function replyShape<T>(schema: T): T {
  if (Array.isArray(schema)) {
    let changed = false;
    const out = schema.map((x) => {
      const y = replyShape(x);
      if (y !== x) changed = true;
      return y;
    });
    return (changed ? out : schema) as T;
  }
  if (typeof schema !== 'object' || schema === null) return schema;
  const s = schema as Schema;
  for (const key of ['anyOf', 'oneOf'] as const) {
    const types = s[key] === undefined ? null : scalarTypes(s[key]);
    if (types) {
      const { [key]: _union, ...rest } = s;
      return { ...rest, type: types.length === 1 ? types[0] : types } as T;
    }
  }
  let out: Schema | null = null;
  for (const [k, v] of Object.entries(s)) {
    const w = replyShape(v);
    if (w !== v) (out ??= { ...s })[k] = w;
  }
  return (out ?? schema) as T;
}

/** Whether writing a value of this reply schema would need a validator (a union or a condition is left). */
export function needsValidator(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.some(needsValidator);
  if (typeof schema !== 'object' || schema === null) return false;
  const s = schema as Schema;
  if (s.anyOf !== undefined || s.oneOf !== undefined || (s.if !== undefined && (s.then !== undefined || s.else !== undefined))) return true;
  return Object.values(s).some(needsValidator);
}

// Building blocks of the API contract. TypeBox schemas are plain JSON Schema (what fastify validates and
// serialises with, and what the OpenAPI document shows) that also carry their TypeScript type
// (`Static<typeof X>`), so a shape is written once for the route, the handler and the web UI.
import { Type, type SchemaOptions, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

export { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * `T | null`, written the OpenAPI 3.0 way (`nullable: true`), which fastify's validator and serialiser
 * both understand; TypeBox's own `Type.Union([T, Type.Null()])` would need OpenAPI 3.1.
 */
export function Nullable<T extends TSchema>(schema: T, options: SchemaOptions = {}): TUnsafe<Static<T> | null> {
  const enumValues = (schema as { enum?: unknown[] }).enum;
  return Type.Unsafe<Static<T> | null>({ ...schema, ...(enumValues ? { enum: [...enumValues, null] } : {}), ...options, nullable: true });
}

/** A string out of a fixed list, as `{type: 'string', enum: [...]}` (TypeBox's union of literals reads worse in OpenAPI). */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** Counts by a key (outcome, reason, state...). */
export const Counts = Type.Record(Type.String(), Type.Integer());

/** `{ok: true}`: the reply of a deletion or a change that has nothing else to say. */
export const Ok = Type.Object({ ok: Type.Boolean() });
export type Ok = Static<typeof Ok>;

/** `:id` of a numbered resource (campaign, list). */
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
export type IdParams = Static<typeof IdParams>;

/** A reply that is a file, not JSON (CSV, XLSX, WAV). */
export const Binary = Type.String({ format: 'binary' });

// The fields a personalised message can use for a contact: every column of the list kept at import,
// plus the contact's name and its parts.

/** Tokens every contact has, whatever the list's columns. */
export const PERSONAL_TOKENS = ['name', 'first_name', 'last_name'] as const;

/**
 * `name` is what the import kept (first and last name joined); first_name is its first word and
 * last_name the rest, which is right for "Marie Dupont" and approximate for compound names.
 */
export function personalFields(fields: Record<string, string>): Record<string, string> {
  const name = (fields.name ?? '').trim();
  const space = name.indexOf(' ');
  return {
    ...fields,
    name,
    first_name: fields.first_name ?? (space > 0 ? name.slice(0, space) : name),
    last_name: fields.last_name ?? (space > 0 ? name.slice(space + 1) : ''),
  };
}

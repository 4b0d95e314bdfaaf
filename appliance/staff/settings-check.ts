// What the schema cannot say about the staff and inbound settings (issue 16): groups name users who
// take calls, ranges read as CIDR, opening hours run forwards, the inbound keys differ, the inbound
// staff group exists. Each problem names its key.
import type { FieldError } from '../../core/errors.ts';
import type { Settings } from '../../core/settings-types.ts';
import { parseRange } from './ranges.ts';

export function staffSettingsErrors(s: Settings): FieldError[] {
  const errors: FieldError[] = [];
  const users = new Map(s.users.map((u) => [u.username, u]));
  const groups = new Set<string>();
  s.staff.groups.forEach((g, i) => {
    if (groups.has(g.name)) errors.push({ key: `staff.groups.${i}.name`, message: `duplicate group name "${g.name}"` });
    groups.add(g.name);
    g.members.forEach((m, j) => {
      const u = users.get(m);
      if (!u) errors.push({ key: `staff.groups.${i}.members.${j}`, message: `no user named "${m}"` });
      else if (!u.takeCalls) errors.push({ key: `staff.groups.${i}.members.${j}`, message: `user "${m}" does not take calls (allow it first)` });
    });
  });
  s.staff.deskPhoneRanges.forEach((r, i) => {
    const p = parseRange(r);
    if (typeof p === 'string') errors.push({ key: `staff.deskPhoneRanges.${i}`, message: p });
  });
  const dup = s.staff.transferNumbers.findIndex((n, i) => s.staff.transferNumbers.indexOf(n) !== i);
  if (dup >= 0) errors.push({ key: `staff.transferNumbers.${dup}`, message: `"${s.staff.transferNumbers[dup]}" is listed twice` });
  if (s.inbound.optOutKey === s.inbound.staffKey) errors.push({ key: 'inbound.staffKey', message: `must differ from inbound.optOutKey (${s.inbound.optOutKey}), the do-not-call key` });
  if (s.inbound.staffGroup !== null && !groups.has(s.inbound.staffGroup)) errors.push({ key: 'inbound.staffGroup', message: `no staff group named "${s.inbound.staffGroup}"` });
  s.inbound.openingHours.forEach((h, i) => {
    if (h.from >= h.to) errors.push({ key: `inbound.openingHours.${i}.from`, message: `"from" (${h.from}) must come before "to" (${h.to})` });
  });
  return errors;
}

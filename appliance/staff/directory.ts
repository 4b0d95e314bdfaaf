// The StaffDirectory the engine asks on every REGISTER and every softphone connection (issue 16): the
// domain decides who may be a staff endpoint, the engine keeps no users. Read from the settings in force
// at each question, so a change (a user no longer taking calls, a range removed) holds at once.
import type { StaffDirectory } from '../../core/call-port.ts';
import type { Settings, StaffUser } from '../../core/settings-types.ts';

type StaffView = Pick<Settings, 'users' | 'staff'>;

/** A user allowed to take calls. */
export function takesCalls(u: StaffUser | undefined): u is StaffUser {
  return Boolean(u?.takeCalls);
}

export class SettingsStaffDirectory implements StaffDirectory {
  constructor(private readonly settings: () => StaffView) {}

  deskPhoneHa1(user: string, realm: string): string | null {
    const s = this.settings();
    const u = s.users.find((x) => x.username === user);
    if (!takesCalls(u) || !u.deskPhone) return null;
    // A secret set under another realm cannot be checked under this one (the admin sets it again).
    if (u.deskPhone.realm !== realm || realm !== s.staff.sipRealm) return null;
    return u.deskPhone.ha1;
  }

  deskPhoneRanges(): string[] {
    return [...this.settings().staff.deskPhoneRanges];
  }

  /** May this user open a softphone (a web session of a user allowed to take calls)? */
  mayTakeCalls(user: string): boolean {
    return takesCalls(this.settings().users.find((x) => x.username === user));
  }
}

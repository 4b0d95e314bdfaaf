// Staff and calls coming in (issue 16): the staff groups, the desk phones' ranges, the organisation's own
// numbers for transfers, whether staff may call out or listen in (both off by default), the inbound flow's
// settings; and per user, whether they take calls and their desk phone's secret (kept as its digest HA1
// only). Audited by the names of what changed, never a secret.
import { AppError, type FieldError } from '../../core/errors.ts';
import type { InboundSettings, Settings, StaffSettings } from '../../core/settings-types.ts';
import { DESK_PHONE_PASSWORD_MIN, digestHa1 } from '../staff/ha1.ts';
import { defineAction, type ActionEnv, type SettingsPort } from './action.ts';
import { changedPaths } from './audit-diff.ts';
import { numberFromText } from '../compliance/dnc-file.ts';

function store(env: ActionEnv): SettingsPort {
  if (!env.settings) throw new AppError('E_CONFIG_WRITE', 'this box takes no settings changes here');
  return env.settings;
}

const username = { type: 'string', pattern: '^[A-Za-z0-9_.@-]{1,64}$' } as const;

/** The staff and inbound parts of the settings, changed together (each key given replaces its value). */
export const staffSettings = defineAction({
  name: 'staff.settings', role: 'admin', doors: ['http'],
  input: {
    type: 'object', additionalProperties: false,
    properties: { staff: { type: 'object' }, inbound: { type: 'object' } },
  },
  run: async (env, i: { staff?: Partial<StaffSettings>; inbound?: Partial<InboundSettings> }) => {
    if (!i.staff && !i.inbound) throw new AppError('E_REQUEST_INVALID', 'give "staff" or "inbound" settings to change', { field: 'staff' }, { fields: [{ key: 'staff', message: 'is required' }] });
    const s = store(env);
    const before = s.stored();
    // The settings' schema and checks name the offending key (staff.groups.0.members.1, ...).
    const after = await s.update((d) => {
      // The organisation's own numbers may be typed as dialled in the box's country, like caller IDs; kept in E.164.
      const wrong: FieldError[] = [];
      const staff = i.staff?.transferNumbers ? { ...i.staff, transferNumbers: ownNumbers(i.staff.transferNumbers, 'staff.transferNumbers', d.box.country, wrong) } : i.staff;
      const inbound = i.inbound?.numbers ? { ...i.inbound, numbers: ownNumbers(i.inbound.numbers, 'inbound.numbers', d.box.country, wrong) } : i.inbound;
      if (wrong.length > 0) {
        throw new AppError('E_CONFIG_INVALID', `setting ${wrong[0]!.key}: ${wrong[0]!.message}${wrong.length > 1 ? ` (and ${wrong.length - 1} more)` : ''}`, { key: wrong[0]!.key }, { fields: wrong });
      }
      if (staff) d.staff = { ...d.staff, ...staff } as StaffSettings;
      if (inbound) d.inbound = { ...d.inbound, ...inbound } as InboundSettings;
    });
    return { changed: changedPaths(pick(before), pick(after)), staff: after.staff, inbound: after.inbound };
  },
  // Names of what changed; the two switches that widen what staff may do are shown with their value.
  audit: (_i, r) => ({ subject: 'settings', details: { changed: r.changed, outboundCalls: r.staff.outboundCalls, listenIn: r.staff.listenIn } }),
  subject: () => 'settings',
});

/** Numbers as typed (international, or national in `country`) in E.164; each one not read is noted under its key. */
function ownNumbers(list: unknown, key: string, country: string, wrong: FieldError[]): string[] {
  if (!Array.isArray(list)) return list as string[];
  return list.map((v, n) => {
    const text = typeof v === 'string' ? v : '';
    const e164 = text.trim() ? numberFromText(text, country) : null;
    if (e164) return e164;
    const shown = text.slice(0, 40);
    wrong.push({
      key: `${key}.${n}`, rule: text.trim() ? 'phone' : 'phone-missing', params: { ...(text.trim() ? { phone: shown } : {}), country },
      message: `${text.trim() ? `"${shown}" is not a phone number` : 'a phone number is needed'}; type it as dialled in ${country} or in international format, with + and the country code`,
    });
    return text;
  });
}

function pick(s: Settings): Pick<Settings, 'staff' | 'inbound'> {
  return { staff: s.staff, inbound: s.inbound } as Pick<Settings, 'staff' | 'inbound'>;
}

/**
 * Whether a user takes calls, and their desk phone's SIP password (kept only as HA1 in the current realm;
 * null removes it). A user who stops taking calls leaves every staff group.
 */
export const userStaff = defineAction({
  name: 'user.staff', role: 'admin', doors: ['http'],
  input: {
    type: 'object', required: ['username'], additionalProperties: false,
    properties: { username, takeCalls: { type: 'boolean' }, deskPhonePassword: { type: ['string', 'null'], minLength: DESK_PHONE_PASSWORD_MIN, maxLength: 128 } },
  },
  run: async (env, i: { username: string; takeCalls?: boolean; deskPhonePassword?: string | null }) => {
    if (i.takeCalls === undefined && i.deskPhonePassword === undefined) {
      throw new AppError('E_REQUEST_INVALID', 'give takeCalls or deskPhonePassword', { field: 'takeCalls' }, { fields: [{ key: 'takeCalls', message: 'give takeCalls or deskPhonePassword' }] });
    }
    let leftGroups: string[] = [];
    const after = await store(env).update((d) => {
      const u = d.users.find((x) => x.username === i.username);
      if (!u) throw new AppError('E_NOT_FOUND', `No user named "${i.username}".`, { username: i.username });
      if (i.takeCalls !== undefined) u.takeCalls = i.takeCalls;
      if (i.deskPhonePassword === null) delete u.deskPhone;
      else if (i.deskPhonePassword !== undefined) u.deskPhone = { realm: d.staff.sipRealm, ha1: digestHa1(u.username, d.staff.sipRealm, i.deskPhonePassword) };
      if (!u.takeCalls) {
        leftGroups = d.staff.groups.filter((g) => g.members.includes(u.username)).map((g) => g.name);
        for (const g of d.staff.groups) g.members = g.members.filter((m) => m !== u.username);
      }
    });
    const u = after.users.find((x) => x.username === i.username)!;
    return { username: u.username, takeCalls: Boolean(u.takeCalls), deskPhone: Boolean(u.deskPhone), leftGroups };
  },
  audit: (i, r) => ({ subject: `user:${r.username}`, details: { takeCalls: r.takeCalls, deskPhone: r.deskPhone, deskPhoneSecretChanged: i.deskPhonePassword !== undefined, ...(r.leftGroups.length ? { leftGroups: r.leftGroups } : {}) } }),
  subject: (i) => (typeof i?.username === 'string' ? `user:${i.username}` : null),
});

export const STAFF_ACTIONS = [staffSettings, userStaff];

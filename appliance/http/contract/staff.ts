// Staff who take calls and calls coming in (issue 16): the groups a flow's transfer rings, the desk
// phones' ranges, the organisation's own numbers, the inbound flow's settings, who takes calls, and the
// staff endpoints registered now. A desk phone's secret goes in, never out (the box keeps its HA1 only).
import { Nullable, StringEnum, Type, type Static } from './kit.ts';

const E164 = Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' });
const HHMM = Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$' });
const KEY = Type.String({ pattern: '^[0-9*#]$' });

export const StaffGroup = Type.Object({
  name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$' }),
  members: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 200 }),
  strategy: StringEnum(['ring-all', 'longest-idle'] as const),
}, { additionalProperties: false });

export const StaffPart = Type.Object({
  groups: Type.Array(StaffGroup, { maxItems: 50 }),
  deskPhoneRanges: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64, description: 'CIDR ranges desk phones may register from; empty: none' }),
  sipRealm: Type.String({ minLength: 1, maxLength: 128 }),
  transferNumbers: Type.Array(E164, { maxItems: 200, description: "the organisation's own numbers a flow may transfer to; no other external number" }),
  outboundCalls: Type.Boolean({ description: 'staff endpoints may call out through the box (default off)' }),
  listenIn: Type.Boolean({ description: 'an admin may listen in on a live call, audited (default off)' }),
}, { additionalProperties: false });

export const InboundPart = Type.Object({
  enabled: Type.Boolean(),
  numbers: Type.Array(E164, { maxItems: 100 }),
  greeting: Type.String({ minLength: 1, maxLength: 500 }),
  voice: Type.String({ minLength: 1, maxLength: 40 }),
  recentDays: Type.Integer({ minimum: 1, maximum: 90 }),
  optOutKey: KEY,
  staffKey: KEY,
  staffGroup: Nullable(Type.String()),
  openingHours: Type.Array(Type.Object({ days: Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { minItems: 1, maxItems: 7 }), from: HHMM, to: HHMM }, { additionalProperties: false }), { maxItems: 20 }),
  waitMs: Type.Integer({ minimum: 5000, maximum: 300000 }),
}, { additionalProperties: false });

// Numbers in: as dialled in the box's country or international (the action stores them in E.164).
const TypedNumber = Type.String({ maxLength: 40 });
const StaffPartIn = Type.Composite([Type.Omit(StaffPart, ['transferNumbers']), Type.Object({ transferNumbers: Type.Array(TypedNumber, { maxItems: 200 }) })], { additionalProperties: false });
const InboundPartIn = Type.Composite([Type.Omit(InboundPart, ['numbers']), Type.Object({ numbers: Type.Array(TypedNumber, { maxItems: 100 }) })], { additionalProperties: false });

export const StaffSettingsBody = Type.Object({
  staff: Type.Optional(Type.Partial(StaffPartIn)),
  inbound: Type.Optional(Type.Partial(InboundPartIn)),
}, { additionalProperties: false, minProperties: 1 });
export type StaffSettingsBody = Static<typeof StaffSettingsBody>;

export const StaffUserBody = Type.Object({
  takeCalls: Type.Optional(Type.Boolean()),
  deskPhonePassword: Type.Optional(Nullable(Type.String({ minLength: 12, maxLength: 128, description: 'kept only as its digest HA1 in the realm of the moment; null removes it' }))),
}, { additionalProperties: false, minProperties: 1 });
export type StaffUserBody = Static<typeof StaffUserBody>;

export const StaffUser = Type.Object({ username: Type.String(), takeCalls: Type.Boolean(), deskPhone: Type.Boolean() });
export type StaffUser = Static<typeof StaffUser>;

export const StaffEndpointView = Type.Object({
  user: Type.String(),
  kind: StringEnum(['browser', 'desk-phone'] as const),
  since: Type.Integer(),
  busy: Type.Boolean(),
});

export const StaffView = Type.Object({
  staff: StaffPart,
  inbound: InboundPart,
  users: Type.Array(StaffUser),
  endpoints: Type.Array(StaffEndpointView),
});
export type StaffView = Static<typeof StaffView>;

/** A live call as staff see it (issue 16's listen-in): never the number in clear, its last digits only. */
export const LiveCall = Type.Object({
  id: Type.String(),
  kind: StringEnum(['campaign', 'inbound'] as const),
  campaignId: Nullable(Type.Integer()),
  campaignName: Nullable(Type.String()),
  numberTail: Type.String(),
  since: Type.Integer({ description: 'epoch ms the call was placed' }),
  answered: Type.Boolean({ description: 'a call still ringing cannot be listened to' }),
});
export type LiveCall = Static<typeof LiveCall>;

/** The live calls, and whether an admin may listen in here (the settings' staff.listenIn). */
export const LiveCallsView = Type.Object({ listenIn: Type.Boolean(), calls: Type.Array(LiveCall) });
export type LiveCallsView = Static<typeof LiveCallsView>;

export const CallIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
export type CallIdParams = Static<typeof CallIdParams>;

/** `request`: the page's token, echoed in the INVITE's X-Box-Request header so the page answers that call by itself. */
export const ListenBody = Type.Object({ request: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9-]{8,64}$' })) }, { additionalProperties: false });
export type ListenBody = Static<typeof ListenBody>;
export const ListenReply = Type.Object({ callId: Type.String(), ringing: Type.String({ description: 'the user whose softphone rings' }) });
export type ListenReply = Static<typeof ListenReply>;

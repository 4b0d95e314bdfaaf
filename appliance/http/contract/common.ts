// Words several areas of the API share: a campaign's purpose, the compliance packs, a daily calling window.
import { StringEnum, Type, type Static } from './kit.ts';

export const PURPOSES = ['emergency', 'informational', 'transactional', 'healthcare', 'political', 'marketing'] as const;
export type Purpose = (typeof PURPOSES)[number];
export const Purpose = StringEnum(PURPOSES);

export const PACK_IDS = ['us', 'ca', 'fr', 'uk', 'none'] as const;
export type PackId = (typeof PACK_IDS)[number];
export const PackId = StringEnum(PACK_IDS);

export const DailyWindow = Type.Object({
  days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { description: 'ISO weekdays 1 (Monday) .. 7 (Sunday)' }),
  from: Type.String({ description: '"HH:MM" in the callee\'s local time' }),
  to: Type.String(),
});
export type DailyWindow = Static<typeof DailyWindow>;

// Constants shared by the packs' data.
import type { Purpose } from '../../campaigns/model.ts';

export const WEEKDAYS = [1, 2, 3, 4, 5];
export const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];
/** Every purpose but emergency: the packs apply windows, caps and refusals to all of them (a strict choice, see SOURCES.md). */
export const NON_EMERGENCY: Purpose[] = ['informational', 'transactional', 'healthcare', 'political', 'marketing'];
/** 18 months, the longest an existing business relationship counts after the last purchase (US, Canada). */
export const EBR_DAYS = 548;

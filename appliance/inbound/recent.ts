// "Was this caller called by one of our campaigns lately?" — the latest attempt to the number within
// the last days, with the campaign and the contact's fields (to say their message again).
import type { Db } from '../store/db.ts';

export interface RecentCall {
  campaignId: number;
  campaignName: string;
  contactId: number;
  fields: Record<string, string>;
  zones: string[];
  /** Epoch ms of that attempt. */
  at: number;
}

export function recentCampaignCall(db: Db, e164: string, sinceMs: number): RecentCall | null {
  const r = db.prepare(`SELECT a.campaign_id, a.contact_id, a.intent_at, c.name, cc.fields, cc.timezones
      FROM attempts a JOIN campaigns c ON c.id = a.campaign_id
      LEFT JOIN campaign_contacts cc ON cc.campaign_id = a.campaign_id AND cc.contact_id = a.contact_id
      WHERE a.e164 = ? AND a.intent_at >= ? AND a.campaign_id IS NOT NULL
      ORDER BY a.intent_at DESC LIMIT 1`)
    .get(e164, sinceMs) as { campaign_id: number; contact_id: number; intent_at: number; name: string; fields: string | null; timezones: string | null } | undefined;
  if (!r) return null;
  return {
    campaignId: r.campaign_id, campaignName: r.name, contactId: r.contact_id, at: r.intent_at,
    fields: r.fields ? (JSON.parse(r.fields) as Record<string, string>) : {},
    zones: r.timezones ? (JSON.parse(r.timezones) as string[]) : [],
  };
}

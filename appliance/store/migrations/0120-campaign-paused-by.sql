-- Who paused a campaign and when (staff:<user>, fleet:<command id>, cli), so its page says "paused by
-- the fleet (command ...) at ..." (issue 13: every waiting state says why).
ALTER TABLE campaigns ADD COLUMN paused_by TEXT;
ALTER TABLE campaigns ADD COLUMN paused_at INTEGER;

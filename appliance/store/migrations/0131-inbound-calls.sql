-- Calls that came in from a configured trunk (issue 16): one row per call the box answered, with the
-- caller's number hashed (the same hash as the do-not-call list), the campaign whose message it heard
-- again, and how it ended (heard, opted-out, transferred, no-answer, hung-up).
CREATE TABLE inbound_calls (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  trunk TEXT NOT NULL,
  number_hash TEXT NOT NULL,
  campaign_id INTEGER,
  outcome TEXT,
  path TEXT NOT NULL DEFAULT '[]',
  transfer_outcome TEXT,
  transfer_wait_ms INTEGER,
  transfer_talk_ms INTEGER,
  transfer_taken_by TEXT,
  ended_at INTEGER
);
CREATE INDEX inbound_calls_at ON inbound_calls (at);
-- The inbound flow asks "was this number called by a campaign lately?" on every call.
CREATE INDEX IF NOT EXISTS attempts_e164_intent ON attempts (e164, intent_at);

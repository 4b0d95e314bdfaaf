-- Issue 19: a campaign's work per dialer tick, per request and per live update no longer grows with its list.
--
-- 1. The dialer's queue: contacts still to call (pending or waiting), in the order they are due. The
--    older index (campaign_id, state, next_at) gives one range per state, so "due, oldest first" across
--    both states needed a sort of every due row (a temporary B-tree) on every tick; this one serves
--    the order, and a tick reads a small page of it.
CREATE INDEX campaign_contacts_queue ON campaign_contacts (campaign_id, next_at, contact_id) WHERE state IN ('pending', 'waiting');
--    The older index goes: what it served is now served by the queue, the counters below, or this small
--    one (the first and last retry, over waiting contacts only). A start's copy writes one index less.
DROP INDEX campaign_contacts_due;
CREATE INDEX campaign_contacts_retry ON campaign_contacts (campaign_id, next_at) WHERE state = 'waiting';

-- 2. Counters kept as the ledger changes, by triggers, so in the same transaction as the change: a
--    campaign's view and report read a few rows here instead of counting its contacts and attempts.
--    kind 'state'    key = a contact state           n = contacts in it
--         'final'    key = a final outcome           n = contacts with it
--         'blocked'  key = a block reason            n = blocked contacts with it
--         'attempt'  key = an outcome, or '*'        n = final attempts with it ('*': every final attempt)
--         'contacts' key = 'attempted' | 'answered'  n = distinct contacts with a final (answered) attempt
--         'sum'      key = 'talk_ms' | 'talk_n' | 'ring_ms' | 'ring_n' | 'call_ms' | 'call_n'
--         'key'      key = a keypad key              n = times pressed
--         'amd'      key = 'n' | 'human' | 'machine' n = calls with keys, and what AMD said of them
--    Rows are kept at zero rather than deleted; readers skip zeros.
CREATE TABLE campaign_counts (
  campaign_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  n INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, kind, key)
) WITHOUT ROWID;

-- A campaign's contacts are inserted only by a start's copy (CampaignsRepo.copyChunk, which adds what it
-- copied to these counters in its own transaction) and deleted only with their campaign (whose counters
-- go with it): the per-row triggers are the updates', one per kind so that a change of state alone runs
-- two statements.
CREATE TRIGGER campaign_contacts_count_state AFTER UPDATE OF state ON campaign_contacts WHEN OLD.state IS NOT NEW.state BEGIN
  UPDATE campaign_counts SET n = n - 1 WHERE campaign_id = OLD.campaign_id AND kind = 'state' AND key = OLD.state;
  INSERT INTO campaign_counts (campaign_id, kind, key, n) SELECT NEW.campaign_id, 'state', NEW.state, 1 WHERE true
    ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER campaign_contacts_count_final AFTER UPDATE OF final_outcome ON campaign_contacts WHEN OLD.final_outcome IS NOT NEW.final_outcome BEGIN
  UPDATE campaign_counts SET n = n - 1 WHERE campaign_id = OLD.campaign_id AND kind = 'final' AND key = OLD.final_outcome;
  INSERT INTO campaign_counts (campaign_id, kind, key, n) SELECT NEW.campaign_id, 'final', NEW.final_outcome, 1 WHERE NEW.final_outcome IS NOT NULL
    ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER campaign_contacts_count_blocked AFTER UPDATE OF state, block_reason ON campaign_contacts
  WHEN (OLD.state = 'blocked' OR NEW.state = 'blocked') AND (OLD.state IS NOT NEW.state OR OLD.block_reason IS NOT NEW.block_reason) BEGIN
  UPDATE campaign_counts SET n = n - 1 WHERE OLD.state = 'blocked' AND campaign_id = OLD.campaign_id AND kind = 'blocked' AND key = OLD.block_reason;
  INSERT INTO campaign_counts (campaign_id, kind, key, n) SELECT NEW.campaign_id, 'blocked', NEW.block_reason, 1 WHERE NEW.state = 'blocked' AND NEW.block_reason IS NOT NULL
    ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + 1;
END;

-- An attempt counts once it is final: when its intent is turned final (the ledger's way), or when it is
-- written final at once. The two triggers run the same statements (SQLite has no shared procedures).
-- "Answered" is the set appliance/campaigns/reports.ts names ANSWERED.
CREATE TRIGGER attempts_count_final AFTER UPDATE OF state ON attempts
  WHEN OLD.state = 'intent' AND NEW.state = 'final' AND NEW.campaign_id IS NOT NULL BEGIN
  INSERT INTO campaign_counts (campaign_id, kind, key, n) SELECT NEW.campaign_id, 'attempt', '*', 1 WHERE true
    ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + 1;
  INSERT INTO campaign_counts (campaign_id, kind, key, n) SELECT NEW.campaign_id, 'attempt', NEW.outcome, 1 WHERE NEW.outcome IS NOT NULL
    ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + 1;
  INSERT INTO campaign_counts (campaign_id, kind, key, n) SELECT NEW.campaign_id, 'contacts', 'attempted', 1
    WHERE NOT EXISTS (SELECT 1 FROM attempts a WHERE a.campaign_id = NEW.campaign_id AND a.contact_id = NEW.contact_id AND a.id != NEW.id AND a.state = 'final')
    ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + 1;
  INSERT INTO campaign_counts (campaign_id, kind, key, n) SELECT NEW.campaign_id, 'contacts', 'answered', 1
    WHERE NEW.outcome IN ('human', 'confirmed', 'opted-out', 'machine-message-left', 'machine-no-message')
      AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.campaign_id = NEW.campaign_id AND a.contact_id = NEW.contact_id AND a.id != NEW.id AND a.state = 'final'
        AND a.outcome IN ('human', 'confirmed', 'opted-out', 'machine-message-left', 'machine-no-message'))
    ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + 1;
  INSERT INTO campaign_counts (campaign_id, kind, key, n)
    SELECT NEW.campaign_id, 'sum', k, v FROM (
      SELECT 'talk_ms' k, NEW.talk_ms v WHERE NEW.talk_ms > 0 UNION ALL SELECT 'talk_n', 1 WHERE NEW.talk_ms > 0
      UNION ALL SELECT 'ring_ms', NEW.ring_ms WHERE NEW.ring_ms > 0 UNION ALL SELECT 'ring_n', 1 WHERE NEW.ring_ms > 0
      UNION ALL SELECT 'call_ms', COALESCE(NEW.ended_at - NEW.intent_at, 0) WHERE NEW.ended_at IS NOT NULL UNION ALL SELECT 'call_n', 1 WHERE NEW.ended_at IS NOT NULL) WHERE true
    ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + excluded.n;
  INSERT INTO campaign_counts (campaign_id, kind, key, n)
    SELECT NEW.campaign_id, 'key', d, length(NEW.dtmf) - length(replace(NEW.dtmf, d, '')) FROM (
      SELECT column1 d FROM (VALUES ('0'), ('1'), ('2'), ('3'), ('4'), ('5'), ('6'), ('7'), ('8'), ('9'), ('*'), ('#'), ('A'), ('B'), ('C'), ('D')))
    WHERE NEW.dtmf IS NOT NULL AND instr(NEW.dtmf, d) > 0
    ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + excluded.n;
  INSERT INTO campaign_counts (campaign_id, kind, key, n)
    SELECT NEW.campaign_id, 'amd', k, 1 FROM (SELECT 'n' k UNION ALL SELECT 'human' WHERE NEW.amd = 'human' UNION ALL SELECT 'machine' WHERE NEW.amd = 'machine')
    WHERE NEW.amd IS NOT NULL AND NEW.dtmf IS NOT NULL AND NEW.dtmf != ''
    ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER attempts_count_final_insert AFTER INSERT ON attempts
  WHEN NEW.state = 'final' AND NEW.campaign_id IS NOT NULL BEGIN
  INSERT INTO campaign_counts (campaign_id, kind, key, n) SELECT NEW.campaign_id, 'attempt', '*', 1 WHERE true
    ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + 1;
  INSERT INTO campaign_counts (campaign_id, kind, key, n) SELECT NEW.campaign_id, 'attempt', NEW.outcome, 1 WHERE NEW.outcome IS NOT NULL
    ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + 1;
  INSERT INTO campaign_counts (campaign_id, kind, key, n) SELECT NEW.campaign_id, 'contacts', 'attempted', 1
    WHERE NOT EXISTS (SELECT 1 FROM attempts a WHERE a.campaign_id = NEW.campaign_id AND a.contact_id = NEW.contact_id AND a.id != NEW.id AND a.state = 'final')
    ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + 1;
  INSERT INTO campaign_counts (campaign_id, kind, key, n) SELECT NEW.campaign_id, 'contacts', 'answered', 1
    WHERE NEW.outcome IN ('human', 'confirmed', 'opted-out', 'machine-message-left', 'machine-no-message')
      AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.campaign_id = NEW.campaign_id AND a.contact_id = NEW.contact_id AND a.id != NEW.id AND a.state = 'final'
        AND a.outcome IN ('human', 'confirmed', 'opted-out', 'machine-message-left', 'machine-no-message'))
    ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + 1;
  INSERT INTO campaign_counts (campaign_id, kind, key, n)
    SELECT NEW.campaign_id, 'sum', k, v FROM (
      SELECT 'talk_ms' k, NEW.talk_ms v WHERE NEW.talk_ms > 0 UNION ALL SELECT 'talk_n', 1 WHERE NEW.talk_ms > 0
      UNION ALL SELECT 'ring_ms', NEW.ring_ms WHERE NEW.ring_ms > 0 UNION ALL SELECT 'ring_n', 1 WHERE NEW.ring_ms > 0
      UNION ALL SELECT 'call_ms', COALESCE(NEW.ended_at - NEW.intent_at, 0) WHERE NEW.ended_at IS NOT NULL UNION ALL SELECT 'call_n', 1 WHERE NEW.ended_at IS NOT NULL) WHERE true
    ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + excluded.n;
  INSERT INTO campaign_counts (campaign_id, kind, key, n)
    SELECT NEW.campaign_id, 'key', d, length(NEW.dtmf) - length(replace(NEW.dtmf, d, '')) FROM (
      SELECT column1 d FROM (VALUES ('0'), ('1'), ('2'), ('3'), ('4'), ('5'), ('6'), ('7'), ('8'), ('9'), ('*'), ('#'), ('A'), ('B'), ('C'), ('D')))
    WHERE NEW.dtmf IS NOT NULL AND instr(NEW.dtmf, d) > 0
    ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + excluded.n;
  INSERT INTO campaign_counts (campaign_id, kind, key, n)
    SELECT NEW.campaign_id, 'amd', k, 1 FROM (SELECT 'n' k UNION ALL SELECT 'human' WHERE NEW.amd = 'human' UNION ALL SELECT 'machine' WHERE NEW.amd = 'machine')
    WHERE NEW.amd IS NOT NULL AND NEW.dtmf IS NOT NULL AND NEW.dtmf != ''
    ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER campaigns_counts_delete AFTER DELETE ON campaigns BEGIN
  DELETE FROM campaign_counts WHERE campaign_id = OLD.id;
END;

-- Back-fill from what is already on record (same definitions as the triggers above).
INSERT INTO campaign_counts (campaign_id, kind, key, n)
  SELECT campaign_id, 'state', state, COUNT(*) FROM campaign_contacts GROUP BY campaign_id, state;
INSERT INTO campaign_counts (campaign_id, kind, key, n)
  SELECT campaign_id, 'final', final_outcome, COUNT(*) FROM campaign_contacts WHERE final_outcome IS NOT NULL GROUP BY campaign_id, final_outcome;
INSERT INTO campaign_counts (campaign_id, kind, key, n)
  SELECT campaign_id, 'blocked', block_reason, COUNT(*) FROM campaign_contacts WHERE state = 'blocked' AND block_reason IS NOT NULL GROUP BY campaign_id, block_reason;
INSERT INTO campaign_counts (campaign_id, kind, key, n)
  SELECT campaign_id, 'attempt', '*', COUNT(*) FROM attempts WHERE state = 'final' AND campaign_id IS NOT NULL GROUP BY campaign_id;
INSERT INTO campaign_counts (campaign_id, kind, key, n)
  SELECT campaign_id, 'attempt', outcome, COUNT(*) FROM attempts WHERE state = 'final' AND campaign_id IS NOT NULL AND outcome IS NOT NULL GROUP BY campaign_id, outcome;
INSERT INTO campaign_counts (campaign_id, kind, key, n)
  SELECT campaign_id, 'contacts', 'attempted', COUNT(DISTINCT contact_id) FROM attempts WHERE state = 'final' AND campaign_id IS NOT NULL GROUP BY campaign_id;
INSERT INTO campaign_counts (campaign_id, kind, key, n)
  SELECT campaign_id, 'contacts', 'answered', COUNT(DISTINCT contact_id) FROM attempts WHERE state = 'final' AND campaign_id IS NOT NULL
    AND outcome IN ('human', 'confirmed', 'opted-out', 'machine-message-left', 'machine-no-message') GROUP BY campaign_id;
INSERT INTO campaign_counts (campaign_id, kind, key, n)
  SELECT campaign_id, 'sum', k, v FROM (
    SELECT campaign_id, 'talk_ms' k, SUM(talk_ms) v FROM attempts WHERE state = 'final' AND campaign_id IS NOT NULL AND talk_ms > 0 GROUP BY campaign_id
    UNION ALL SELECT campaign_id, 'talk_n', COUNT(*) FROM attempts WHERE state = 'final' AND campaign_id IS NOT NULL AND talk_ms > 0 GROUP BY campaign_id
    UNION ALL SELECT campaign_id, 'ring_ms', SUM(ring_ms) FROM attempts WHERE state = 'final' AND campaign_id IS NOT NULL AND ring_ms > 0 GROUP BY campaign_id
    UNION ALL SELECT campaign_id, 'ring_n', COUNT(*) FROM attempts WHERE state = 'final' AND campaign_id IS NOT NULL AND ring_ms > 0 GROUP BY campaign_id
    UNION ALL SELECT campaign_id, 'call_ms', SUM(COALESCE(ended_at - intent_at, 0)) FROM attempts WHERE state = 'final' AND campaign_id IS NOT NULL AND ended_at IS NOT NULL GROUP BY campaign_id
    UNION ALL SELECT campaign_id, 'call_n', COUNT(*) FROM attempts WHERE state = 'final' AND campaign_id IS NOT NULL AND ended_at IS NOT NULL GROUP BY campaign_id);
INSERT INTO campaign_counts (campaign_id, kind, key, n)
  SELECT a.campaign_id, 'key', d.column1, SUM(length(a.dtmf) - length(replace(a.dtmf, d.column1, '')))
  FROM attempts a, (VALUES ('0'), ('1'), ('2'), ('3'), ('4'), ('5'), ('6'), ('7'), ('8'), ('9'), ('*'), ('#'), ('A'), ('B'), ('C'), ('D')) d
  WHERE a.state = 'final' AND a.campaign_id IS NOT NULL AND a.dtmf IS NOT NULL AND instr(a.dtmf, d.column1) > 0
  GROUP BY a.campaign_id, d.column1;
INSERT INTO campaign_counts (campaign_id, kind, key, n)
  SELECT campaign_id, 'amd', k, v FROM (
    SELECT campaign_id, 'n' k, COUNT(*) v FROM attempts WHERE state = 'final' AND campaign_id IS NOT NULL AND amd IS NOT NULL AND dtmf IS NOT NULL AND dtmf != '' GROUP BY campaign_id
    UNION ALL SELECT campaign_id, 'human', COUNT(*) FROM attempts WHERE state = 'final' AND campaign_id IS NOT NULL AND amd = 'human' AND dtmf IS NOT NULL AND dtmf != '' GROUP BY campaign_id
    UNION ALL SELECT campaign_id, 'machine', COUNT(*) FROM attempts WHERE state = 'final' AND campaign_id IS NOT NULL AND amd = 'machine' AND dtmf IS NOT NULL AND dtmf != '' GROUP BY campaign_id);

-- 3. A campaign start copies its list in short chunks that let the box breathe between them. The
--    campaign is running from the first commit (its first contacts can be called at once); this row
--    says how far the copy has gone and is deleted by the commit that copies the last chunk. After a
--    crash the copy resumes from `after` (the list's contacts are copied in id order).
CREATE TABLE campaign_starts (
  campaign_id INTEGER PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
  list_id INTEGER NOT NULL,
  after INTEGER NOT NULL DEFAULT 0,        -- last contact id copied
  copied INTEGER NOT NULL DEFAULT 0,       -- contacts copied so far
  total INTEGER NOT NULL,                  -- contacts in the list when the start was asked
  next_at INTEGER NOT NULL,                -- epoch ms the copied contacts are due from
  started_at INTEGER NOT NULL
);

-- Issue 19: a paused campaign's calling windows changed. Its contacts never called that the dialer had
-- put off to the old windows' next opening are made due again, so that the dialer looks at them under
-- the new windows: in chunks that yield, along the dialer's queue index, from this cursor, so that an edit
-- of a big campaign does not stall the box. The first chunk is in the edit's own transaction; the row goes
-- with the last chunk, and a restart carries on from the cursor the last commit left.
CREATE TABLE campaign_reschedules (
  campaign_id INTEGER PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,             -- epoch ms of the edit: contacts put off past it become due at it
  after_next_at INTEGER NOT NULL,  -- the queue's order (next_at, contact_id) of the last row looked at
  after_contact INTEGER NOT NULL
);

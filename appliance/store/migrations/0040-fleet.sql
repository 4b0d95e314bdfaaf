-- Fleet agent state. Executed command ids with the answer first given, so a repeated command is
-- answered again and never run twice; and the outcome of the last desired configuration seen.
CREATE TABLE fleet_commands (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  answer TEXT NOT NULL,              -- the answer JSON first published
  executed_at INTEGER NOT NULL       -- epoch ms; rows older than the session expiry are pruned
);

CREATE TABLE fleet_config (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  applied_version INTEGER NOT NULL,  -- last desired version applied (the box's configuration version)
  last_version INTEGER NOT NULL,     -- last desired version seen, applied or rejected
  last_status TEXT NOT NULL CHECK (last_status IN ('applied','rejected')),
  last_reason TEXT,
  updated_at INTEGER NOT NULL
);

-- Contact lists and their contacts.
-- An import writes its rows in short transactions under a list in status 'importing' and turns it
-- 'ready' in one final commit; a failed import deletes it, and boot sweeps any left by a crash.
-- Readers (the API, campaigns) only use 'ready' lists, so a list appears whole or not at all.
CREATE TABLE lists (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'importing' CHECK (status IN ('importing', 'ready')),
  source_file TEXT,
  country TEXT NOT NULL,
  created_at TEXT NOT NULL,
  rows_total INTEGER NOT NULL DEFAULT 0,      -- data rows with content
  accepted INTEGER NOT NULL DEFAULT 0,        -- = contacts in the list
  rejected INTEGER NOT NULL DEFAULT 0,
  duplicates INTEGER NOT NULL DEFAULT 0,
  report TEXT                                 -- the import report, JSON
);

CREATE TABLE contacts (
  id INTEGER PRIMARY KEY,
  list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
  e164 TEXT NOT NULL,                         -- unique within a list (duplicates merged at import)
  line_type TEXT NOT NULL CHECK (line_type IN ('mobile', 'fixed', 'voip', 'unknown')),
  timezones TEXT NOT NULL,                    -- JSON array of IANA zones; compliance uses the most restrictive
  tz_source TEXT NOT NULL CHECK (tz_source IN ('number', 'column', 'country')),
  name TEXT,
  fields TEXT NOT NULL DEFAULT '{}',          -- personalisation fields by header, JSON
  consent TEXT,                               -- {date, source, seller, purpose} JSON, or NULL
  row INTEGER NOT NULL,                       -- row in the source spreadsheet (header = 1)
  created_at TEXT NOT NULL
);
-- (list_id, id): campaigns read a list in file order. No index on e164: its random inserts cut import
-- speed by 5-8x (bench/import.ts); uniqueness per list is enforced by the importer.
CREATE INDEX contacts_list ON contacts (list_id);

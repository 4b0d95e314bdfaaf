-- Issue 19: a campaign's calling window against its list (GET /api/campaigns/:id/window) reads how many
-- of the list's contacts are in each time-zone set from here, a few rows, instead of grouping the whole
-- list. Kept by the importer in the same transaction as each batch of contacts (ContactsRepo.insertPacked)
-- and deleted with the list's contacts (contacts are only ever added by an import and deleted with
-- their list). `timezones` is the contacts' own column, the JSON array of IANA zones, as it is there.
CREATE TABLE list_zones (
  list_id INTEGER NOT NULL,
  timezones TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (list_id, timezones)
) WITHOUT ROWID;

INSERT INTO list_zones (list_id, timezones, n) SELECT list_id, timezones, COUNT(*) FROM contacts GROUP BY list_id, timezones;

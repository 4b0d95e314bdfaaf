-- Compliance: suppressions (internal do-not-call, kept as a hash so they survive erasure of the contact),
-- registry copies, the consent ledger, the hash-chained audit log, and the pack version on every attempt.
CREATE TABLE suppressions (
  number_hash TEXT PRIMARY KEY,               -- dncHash(e164): no number in clear
  source TEXT NOT NULL CHECK (source IN ('keypress', 'staff', 'fleet', 'import')),
  reason TEXT,
  campaign_id INTEGER,
  digit TEXT,
  actor TEXT,
  created_at INTEGER NOT NULL                 -- epoch ms
) WITHOUT ROWID;

-- Every add and remove, with its reason (removals are rare and must be justified).
CREATE TABLE suppression_history (
  id INTEGER PRIMARY KEY,
  number_hash TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('add', 'remove')),
  source TEXT NOT NULL,
  reason TEXT,
  actor TEXT,
  at INTEGER NOT NULL
);
CREATE INDEX suppression_history_number ON suppression_history (number_hash);

-- One row per registry copy (us-national-dnc, ca-dncl, fr-bloctel, uk-tps): a new import replaces the old.
CREATE TABLE dnc_registries (
  name TEXT PRIMARY KEY,
  downloaded_at INTEGER NOT NULL,             -- when the copy was downloaded from the registry (its age counts)
  imported_at INTEGER NOT NULL,
  entries INTEGER NOT NULL,
  file TEXT
);
CREATE TABLE dnc_registry_entries (
  number_hash TEXT NOT NULL,
  registry TEXT NOT NULL,
  PRIMARY KEY (number_hash, registry)
) WITHOUT ROWID;
CREATE INDEX dnc_registry_entries_registry ON dnc_registry_entries (registry);

CREATE TABLE consents (
  id INTEGER PRIMARY KEY,
  number_hash TEXT NOT NULL,
  seller TEXT NOT NULL,
  purpose TEXT NOT NULL,                      -- a campaign purpose, or 'any'
  method TEXT NOT NULL CHECK (method IN ('form', 'keypress', 'recording', 'written', 'import')),
  given_at INTEGER NOT NULL,
  disclosure_text TEXT NOT NULL,
  disclosure_version TEXT NOT NULL,
  source TEXT NOT NULL,                       -- where it was collected (URL, campaign, shop)
  collector TEXT,
  recorded_at INTEGER NOT NULL,
  revoked_at INTEGER,
  revocation_channel TEXT,
  revocation_deadline INTEGER                 -- the legal latest; the gate applies a revocation at once
);
CREATE INDEX consents_number ON consents (number_hash);

-- Append-only: each entry's hash covers the previous hash and its own content.
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

-- Frequency caps and refusals look attempts up by number across campaigns.
CREATE INDEX attempts_number ON attempts (e164, intent_at);

-- The pack version in force is stamped on every attempt as it is written (the gate keeps this table current).
ALTER TABLE attempts ADD COLUMN pack_version TEXT;
CREATE TABLE compliance_campaign_pack (
  campaign_id INTEGER PRIMARY KEY,
  pack TEXT NOT NULL,
  version TEXT NOT NULL
);
CREATE TRIGGER attempts_pack_version AFTER INSERT ON attempts WHEN NEW.pack_version IS NULL BEGIN
  UPDATE attempts SET pack_version = (SELECT version FROM compliance_campaign_pack WHERE campaign_id = NEW.campaign_id) WHERE id = NEW.id;
END;

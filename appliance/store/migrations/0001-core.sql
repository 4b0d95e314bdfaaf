-- Core tables: key/value metadata and the call ledger used by the call command and campaigns.
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

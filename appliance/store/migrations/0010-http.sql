-- Web UI sessions. Only a SHA-256 of the session id is stored, so a copy of the database cannot be
-- replayed as a login. Times are milliseconds since the epoch.
CREATE TABLE http_sessions (
  id_hash TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  source TEXT
);
CREATE INDEX http_sessions_username ON http_sessions (username);
CREATE INDEX http_sessions_expires ON http_sessions (expires_at);

-- The fleet manager's schema, version 1. PostgreSQL dialect (PGlite and a PostgreSQL server alike).

CREATE TABLE organisations (
  id         text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO organisations (id, name) VALUES ('default', 'Default organisation');

-- A box appears at its first message (status, event, telemetry or report) in the default organisation.
CREATE TABLE boxes (
  box_id         text PRIMARY KEY,
  org_id         text NOT NULL DEFAULT 'default' REFERENCES organisations (id),
  first_seen     timestamptz NOT NULL DEFAULT now(),
  last_seen      timestamptz NOT NULL DEFAULT now(),
  online         boolean NOT NULL DEFAULT false,
  online_since   timestamptz,          -- when `online` last changed
  run_id         text,
  connected_at   timestamptz,          -- of the birth message that set run_id
  version        text,
  config_version integer,
  status         jsonb,                -- the last status message as received
  telemetry      jsonb,
  telemetry_at   timestamptz,
  reported       jsonb,
  reported_at    timestamptz
);
CREATE INDEX boxes_org ON boxes (org_id);

-- Events stored exactly once by (box_id, seq); the key is the deduplication.
CREATE TABLE events (
  box_id      text NOT NULL,
  seq         bigint NOT NULL CHECK (seq > 0),
  type        text NOT NULL,
  payload     jsonb NOT NULL,
  created_at  timestamptz,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (box_id, seq)
);
CREATE INDEX events_type ON events (type, received_at);

-- Per box: every seq up to `contiguous` is stored; above it, `max_seen` tells whether a gap is open.
CREATE TABLE box_seq (
  box_id     text PRIMARY KEY,
  contiguous bigint NOT NULL DEFAULT 0,
  max_seen   bigint NOT NULL DEFAULT 0,
  gap_since  timestamptz
);

-- Telemetry at full rate (kept a day), then rolled up into 5-minute buckets.
CREATE TABLE telemetry (
  box_id text NOT NULL,
  at     timestamptz NOT NULL,
  doc    jsonb NOT NULL,
  PRIMARY KEY (box_id, at)
);
CREATE INDEX telemetry_at ON telemetry (at);
CREATE TABLE telemetry_rollup (
  box_id           text NOT NULL,
  bucket           timestamptz NOT NULL,
  samples          integer NOT NULL,
  cpu_load_avg     real,
  cpu_load_max     real,
  temperature_max  real,
  memory_used_max  real,
  disk_used_max    real,
  active_calls_max integer,
  PRIMARY KEY (box_id, bucket)
);

-- The organisation's do-not-call list: hashes only, each from the opt-out event that first brought it.
CREATE TABLE fleet_dnc (
  org_id      text NOT NULL REFERENCES organisations (id),
  number_hash text NOT NULL CHECK (number_hash ~ '^[0-9a-f]{64}$'),
  source_box  text NOT NULL,
  source_seq  bigint NOT NULL,
  added_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, number_hash)
);

-- Commands to boxes and their answers. One row per (command, box): the same id goes to many boxes.
-- Unanswered rows are sent again when the box says hello, until they expire.
CREATE TABLE deliveries (
  command_id  text NOT NULL,
  box_id      text NOT NULL,
  type        text NOT NULL,
  data        jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  sent_at     timestamptz,
  send_count  integer NOT NULL DEFAULT 0,
  answered_at timestamptz,
  status      text CHECK (status IN ('ok', 'error')),
  answer      jsonb,
  PRIMARY KEY (command_id, box_id)
);
CREATE INDEX deliveries_open ON deliveries (box_id) WHERE answered_at IS NULL;

CREATE TABLE alerts (
  id        bigserial PRIMARY KEY,
  box_id    text NOT NULL,
  kind      text NOT NULL CHECK (kind IN ('offline', 'trunk-down', 'clock-unsynchronised', 'disk-full', 'event-gap', 'config-rejected')),
  detail    jsonb NOT NULL DEFAULT '{}'::jsonb,
  opened_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz
);
CREATE UNIQUE INDEX alerts_open ON alerts (box_id, kind) WHERE closed_at IS NULL;

-- The console: its users, their sessions, the audit of fleet actions, groups of boxes and staged
-- rollouts of a desired configuration.

CREATE TABLE console_users (
  username      text PRIMARY KEY CHECK (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Only the session id's hash is stored: a copy of the database opens no session.
CREATE TABLE console_sessions (
  id_hash    text PRIMARY KEY,
  username   text NOT NULL REFERENCES console_users (username) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions (username);

-- Who did what, when, to what; refusals too.
CREATE TABLE console_audit (
  id      bigserial PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now(),
  actor   text NOT NULL,
  action  text NOT NULL,
  target  text,
  outcome text NOT NULL CHECK (outcome IN ('ok', 'refused')),
  detail  jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE TABLE box_groups (
  name       text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE box_group_members (
  group_name text NOT NULL REFERENCES box_groups (name) ON DELETE CASCADE,
  box_id     text NOT NULL,
  PRIMARY KEY (group_name, box_id)
);

-- A desired configuration rolled out to a group in steps (one box, then 10 %, then all); the first
-- rejection stops it.
CREATE TABLE rollouts (
  id          bigserial PRIMARY KEY,
  group_name  text NOT NULL,
  version     integer NOT NULL CHECK (version > 0),
  settings    jsonb NOT NULL,
  state       text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'stopped')),
  step        integer NOT NULL DEFAULT 0,
  reason      text,
  stopped_box text,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE UNIQUE INDEX rollouts_one_running ON rollouts (group_name) WHERE state = 'running';

CREATE TABLE rollout_boxes (
  rollout_id  bigint NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
  box_id      text NOT NULL,
  position    integer NOT NULL,
  step        integer,
  sent_at     timestamptz,
  status      text CHECK (status IN ('applied', 'rejected')),
  reason      text,
  answered_at timestamptz,
  PRIMARY KEY (rollout_id, box_id)
);

-- Campaigns, per-contact progress, the attempt ledger, and the fleet event outbox written in the same
-- transaction as the change it reports. (Recordings live in the file library, media/prompts: each one's
-- files and meta.json are renamed into place together, which keeps them whole across a power cut.)
CREATE TABLE campaigns (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  list_id INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','running','paused','stopped','completed')),
  config TEXT NOT NULL,              -- CampaignConfig JSON (message, script, schedule, pacing, retries)
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT
);

CREATE TABLE campaign_contacts (
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  contact_id INTEGER NOT NULL,
  e164 TEXT NOT NULL,
  timezones TEXT NOT NULL,           -- JSON array of IANA zones (most restrictive applies)
  fields TEXT,                       -- personalisation fields JSON
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','calling','waiting','done','blocked','stopped')),
  attempts INTEGER NOT NULL DEFAULT 0,        -- attempts that count against the policy
  retries TEXT NOT NULL DEFAULT '{}',         -- retries used per outcome, JSON
  next_at INTEGER NOT NULL DEFAULT 0,         -- epoch ms when it may be dialled
  last_outcome TEXT,
  final_outcome TEXT,
  block_reason TEXT,
  updated_at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, contact_id)
);
CREATE INDEX campaign_contacts_due ON campaign_contacts (campaign_id, state, next_at);

CREATE TABLE attempts (
  id INTEGER PRIMARY KEY,
  campaign_id INTEGER,
  contact_id INTEGER,
  e164 TEXT NOT NULL,
  trunk TEXT,
  caller_id TEXT,
  state TEXT NOT NULL CHECK (state IN ('intent','final')),
  intent_at INTEGER NOT NULL,
  ended_at INTEGER,
  outcome TEXT,
  sip_code INTEGER,
  q850 INTEGER,
  counted INTEGER NOT NULL DEFAULT 1,
  dtmf TEXT,
  amd TEXT,
  setup_ms INTEGER,
  ring_ms INTEGER,
  talk_ms INTEGER,
  message_ms INTEGER,
  detail TEXT
);
CREATE INDEX attempts_campaign ON attempts (campaign_id, contact_id);
CREATE INDEX attempts_open ON attempts (state) WHERE state = 'intent';

CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL
);

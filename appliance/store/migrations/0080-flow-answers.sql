-- Call flows (issue 15): per attempt the path the callee took through the flow and every named answer;
-- a spoken answer is a WAV file beside the attempt (its path relative to the state folder).
ALTER TABLE attempts ADD COLUMN flow_path TEXT;   -- JSON array of the step ids visited, in order

CREATE TABLE attempt_answers (
  attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
  campaign_id INTEGER NOT NULL,
  contact_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  file TEXT,                     -- spoken answer: WAV file, relative to the state folder
  ms INTEGER,                    -- spoken answer: its length
  PRIMARY KEY (attempt_id, name)
);
CREATE INDEX attempt_answers_campaign ON attempt_answers (campaign_id, name);

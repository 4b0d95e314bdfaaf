-- A flow's transfer to a person (issue 16), kept with the attempt that made it: how it ended
-- (connected, no-answer, no-staff, refused, failed, caller-hung-up), how long the callee waited before
-- someone answered or the wait ran out, how long they talked, and who took it (a box user, or the
-- external number's hash: never the number in clear).
ALTER TABLE attempts ADD COLUMN transfer_outcome TEXT;
ALTER TABLE attempts ADD COLUMN transfer_wait_ms INTEGER;
ALTER TABLE attempts ADD COLUMN transfer_talk_ms INTEGER;
ALTER TABLE attempts ADD COLUMN transfer_taken_by TEXT;

-- The report's transfer summary (issue 16) reads only the attempts that made a transfer, already in the
-- order it groups them: its cost follows the number of transfers, not the number of calls (issue 19).
CREATE INDEX attempts_transfers ON attempts(campaign_id, transfer_outcome, transfer_taken_by) WHERE transfer_outcome IS NOT NULL;

-- What each consent record is in law (issue 14): 'written' (signed, on paper or electronically),
-- 'express' (explicit, oral or in writing), 'existing-relationship' (proof of a purchase or a contract
-- in progress with the seller, which some rules accept in place of a consent). Records made before
-- this column existed count as express, except those collected in writing.
ALTER TABLE consents ADD COLUMN kind TEXT NOT NULL DEFAULT 'express' CHECK (kind IN ('written', 'express', 'existing-relationship'));
UPDATE consents SET kind = 'written' WHERE method = 'written';

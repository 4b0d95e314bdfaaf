-- The audit chain becomes keyed (issue 18): entries written from now on carry an HMAC-SHA256 with a
-- key kept outside the database (<data>/identity/audit.key) and are marked keyed = 1. Entries written
-- before keep their plain SHA-256 hash and stay marked unkeyed (keyed = 0): rewriting them would need
-- the very recomputation the key is there to prevent. The first keyed entry after them is an
-- `audit.keyed` note naming the unkeyed segment's length and head, and its MAC covers that head, so
-- the old segment cannot be changed afterwards without breaking the keyed chain.
ALTER TABLE audit_log ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0 CHECK (keyed IN (0, 1));

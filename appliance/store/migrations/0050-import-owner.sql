-- The process importing a list (appliance/system/process-mark.ts): the sweep at boot removes only the
-- half-imported lists of processes that are gone, not the one an `appliance import` is writing now.
ALTER TABLE lists ADD COLUMN importer TEXT;

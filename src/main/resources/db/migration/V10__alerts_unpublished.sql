-- The alert checks publish again what was stored but never published (a failed send whose alert is not raised
-- again). attempted_at: when a raise or such a check last tried to publish the alert, so that a row is tried by
-- one replica at a time and not while a raise of it may still be sending. The index finds the few unpublished
-- rows without reading the table.
ALTER TABLE alerts ADD COLUMN attempted_at timestamptz;
CREATE INDEX alerts_unpublished ON alerts (raised_at) WHERE published_at IS NULL;

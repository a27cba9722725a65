-- The alert checks publish again what was stored but never published (a failed send whose alert is not raised
-- again): this finds those few rows without reading the table.
CREATE INDEX alerts_unpublished ON alerts (raised_at) WHERE published_at IS NULL;

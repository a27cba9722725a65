-- Per Kafka partition, the offset after the last record covered by last_event_id ("0:1234,1:987").
-- On restart the ingest reads the records after these offsets back to drop what it already published.
ALTER TABLE ingest_checkpoints ADD COLUMN kafka_positions text;

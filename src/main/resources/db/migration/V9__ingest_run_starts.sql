-- Per Kafka partition, the end of the events topic when the feed's runs began publishing ("0:1234"),
-- and when (the database's clock). Runs of one feed with no other feed's run between them share the
-- first one's start. With kafka_positions (where the saved prefix ends) it bounds a range of the topic
-- holding this feed's records only, which another feed's read-back of its own unsaved tail skips
-- (a day of the live feed between two replays, say).
ALTER TABLE ingest_checkpoints ADD COLUMN run_start_positions text;
ALTER TABLE ingest_checkpoints ADD COLUMN run_started_at timestamptz;

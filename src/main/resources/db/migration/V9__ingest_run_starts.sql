-- Per Kafka partition, the end of the events topic when the feed's latest run began publishing ("0:1234").
-- With kafka_positions (where that run's saved prefix ends) it bounds a range of the topic holding this
-- feed's records only, which another feed's read-back of its own unsaved tail skips (a day of the live
-- feed between two replays, say).
ALTER TABLE ingest_checkpoints ADD COLUMN run_start_positions text;

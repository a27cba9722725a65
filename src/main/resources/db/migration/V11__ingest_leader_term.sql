-- The term of the elected replica that reads the feed: each leader takes the next one before it loads the
-- checkpoint, and its saves of the position change the row only while it still holds the newest. A leader
-- replaced while frozen (its session over, a successor elected) cannot then save its older position over its
-- successor's when it wakes. Null for rows saved without the election.
ALTER TABLE ingest_checkpoints ADD COLUMN leader_term bigint;

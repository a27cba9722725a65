-- The ingest keeps a resume position per stream, keyed by the feed URL's path (WikimediaIngest.checkpointKey):
-- one position for every stream sent the bundled recording's id to Wikimedia (404, for good) and made the
-- recording start over after a live run. The one position kept so far goes to the stream it came from.
UPDATE ingest_checkpoints SET source = 'wikimedia:/replay/wikimedia/recentchange'
 WHERE source = 'wikimedia' AND last_event_id LIKE '%"pulse.replay"%';
UPDATE ingest_checkpoints SET source = 'wikimedia:/v2/stream/recentchange' WHERE source = 'wikimedia';

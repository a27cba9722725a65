-- Fewer rows and index entries written per batch (bench/README.md, "Bottlenecks").

-- wiki_window_users held exactly the keys of user_edit_counts (window, wiki, user): a second upsert
-- of every user row for nothing. Distinct users are counted from user_edit_counts instead.
CREATE OR REPLACE VIEW wiki_distinct_users AS
SELECT window_start, wiki, count(*) AS distinct_users
FROM user_edit_counts
GROUP BY window_start, wiki;
DROP TABLE wiki_window_users;

-- The primary key (window_start, wiki, title) already serves scans by window.
DROP INDEX page_edit_counts_window;

-- Busy keys (a wiki, a type, a popular page) are updated by batch after batch: free room on each
-- page lets PostgreSQL update them in place (HOT) instead of adding index entries every time.
ALTER TABLE wiki_edit_counts SET (fillfactor = 80);
ALTER TABLE type_edit_counts SET (fillfactor = 80);
ALTER TABLE namespace_edit_counts SET (fillfactor = 80);
ALTER TABLE user_edit_counts SET (fillfactor = 80);
ALTER TABLE page_edit_counts SET (fillfactor = 80);
ALTER TABLE consumer_offsets SET (fillfactor = 50);

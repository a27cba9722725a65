-- The dashboard of one wiki starts from that wiki's newest window. Through the primary key
-- (window_start, wiki) that walked every window back to the wiki's last one: all of the table for a
-- wiki with no changes (a typo in the dashboard's filter), again on every snapshot. Updates of a row
-- keep its key, so they stay in place (HOT); a new index entry only for each new (wiki, window).
-- Concurrently: replicas still running the previous version keep writing while it is built (Flyway
-- runs a migration made of such a statement outside a transaction).
CREATE INDEX CONCURRENTLY wiki_edit_counts_wiki ON wiki_edit_counts (wiki, window_start);

-- Pulse aggregates: one row per event-time window and dimension, written as additive upserts
-- (INSERT ... ON CONFLICT DO UPDATE SET x = x + EXCLUDED.x), so late events, re-partitioning and
-- several replicas all merge into exact totals. See DISCUSSION.md.

CREATE TABLE wiki_edit_counts (
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    wiki          text        NOT NULL,
    changes       bigint      NOT NULL,
    bot_changes   bigint      NOT NULL,
    bytes_added   bigint      NOT NULL,
    bytes_removed bigint      NOT NULL,
    new_pages     bigint      NOT NULL,
    -- events that arrived after the watermark had passed their window: still counted above, and here
    late_events   bigint      NOT NULL,
    PRIMARY KEY (window_start, wiki)
);

CREATE TABLE type_edit_counts (
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    wiki          text        NOT NULL,
    change_type   text        NOT NULL,
    changes       bigint      NOT NULL,
    bot_changes   bigint      NOT NULL,
    bytes_added   bigint      NOT NULL,
    bytes_removed bigint      NOT NULL,
    PRIMARY KEY (window_start, wiki, change_type)
);

CREATE TABLE namespace_edit_counts (
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    wiki          text        NOT NULL,
    namespace     integer     NOT NULL,
    changes       bigint      NOT NULL,
    bot_changes   bigint      NOT NULL,
    bytes_added   bigint      NOT NULL,
    bytes_removed bigint      NOT NULL,
    new_pages     bigint      NOT NULL,
    PRIMARY KEY (window_start, wiki, namespace)
);

CREATE TABLE user_edit_counts (
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    wiki          text        NOT NULL,
    user_name     text        NOT NULL,
    is_bot        boolean     NOT NULL,
    changes       bigint      NOT NULL,
    bytes_added   bigint      NOT NULL,
    bytes_removed bigint      NOT NULL,
    new_pages     bigint      NOT NULL,
    PRIMARY KEY (window_start, wiki, user_name)
);

CREATE TABLE page_edit_counts (
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    wiki          text        NOT NULL,
    title         text        NOT NULL,
    namespace     integer     NOT NULL,
    changes       bigint      NOT NULL,
    bot_changes   bigint      NOT NULL,
    bytes_added   bigint      NOT NULL,
    bytes_removed bigint      NOT NULL,
    new_pages     bigint      NOT NULL,
    PRIMARY KEY (window_start, wiki, title)
);

-- Exact distinct users per wiki and window: a set, merged with ON CONFLICT DO NOTHING.
CREATE TABLE wiki_window_users (
    window_start timestamptz NOT NULL,
    wiki         text        NOT NULL,
    user_name    text        NOT NULL,
    PRIMARY KEY (window_start, wiki, user_name)
);

-- Where each consumer group stands in each partition, committed in the same transaction as the
-- aggregates it produced: the source of truth for exactly-once, not Kafka's committed offsets.
CREATE TABLE consumer_offsets (
    consumer_group  text        NOT NULL,
    topic           text        NOT NULL,
    kafka_partition integer     NOT NULL,
    next_offset     bigint      NOT NULL,
    -- highest event time seen in the partition; the watermark is this minus the allowed lateness
    max_event_time  timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, kafka_partition)
);

-- Where each ingest source resumes after a restart (its SSE Last-Event-ID).
CREATE TABLE ingest_checkpoints (
    source        text        PRIMARY KEY,
    last_event_id text,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX user_edit_counts_user ON user_edit_counts (user_name, window_start);
CREATE INDEX page_edit_counts_window ON page_edit_counts (window_start);

CREATE VIEW wiki_distinct_users AS
SELECT window_start, wiki, count(*) AS distinct_users
FROM wiki_window_users
GROUP BY window_start, wiki;

-- What each user did over the last hour (by event time), most active first.
CREATE VIEW recent_user_activity AS
SELECT wiki, user_name, bool_or(is_bot) AS is_bot,
       sum(changes) AS changes, sum(bytes_added) AS bytes_added, sum(bytes_removed) AS bytes_removed,
       sum(new_pages) AS new_pages, min(window_start) AS first_window, max(window_end) AS last_window
FROM user_edit_counts
WHERE window_start >= now() - interval '1 hour'
GROUP BY wiki, user_name;

-- Contributors ranked by changes within each hour and wiki.
CREATE VIEW top_contributors_hourly AS
SELECT hour, wiki, user_name, is_bot, changes, bytes_added, bytes_removed,
       rank() OVER (PARTITION BY hour, wiki ORDER BY changes DESC) AS rank
FROM (
    SELECT date_trunc('hour', window_start) AS hour, wiki, user_name, bool_or(is_bot) AS is_bot,
           sum(changes) AS changes, sum(bytes_added) AS bytes_added, sum(bytes_removed) AS bytes_removed
    FROM user_edit_counts
    GROUP BY 1, 2, 3
) hourly;

-- Pages ranked by changes within each hour and wiki.
CREATE VIEW top_pages_hourly AS
SELECT hour, wiki, title, changes, bytes_added, bytes_removed,
       rank() OVER (PARTITION BY hour, wiki ORDER BY changes DESC) AS rank
FROM (
    SELECT date_trunc('hour', window_start) AS hour, wiki, title,
           sum(changes) AS changes, sum(bytes_added) AS bytes_added, sum(bytes_removed) AS bytes_removed
    FROM page_edit_counts
    GROUP BY 1, 2, 3
) hourly;

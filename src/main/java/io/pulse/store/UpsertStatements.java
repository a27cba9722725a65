package io.pulse.store;

/**
 * Additive upserts fed by parallel arrays ({@code unnest}): one statement per table per batch,
 * whatever the number of rows. Measures add up on conflict, so any order of batches, replicas and
 * late events gives the same totals.
 */
final class UpsertStatements {

    static final String WIKI = """
            INSERT INTO wiki_edit_counts AS t
                (window_start, window_end, wiki, changes, bot_changes, bytes_added, bytes_removed, new_pages, late_events)
            SELECT * FROM unnest($1::timestamptz[], $2::timestamptz[], $3::text[], $4::bigint[], $5::bigint[],
                                 $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[])
            ON CONFLICT (window_start, wiki) DO UPDATE SET
                changes = t.changes + EXCLUDED.changes,
                bot_changes = t.bot_changes + EXCLUDED.bot_changes,
                bytes_added = t.bytes_added + EXCLUDED.bytes_added,
                bytes_removed = t.bytes_removed + EXCLUDED.bytes_removed,
                new_pages = t.new_pages + EXCLUDED.new_pages,
                late_events = t.late_events + EXCLUDED.late_events
            """;

    static final String TYPE = """
            INSERT INTO type_edit_counts AS t
                (window_start, window_end, wiki, change_type, changes, bot_changes, bytes_added, bytes_removed)
            SELECT * FROM unnest($1::timestamptz[], $2::timestamptz[], $3::text[], $4::text[], $5::bigint[],
                                 $6::bigint[], $7::bigint[], $8::bigint[])
            ON CONFLICT (window_start, wiki, change_type) DO UPDATE SET
                changes = t.changes + EXCLUDED.changes,
                bot_changes = t.bot_changes + EXCLUDED.bot_changes,
                bytes_added = t.bytes_added + EXCLUDED.bytes_added,
                bytes_removed = t.bytes_removed + EXCLUDED.bytes_removed
            """;

    static final String NAMESPACE = """
            INSERT INTO namespace_edit_counts AS t
                (window_start, window_end, wiki, namespace, changes, bot_changes, bytes_added, bytes_removed, new_pages)
            SELECT * FROM unnest($1::timestamptz[], $2::timestamptz[], $3::text[], $4::int[], $5::bigint[],
                                 $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[])
            ON CONFLICT (window_start, wiki, namespace) DO UPDATE SET
                changes = t.changes + EXCLUDED.changes,
                bot_changes = t.bot_changes + EXCLUDED.bot_changes,
                bytes_added = t.bytes_added + EXCLUDED.bytes_added,
                bytes_removed = t.bytes_removed + EXCLUDED.bytes_removed,
                new_pages = t.new_pages + EXCLUDED.new_pages
            """;

    static final String USER = """
            INSERT INTO user_edit_counts AS t
                (window_start, window_end, wiki, user_name, is_bot, changes, bytes_added, bytes_removed, new_pages)
            SELECT * FROM unnest($1::timestamptz[], $2::timestamptz[], $3::text[], $4::text[], $5::boolean[],
                                 $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[])
            ON CONFLICT (window_start, wiki, user_name) DO UPDATE SET
                is_bot = t.is_bot OR EXCLUDED.is_bot,
                changes = t.changes + EXCLUDED.changes,
                bytes_added = t.bytes_added + EXCLUDED.bytes_added,
                bytes_removed = t.bytes_removed + EXCLUDED.bytes_removed,
                new_pages = t.new_pages + EXCLUDED.new_pages
            """;

    static final String PAGE = """
            INSERT INTO page_edit_counts AS t
                (window_start, window_end, wiki, title, namespace, changes, bot_changes, bytes_added, bytes_removed, new_pages)
            SELECT * FROM unnest($1::timestamptz[], $2::timestamptz[], $3::text[], $4::text[], $5::int[],
                                 $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])
            ON CONFLICT (window_start, wiki, title) DO UPDATE SET
                changes = t.changes + EXCLUDED.changes,
                bot_changes = t.bot_changes + EXCLUDED.bot_changes,
                bytes_added = t.bytes_added + EXCLUDED.bytes_added,
                bytes_removed = t.bytes_removed + EXCLUDED.bytes_removed,
                new_pages = t.new_pages + EXCLUDED.new_pages
            """;

    static final String WIKI_DOMAINS = """
            INSERT INTO wiki_domains (wiki, domain)
            SELECT * FROM unnest($1::text[], $2::text[])
            ON CONFLICT (wiki) DO NOTHING
            """;

    /** Make sure every partition of the batch has a row to lock, even the first time it is seen. */
    static final String ENSURE_OFFSETS = """
            INSERT INTO consumer_offsets (consumer_group, topic, kafka_partition, next_offset)
            SELECT $1, $2, p, 0 FROM unnest($3::int[]) AS p
            ON CONFLICT DO NOTHING
            """;

    /** Locks the partitions' rows: a second replica processing the same partition waits, then skips. */
    static final String LOCK_OFFSETS = """
            SELECT kafka_partition, next_offset, max_event_time FROM consumer_offsets
            WHERE consumer_group = $1 AND topic = $2 AND kafka_partition = ANY($3::int[])
            ORDER BY kafka_partition
            FOR UPDATE
            """;

    static final String ADVANCE_OFFSETS = """
            UPDATE consumer_offsets o
            SET next_offset = u.next_offset, max_event_time = u.max_event_time, updated_at = now()
            FROM unnest($3::int[], $4::bigint[], $5::timestamptz[]) AS u(kafka_partition, next_offset, max_event_time)
            WHERE o.consumer_group = $1 AND o.topic = $2 AND o.kafka_partition = u.kafka_partition
            """;

    static final String READ_OFFSETS = """
            SELECT kafka_partition, next_offset, max_event_time FROM consumer_offsets
            WHERE consumer_group = $1 AND topic = $2 AND kafka_partition = ANY($3::int[])
            """;

    private UpsertStatements() {
    }
}

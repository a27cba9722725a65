package io.pulse.source.wikimedia;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the Wikimedia recentchange source ({@code pulse.wikimedia.*}). */
@ConfigMapping(prefix = "pulse.wikimedia")
public interface WikimediaConfig {

    /** Connect to the feed at start-up. Off for replicas that only aggregate. */
    @WithDefault("true")
    boolean enabled();

    /** The SSE feed: live EventStreams, or a local replay of a recording. */
    @WithDefault("https://stream.wikimedia.org/v2/stream/recentchange")
    URI url();

    /** Wikimedia answers 403 without a descriptive agent: {@code name/version (contact) library/version}. */
    String userAgent();

    Filter filter();

    Connection connection();

    Limits limits();

    Ingest ingest();

    interface Filter {
        /** Wikis to keep, by {@code wiki} (enwiki) or domain (en.wikipedia.org); empty keeps all. */
        Optional<List<String>> wikis();

        /** Event types to keep (edit, new, log, categorize, external); empty keeps all. */
        Optional<List<String>> types();

        /** Bot changes: include, exclude or only. */
        @WithDefault("include")
        BotPolicy bots();
    }

    interface Connection {
        @WithDefault("10s")
        Duration connectTimeout();

        /**
         * A connection silent this long while it is read, or a request unanswered this long, is stalled
         * and replaced (upstream sends 20-50 events/s). Not one left unread on purpose (backpressure).
         */
        @WithDefault("30s")
        Duration idleTimeout();

        @WithDefault("1s")
        Duration initialBackoff();

        @WithDefault("60s")
        Duration maxBackoff();

        /** Relative jitter on each back-off delay, so that many clients do not reconnect in step. */
        @WithDefault("0.3")
        double jitter();
    }

    interface Limits {
        /** Larger events are dead-lettered instead of aggregated. */
        @WithDefault("524288")
        int maxEventBytes();

        /** Events stamped further ahead than this are dead-lettered (they would drag the watermark). */
        @WithDefault("1h")
        Duration maxFutureSkew();
    }

    interface Ingest {
        /**
         * Reads (each up to 64 KB of events) whose events await their Kafka acknowledgements at once:
         * backpressure beyond it reaches the socket (32 MB at most while Kafka is away). The elected
         * leader's reads wait for their transaction's commit, 50-100 ms, so at a thousand reads a second
         * (10,000 events/s sent a few at a time) 128 was reached and held the feed (bench/README 44).
         */
        @WithDefault("512")
        int maxInFlight();

        /**
         * Events received but not yet behind the resume position: those in flight, and those settled after
         * one that is not (a dead letter the dead-letter topic keeps refusing). Past it no more reads are
         * handled until the position moves (backpressure to the socket): the tracker kept every settled
         * event's id while one dead letter waited, a heap's worth in a day, with the position frozen.
         */
        @WithDefault("100000")
        int maxUnsettled();

        /**
         * Events waiting this long without the resume position moving (nothing settles: Kafka keeps refusing a
         * publish or a dead letter) make the replica's readiness {@code degraded}, with {@code ingest.stalled}: the
         * feed stays connected and the channels ready meanwhile, and nothing else said so.
         */
        @WithDefault("60s")
        Duration stalledAfter();

        /**
         * Events received past the last checkpoint saved (the database refusing saves, say): past it no more
         * reads are handled until a save succeeds. A restart reads back what was published after the saved
         * checkpoint and keeps each id in memory (~170 bytes while it reads, measured): hours of failing saves
         * grew a tail that could fill the heap at every start. 500,000 is 3-7 hours of Wikimedia's feed, 85 MB.
         */
        @WithDefault("500000")
        int maxUnsaved();

        /** Event ids remembered to drop the re-deliveries of a timestamp-based resume. */
        @WithDefault("50000")
        int dedupCapacity();

        /**
         * On start, records read back before each checkpointed Kafka offset (besides all after it),
         * whose event ids are dropped if the feed sends them again.
         */
        @WithDefault("2000")
        int resumeMargin();

        /**
         * How long the start's read-back of what was published after the saved position may go without
         * reading a record (the events topic must answer); past it the read-back is retried, with back-off.
         */
        @WithDefault("60s")
        Duration readBackTimeout();

        /** How often the resume position is persisted. */
        @WithDefault("1s")
        Duration checkpointInterval();

        /**
         * Replicas with the ingest enabled elect one of them to read the feed: the one whose consumer
         * holds partition 0 of {@code pulse.ingest.leader} ({@link IngestLeadership}). Off, every
         * enabled replica reads it and each event is published, and counted, once per replica.
         */
        @WithDefault("true")
        boolean leaderElection();

        /**
         * How often the elected replica commits its Kafka transaction (events wait up to this long to be
         * read). Its transactional id is the election's group id, the same for every candidate of one
         * deployment: a new leader fences the one it replaced, whose records are then never read.
         */
        @WithDefault("50ms")
        Duration commitInterval();

        /**
         * With the election, whether the leader publishes in transactions that fence a replaced leader.
         * Off, a leader cut off from the group but still able to produce publishes, until it hears it
         * was replaced, what its successor publishes too (counted twice); in exchange events are read
         * sooner: at 10,000/s a median of 53-70 ms to the committed row against 70-120 (bench/README 44).
         */
        @WithDefault("true")
        boolean fencing();
    }

    enum BotPolicy {
        INCLUDE, EXCLUDE, ONLY
    }
}
